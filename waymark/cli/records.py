"""The `waymark retention` and `waymark sar` commands.

    waymark retention review [--as-of YYYY-MM-DD] [--show N]
    waymark retention apply [--as-of YYYY-MM-DD] [--dry-run] [--batch-size N]
    waymark retention hold YP-REF --as USERNAME --reason TEXT
    waymark retention lift HOLD-ID --as USERNAME --reason TEXT
    waymark sar YP-REF --as USERNAME [--out DIR] [--request-ref REF]

A mistake a person can put right ends with one line on stderr and exit code 2, and nothing is
written. Retention rules per record type are in waymark/records/rules.py.
"""

import argparse
import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from waymark.cli.errors import CommandFailed, one_line
from waymark.cli.io import Subcommands, positive_int

if TYPE_CHECKING:
    from waymark.accounts.models import User
    from waymark.records.selectors import RetentionReview


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date: use YYYY-MM-DD") from None


def add_commands(commands: Subcommands) -> None:
    retention = commands.add_parser(
        "retention",
        help="list and erase records whose retention period has ended; legal holds",
        description="Retention rules per record type (waymark/records/rules.py). See "
        "docs/how-to/retention-and-sar.md.",
    )
    sub = retention.add_subparsers(dest="retention_command", metavar="<retention command>")
    sub.required = True

    review = sub.add_parser(
        "review",
        help="list what is due for erasure, and what a legal hold keeps",
        description="Count, per rule, the records whose retention date is on or before the date "
        "given (default today), and show the first references. Changes nothing.",
    )
    review.add_argument("--as-of", type=_date, default=None, help="YYYY-MM-DD (default today)")
    review.add_argument("--show", type=positive_int, default=10, help="references per rule (10)")
    review.set_defaults(handler=cmd_retention_review)

    apply = sub.add_parser(
        "apply",
        help="erase the personal data of every due record not under a legal hold",
        description="Erase due records as each rule says, in batches, each batch one "
        "transaction, with an audit event per record. Records under a legal hold are kept. "
        "Interrupted, it can be run again.",
    )
    apply.add_argument(
        "--as-of", type=_date, default=None, help="YYYY-MM-DD, not after today (default today)"
    )
    apply.add_argument(
        "--dry-run", action="store_true", help="say what would be erased; erase nothing"
    )
    apply.add_argument(
        "--batch-size", type=positive_int, default=200, help="records per transaction"
    )
    apply.set_defaults(handler=cmd_retention_apply)

    hold = sub.add_parser(
        "hold",
        help="place a legal hold on a young person's record",
        description="Stop a young person's record, their concerns and their associations from "
        "being erased until the hold is lifted. Managers only.",
    )
    hold.add_argument("reference", metavar="YP-REF")
    hold.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    hold.add_argument("--reason", required=True, help="a claim, inquiry or case reference")
    hold.set_defaults(handler=cmd_retention_hold)

    lift = sub.add_parser(
        "lift",
        help="lift a legal hold",
        description="Lift a legal hold by its number (`retention hold` prints it). Managers only.",
    )
    lift.add_argument("hold_id", type=positive_int, metavar="HOLD-ID")
    lift.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    lift.add_argument("--reason", required=True)
    lift.set_defaults(handler=cmd_retention_lift)

    sar = commands.add_parser(
        "sar",
        help="export everything about a young person for a subject access request",
        description="Write YP-REF.json and YP-REF.html: everything Waymark holds about the young "
        "person, with the access log, and third parties marked for redaction. The export is "
        "recorded in the share log and the audit log. The user named by --as must be a manager "
        "whose agency is involved with the young person.",
    )
    sar.add_argument("reference", metavar="YP-REF")
    sar.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
    sar.add_argument("--out", type=Path, default=Path("."), help="directory (default: here)")
    sar.add_argument("--request-ref", default="", help="your reference for the request")
    sar.set_defaults(handler=cmd_sar)


def _user(username: str) -> "User":
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandFailed(f"no active user called '{username}'")
    return user


def _as_of(value: datetime.date | None) -> datetime.date:
    return value or timezone.localdate()


