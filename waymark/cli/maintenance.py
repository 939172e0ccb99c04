"""The `waymark maintenance` command: delete what has lapsed. Run it every hour (docs/how-to/
operations.md).

Each step is a function that takes `now` (keyword) and returns how many rows it deleted; it runs
in a transaction of its own and prints one line. A new step is one more entry in `STEPS`: what
the line says, and the function's dotted path (imported when the command runs, once Django is set
up). Every step deletes only what has lapsed, so running the command twice does no harm.
"""

import argparse
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from waymark.cli.io import Subcommands

STEPS: list[tuple[str, str]] = [
    ("expired sessions", "waymark.accounts.housekeeping.sessions_clear_expired"),
    ("expired API tokens", "waymark.accounts.tokens.api_token_clear_expired"),
    ("lapsed concern drafts", "waymark.concerns.drafts.concern_draft_clear_expired"),
    (
        "failed sign-ins past the lockout",
        "waymark.accounts.housekeeping.access_attempts_clear_expired",
    ),
    ("used or expired enrolment codes", "waymark.accounts.services.enrolment_codes_expire"),
]


def add_commands(commands: Subcommands) -> None:
    maintenance = commands.add_parser(
        "maintenance",
        help="delete expired sessions, API tokens, concern drafts, old failed sign-ins and "
        "enrolment codes",
        description="Delete what has lapsed: expired sessions and API tokens, concern drafts "
        "past the session age, failed sign-ins older than the lockout cool-off, and used or expired "
        "enrolment codes. One line per "
        "step with how many were deleted. Safe to run at any time and as often as wanted; "
        "schedule it hourly.",
    )
    maintenance.set_defaults(handler=cmd_maintenance)


def cmd_maintenance(args: argparse.Namespace) -> int:
    now = timezone.now()
    for label, path in STEPS:
        step: Callable[..., int] = import_string(path)
        with transaction.atomic():
            deleted = step(now=now)
        print(f"{label}: {deleted:,} deleted")
    return 0
