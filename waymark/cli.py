"""The `waymark` command.

    waymark demo [--scale N] [--seed S] [--reset]   build the synthetic town Eastbridge
    waymark serve [--host H] [--port P]             serve Waymark on this machine
    waymark createuser --username U --agency A --role R [--password-stdin]
    waymark audit verify                            check the audit log's hash chain
    waymark keys rotate                             re-encrypt every field under the newest key
    waymark retention review|apply [--as-of D]      list or erase records past their retention
    waymark retention hold|lift ... --as U          place or lift a legal hold
    waymark sar YP-REF --as U [--out DIR]           subject access export (JSON and HTML)
    waymark manage <django command> ...             any Django management command

Mistakes a person can put right (an unknown agency, a weak password, a host that is not this
machine) end with one line on stderr and exit code 2; nothing is written.
"""

import argparse
import getpass
import ipaddress
import os
import sys
from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError

EXIT_USAGE = 2
LOOPBACK_NAMES = frozenset({"localhost"})


class CommandFailed(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if args_in[:1] == ["manage"]:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["waymark", *args_in[1:]])
        return 0

    parser = build_parser()
    try:
        args = parser.parse_args(args_in)
    except SystemExit as exc:  # argparse has printed its message
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE

    import django
    from django.db import DatabaseError

    django.setup()
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CommandFailed as exc:
        print(f"waymark {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except DatabaseError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(
            f"waymark {args.command}: database error ({first_line}). "
            "Is the database set up? Run `waymark manage migrate`.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`waymark demo | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waymark",
        description="Waymark: contextual safeguarding. Build the demo town, serve it, add users.",
    )
    commands = parser.add_subparsers(dest="command", metavar="<command>")

    demo = commands.add_parser(
        "demo",
        help="set up the database and build the synthetic town Eastbridge",
        description="Migrate the database, then build the demo town unless it is already built "
        "with the same seed and scale. Prints the demo logins.",
    )
    demo.add_argument(
        "--scale", type=float, default=1.0, help="size of the town; 1 is 2,000 children"
    )
    demo.add_argument("--seed", type=int, default=None, help="random seed (default 20260101)")
    demo.add_argument("--reset", action="store_true", help="remove the demo town and rebuild it")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.add_argument(
        "--then-serve", action="store_true", help=argparse.SUPPRESS
    )  # used by `make demo`, which serves next and prints the logins then
    demo.set_defaults(handler=cmd_demo)

    serve = commands.add_parser(
        "serve",
        help="serve Waymark on this machine",
        description="Serve Waymark with Django's server, on this machine only unless told.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow an address other computers can reach (the demo has published passwords)",
    )
    serve.set_defaults(handler=cmd_serve)

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
    create.set_defaults(handler=cmd_createuser)

    audit = commands.add_parser(
        "audit",
        help="check the audit log",
        description="Work with the audit log.",
    )
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="<audit command>")
    audit_commands.required = True
    verify = audit_commands.add_parser(
        "verify",
        help="check the audit log's hash chain and name the first broken link",
        description="Recompute the hash of every audit event, oldest first, and check that each "
        "names the one before it. Exit code 1 names the first event that was altered, or that "
        "follows an event that was deleted or inserted; 0 means the chain is intact.",
    )
    verify.set_defaults(handler=cmd_audit_verify)

    keys = commands.add_parser(
        "keys",
        help="manage the field-encryption keys",
        description="Work with the field-encryption keys (WAYMARK_FIELD_KEYS, newest first).",
    )
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="<keys command>")
    keys_commands.required = True
    rotate = keys_commands.add_parser(
        "rotate",
        help="re-encrypt every encrypted field under the newest key",
        description="Re-encrypt every encrypted field under the first key of WAYMARK_FIELD_KEYS "
        "and rebuild the blind indexes, in batches of 500 rows, each its own transaction. If it "
        "is interrupted, run it again. When it completes, older keys can be removed from "
        "WAYMARK_FIELD_KEYS. The rotation is recorded in the audit log.",
    )
    rotate.add_argument("--quiet", action="store_true", help="no progress bar")
    rotate.set_defaults(handler=cmd_keys_rotate)

    from waymark import hotspot_cli, near_repeat_cli, peer_groups_cli
    from waymark.records.cli import add_commands as add_records_commands

    add_records_commands(commands)  # retention review/apply/hold/lift, sar
    hotspot_cli.add_commands(commands)  # hotspots, emerging-hotspots (no database)
    near_repeat_cli.add_commands(commands)  # near-repeat (no database)
    peer_groups_cli.add_commands(commands)  # peer-groups (no database)

    commands.add_parser(
        "manage",
        help="run a Django management command, e.g. `waymark manage migrate`",
        add_help=False,
    )
    return parser


