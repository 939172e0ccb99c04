"""The `waymark cases` commands.

    waymark cases overdue [--agency NAME] [--format text|csv|json] [--today YYYY-MM-DD]

Overdue reviews of open context cases (by lead agency) and overdue actions of their plans (by
the agency that owns them: the agency itself, the partner's owning agency, or the worker's), for
a morning e-mail or a scheduled job. Plain output on stdout, exit 0, whether or not anything is
overdue. Children are never named: the output is about contexts.
"""

import argparse
import datetime
import json
from typing import Any

from django.utils import timezone

from waymark.cli.errors import CommandFailed
from waymark.cli.io import Subcommands

HEADER = ["agency", "kind", "case", "context", "due", "owner", "description"]


def add_commands(commands: Subcommands) -> None:
    cases = commands.add_parser(
        "cases",
        help="context cases: overdue reviews and actions",
        description="Context cases. `overdue` lists overdue reviews and actions by agency.",
    )
    sub = cases.add_subparsers(dest="cases_command", metavar="<subcommand>", required=True)
    overdue = sub.add_parser(
        "overdue",
        help="overdue reviews and actions of open context cases, by agency",
        description="Overdue reviews of open context cases (by lead agency) and actions past "
        "their due date that are neither done nor cancelled (by the agency that owns them). "
        "Exit 0 whether or not anything is overdue.",
    )
    overdue.add_argument("--agency", help="only this agency (its name)")
    overdue.add_argument("--format", choices=["text", "csv", "json"], default="text")
    overdue.add_argument(
        "--today",
        type=datetime.date.fromisoformat,
        help="the day to count from, YYYY-MM-DD (default: today)",
    )
    overdue.set_defaults(handler=cmd_cases_overdue)


def _rows(groups: list[Any]) -> list[list[str]]:
    # Waymark's apps need Django set up first.
    from waymark.casework.cases.selectors import action_owner_label

    rows = []
    for group in groups:
        for case in group.reviews:
            worker = case.lead_worker
            rows.append(
                [
                    group.agency.name,
                    "review",
                    case.reference,
                    case.subject_name,
                    case.next_review_on.isoformat(),
                    (worker.get_full_name() or worker.username) if worker else "",
                    "Review of the context plan",
                ]
            )
        for action in group.actions:
            case = action.goal.plan.case
            rows.append(
                [
                    group.agency.name,
                    "action",
                    case.reference,
                    case.subject_name,
                    action.due_on.isoformat(),
                    action_owner_label(action),
                    " ".join(action.description.split()),
                ]
            )
    return rows


def cmd_cases_overdue(args: argparse.Namespace) -> int:
    # Waymark's apps need Django set up first.
    from waymark.accounts.models import Agency
    from waymark.casework.cases.selectors import cases_overdue
    from waymark.core.csv_export import csv_safe_text

    agency = None
    if args.agency:
        agency = Agency.objects.filter(name__iexact=args.agency.strip()).first()
        if agency is None:
            raise CommandFailed(f"no agency is called {args.agency.strip()!r}")
    today = args.today or timezone.localdate()
    rows = _rows(cases_overdue(today=today, agency=agency))
    if args.format == "csv":
        print(csv_safe_text(HEADER, rows), end="")
    elif args.format == "json":
        print(json.dumps([dict(zip(HEADER, row, strict=True)) for row in rows], indent=2))
    elif not rows:
        print(f"Nothing overdue on {today:%-d %B %Y}.")
    else:
        current = None
        for row in rows:
            if row[0] != current:
                current = row[0]
                print(f"{'' if current == rows[0][0] else chr(10)}{current}")
            what = "Review" if row[1] == "review" else "Action"
            detail = f" ({row[5]})" if row[5] else ""
            tail = f": {row[6][:100]}" if row[1] == "action" else ""
            print(f"  {what} due {row[4]}, {row[2]} {row[3]}{detail}{tail}")
    return 0
