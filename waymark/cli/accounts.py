"""The `waymark createagency` and `waymark createuser` commands.

waymark createagency --name NAME --sector SECTOR
waymark createuser --username U --agency A --role R [--password-stdin] [--enrolment-code]
waymark enrolment-code --username U [--as USERNAME]
"""

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from waymark.cli.errors import CommandFailed, one_line
from waymark.cli.io import Subcommands

if TYPE_CHECKING:  # annotations only: models are imported once Django is set up
    from waymark.accounts.models import User


def add_commands(commands: Subcommands) -> None:
    agency = commands.add_parser(
        "createagency",
        help="add an agency to the partnership",
        description="Add an agency, such as a children's services department or a police team.",
    )
    agency.add_argument("--name", required=True)
    agency.add_argument(
        "--sector",
        required=True,
        help="childrens_social_care, police, education, health, youth_service, "
        "community_safety, housing, transport, voluntary or business",
    )
    agency.set_defaults(handler=cmd_createagency)

    create = commands.add_parser(
        "createuser",
        help="add a user to an agency",
        description="Add a user. The password is read from standard input with "
        "--password-stdin, otherwise asked for twice.",
    )
    create.add_argument("--username", required=True)
    create.add_argument("--agency", required=True, help="the agency's name, as Waymark has it")
    create.add_argument(
        "--role",
        required=True,
        help="practitioner, manager, analyst, panel_chair or administrator",
    )
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    create.add_argument("--first-name", default="")
    create.add_argument("--last-name", default="")
    create.add_argument("--email", default="")
    create.add_argument(
        "--enrolment-code",
        action="store_true",
        help="also print a one-use code for setting up two-factor authentication",
    )
    create.set_defaults(handler=cmd_createuser)

    enrolment = commands.add_parser(
        "enrolment-code",
        help="issue a one-use code for setting up two-factor authentication",
        description="Issue a one-use enrolment code a user needs to set up their first "
        "authenticator app. It works for 72 hours, cancels the user's earlier codes, and is "
        "printed once: Waymark keeps only its hash. With --as, the code is issued by that "
        "administrator or manager, within what they may do; without it, by the operator.",
    )
    enrolment.add_argument("--username", required=True)
    enrolment.add_argument("--as", dest="as_user", metavar="USERNAME", default="")
    enrolment.add_argument(
        "--reset",
        action="store_true",
        help="first remove the user's authenticator app and backup codes (a lost phone)",
    )
    enrolment.set_defaults(handler=cmd_enrolment_code)


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandFailed("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise CommandFailed("no terminal to ask for a password on: use --password-stdin")
    try:
        password = getpass.getpass("Password: ")
        again = getpass.getpass("Password (again): ")
    except (EOFError, KeyboardInterrupt) as exc:
        raise CommandFailed("no password given") from exc
    if password != again:
        raise CommandFailed("the passwords do not match")
    return password


def cmd_createuser(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.accounts.models import Agency, Role
    from waymark.accounts.services import user_create

    if args.role not in Role.values:
        raise CommandFailed(f"unknown role '{args.role}': choose one of {', '.join(Role.values)}")
    agency = Agency.objects.filter(name__iexact=args.agency.strip()).first()
    if agency is None:
        known = list(Agency.objects.order_by("name").values_list("name", flat=True)[:12])
        hint = f" Agencies: {'; '.join(known)}." if known else " There are no agencies yet."
        raise CommandFailed(f"no agency called '{args.agency}'.{hint}")
    password = read_password(args.password_stdin)
    try:
        user = user_create(
            actor=None,
            username=args.username.strip(),
            password=password,
            agency=agency,
            role=args.role,
            first_name=args.first_name,
            last_name=args.last_name,
            email=args.email,
        )
    except ValidationError as exc:
        raise CommandFailed(one_line(exc)) from exc
    print(f"Created {user.username}: {user.get_role_display()}, {agency.name}.")
    if args.enrolment_code:
        _print_enrolment_code(actor=None, username=user.username)
    return 0


def cmd_enrolment_code(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.accounts.services import two_factor_reset

    actor = _active_user(args.as_user) if args.as_user else None
    if args.reset:
        if actor is not None:
            raise CommandFailed("--reset is for the operator of the server: leave out --as")
        removed = two_factor_reset(actor=None, user=_active_user(args.username))
        print(f"Removed {removed} two-factor devices of {args.username.strip()}.")
    _print_enrolment_code(actor=actor, username=args.username)
    return 0


def _active_user(username: str) -> "User":
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.accounts.models import User

    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise CommandFailed(f"no active user called '{username}'")
    return user


def _print_enrolment_code(*, actor: "User | None", username: str) -> None:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.accounts.services import ENROLMENT_CODE_LIFETIME, enrolment_code_issue

    user = _active_user(username)
    try:
        code = enrolment_code_issue(actor=actor, user=user)
    except ValidationError as exc:
        raise CommandFailed(one_line(exc)) from exc
    hours = int(ENROLMENT_CODE_LIFETIME.total_seconds() // 3600)
    print(f"Enrolment code for {user.username}: {code}")
    print(f"It works once, for {hours} hours, to set up two-factor authentication.")


def cmd_createagency(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.accounts.models import Agency, Sector
    from waymark.accounts.services import agency_create

    if args.sector not in Sector.values:
        raise CommandFailed(
            f"unknown sector '{args.sector}': choose one of {', '.join(Sector.values)}"
        )
    if Agency.objects.filter(name__iexact=args.name.strip()).exists():
        raise CommandFailed(f"there is already an agency called '{args.name.strip()}'")
    try:
        agency = agency_create(actor=None, name=args.name, sector=args.sector)
    except ValidationError as exc:
        raise CommandFailed(one_line(exc)) from exc
    print(f"Created {agency.name} ({agency.get_sector_display()}).")
    return 0