# --- demo ------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from waymark.demo.generator import DemoError, demo_ensure
    from waymark.demo.plan import DEFAULT_SEED
    from waymark.demo.town import TOWN

    call_command("migrate", verbosity=0, interactive=False)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    try:
        result = demo_ensure(seed=seed, scale=args.scale, reset=args.reset, progress=not args.quiet)
    except DemoError as exc:
        raise CommandFailed(str(exc)) from exc
    if result.replaced is not None and result.replaced != result.build:
        old = result.replaced
        print(f"Removed the {TOWN} built with seed {old.seed} and scale {old.scale:g}.")
    if result.built_now:
        summary = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
        print(
            f"Built {TOWN} (seed {seed}, scale {args.scale:g}) in {result.seconds:.1f} s: "
            f"{summary}."
        )
    else:
        print(f"{TOWN} is already built (seed {seed}, scale {args.scale:g}); nothing to do.")
    if not args.then_serve:
        print_logins()
        print("Next: `waymark serve`, then open http://127.0.0.1:8000/")
    return 0


def print_logins() -> bool:
    """Print the demo logins if the demo town is built. True if it printed them."""
    from waymark.demo import DEMO_PASSWORD
    from waymark.demo.generator import demo_logins, demo_state

    if demo_state() is None:
        return False
    logins = demo_logins()
    if not logins:
        return False
    width_user = max(len(u.username) for u in logins)
    width_role = max(len(u.role) for u in logins)
    print(f"\nDemo logins (every one has the password {DEMO_PASSWORD}):")
    for u in logins:
        print(f"  {u.username:<{width_user}}  {u.role:<{width_role}}  {u.agency}")
    print("Other demo workers, such as j.wilson and r.campbell, use the same password.\n")
    return True


# --- serve -----------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    host = args.host.strip("[]")
    if not 0 < args.port < 65536:
        raise CommandFailed(f"{args.port} is not a port number: choose one from 1 to 65535")
    if not is_loopback(host) and not args.allow_remote:
        raise CommandFailed(
            f"refusing to listen on {host}: other computers could reach Waymark, and the demo's "
            "passwords are published. Use 127.0.0.1, or add --allow-remote if you mean it."
        )
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandFailed(
            "the database is not set up: run `waymark demo` (or `waymark manage migrate`) first",
            code=1,
        )
    ipv6 = ":" in host
    url_host = f"[{host}]" if ipv6 else host
    print_logins()
    if not is_loopback(host):
        print(f"Warning: listening on {host}; add the host name you use to ALLOWED_HOSTS.")
    if not settings.DEBUG:
        # Without DEBUG, Django's server does not serve static files: WhiteNoise serves them from
        # STATIC_ROOT, so collect them there first.
        call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Waymark is at http://{url_host}:{args.port}/ (press Ctrl+C to stop)", flush=True)
    call_command("runserver", f"{url_host}:{args.port}", use_reloader=False, use_ipv6=ipv6)
    return 0


# --- createuser ------------------------------------------------------------------------------


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
        raise CommandFailed(_one_line(exc)) from exc
    print(f"Created {user.username}: {user.get_role_display()}, {agency.name}.")
    return 0


def cmd_createagency(args: argparse.Namespace) -> int:
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
        raise CommandFailed(_one_line(exc)) from exc
    print(f"Created {agency.name} ({agency.get_sector_display()}).")
    return 0


# --- audit -------------------------------------------------------------------------------------


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from waymark.audit.selectors import audit_chain_verify

    report = audit_chain_verify()
    if report.broken is not None:
        where = (
            f"event {report.broken.event_id}"
            if report.broken.event_id is not None
            else "an unreadable event"
        )
        raise CommandFailed(
            f"the audit chain is broken at {where} ({report.broken.kind}): "
            f"{report.broken.detail}. The {report.checked:,} events before it are intact.",
            code=1,
        )
    if report.checked == 0:
        print("The audit log is empty: nothing to check.")
        return 0
    print(
        f"The audit chain is intact: {report.checked:,} events. Newest hash {report.head_hash} "
        "(keep it elsewhere: a later check that does not reach it means events were cut off)."
    )
    return 0


# --- keys --------------------------------------------------------------------------------------


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from waymark.audit.keys import keys_rotate
    from waymark.core.crypto import InvalidToken

    try:
        report = keys_rotate(progress=not args.quiet)
    except InvalidToken as exc:
        raise CommandFailed(
            "a value could not be decrypted with any key in WAYMARK_FIELD_KEYS: put back the key "
            "it was encrypted with, then run this again",
            code=1,
        ) from exc
    print(
        f"Re-encrypted the fields of {sum(report.rows.values()):,} rows under key "
        f"{report.key_id}. Older keys can now be removed from WAYMARK_FIELD_KEYS."
    )
    return 0


def _one_line(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(
            " ".join(messages) if field == "__all__" else f"{field}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


if __name__ == "__main__":
    sys.exit(main())