def cmd_retention_review(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.records.selectors import retention_review

    review = retention_review(as_of=_as_of(args.as_of))
    _print_review(review, show=args.show, verb="due")
    return 0


def _print_review(review: "RetentionReview", *, show: int, verb: str) -> None:
    print(f"Retention as of {review.as_of:%d %B %Y}:")
    width = max(len(r.rule.title) for r in review.rules)
    for item in review.rules:
        rule = item.rule
        line = f"  {rule.title:<{width}}  {len(item.due):>6,} {verb}"
        if item.held:
            line += f", {len(item.held):,} kept by a legal hold"
        print(f"{line}   ({rule.start_event} + {rule.period}; {rule.erase})")
        refs = [d.reference for d in item.due[:show]]
        if refs:
            more = f" and {len(item.due) - len(refs):,} more" if len(item.due) > len(refs) else ""
            print(f"      {', '.join(refs)}{more}")
    print(f"Total: {review.due_count:,} {verb}, {review.held_count:,} kept by a legal hold.")


def cmd_retention_apply(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.records.selectors import retention_review
    from waymark.records.services import retention_apply

    as_of = _as_of(args.as_of)
    if as_of > timezone.localdate():
        raise CommandFailed("--as-of is after today: records are never erased before they are due")
    if args.dry_run:
        _print_review(retention_review(as_of=as_of), show=10, verb="would be erased")
        print("Dry run: nothing was erased.")
        return 0
    try:
        outcome = retention_apply(actor=None, as_of=as_of, batch_size=args.batch_size)
    except ValidationError as exc:
        raise CommandFailed(one_line(exc)) from exc
    for item in outcome.rules:
        extra = []
        if item.held:
            extra.append(f"{item.held:,} kept by a legal hold")
        if item.no_longer_due:
            extra.append(f"{item.no_longer_due:,} no longer due")
        note = f" ({'; '.join(extra)})" if extra else ""
        print(f"  {item.rule.title}: {item.erased:,} erased{note}")
    print(
        f"Erased {outcome.erased:,} records as of {as_of:%d %B %Y}, each with an audit event; "
        f"{outcome.held:,} kept by a legal hold."
    )
    return 0


def cmd_retention_hold(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.people.models import YoungPerson
    from waymark.people.selectors import young_person_get_visible_to
    from waymark.records.services import legal_hold_place

    user = _user(args.as_user)
    try:
        person = young_person_get_visible_to(user=user, reference=args.reference)
    except YoungPerson.DoesNotExist:
        raise CommandFailed(
            f"no young person {args.reference} that {user.username} may see"
        ) from None
    try:
        hold = legal_hold_place(actor=user, young_person=person, reason=args.reason)
    except ValidationError as exc:
        raise CommandFailed(one_line(exc)) from exc
    print(f"Legal hold {hold.pk} placed on {person.reference}: it is not erased until lifted.")
    return 0


def cmd_retention_lift(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.people.selectors import young_person_list_visible_to
    from waymark.records.models import LegalHold
    from waymark.records.services import legal_hold_lift

    user = _user(args.as_user)
    hold = (
        LegalHold.objects.filter(
            pk=args.hold_id, young_person__in=young_person_list_visible_to(user=user)
        )
        .select_related("young_person")
        .first()
    )
    if hold is None:
        raise CommandFailed(f"no legal hold {args.hold_id} that {user.username} may see")
    try:
        legal_hold_lift(actor=user, hold=hold, reason=args.reason)
    except ValidationError as exc:
        raise CommandFailed(one_line(exc)) from exc
    print(f"Legal hold {hold.pk} on {hold.young_person.reference} lifted.")
    return 0


def cmd_sar(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.records.sar import subject_access_export

    user = _user(args.as_user)
    try:
        export = subject_access_export(
            actor=user,
            reference=args.reference,
            out_dir=args.out,
            request_reference=args.request_ref,
        )
    except PermissionDenied as exc:
        raise CommandFailed(f"{user.username} may not: {exc}") from exc
    except ValidationError as exc:
        raise CommandFailed(one_line(exc)) from exc
    review = export.document["redaction"]["items_for_review"]
    print(f"Wrote {export.json_path} and {export.html_path}.")
    print(
        f"Before release: review the [REDACT: ...] markers and the {review:,} item(s) flagged for "
        "redaction review. The export is recorded in the share log and the audit log."
    )
    return 0
