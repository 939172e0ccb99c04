"""The `waymark demo` and `waymark serve` commands.

waymark demo [--scale N] [--seed S] [--reset] [--quiet]
waymark serve [--host H] [--port P] [--allow-remote]
"""

import argparse
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from waymark.cli.errors import CommandFailed
from waymark.cli.io import Subcommands

LOOPBACK_NAMES = frozenset({"localhost"})


def add_commands(commands: Subcommands) -> None:
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


# --- demo ------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
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
    _checkpoint()
    if not args.then_serve:
        print_logins()
        print("Next: `waymark serve`, then open http://127.0.0.1:8000/")
    return 0


def _checkpoint() -> None:
    """Sign a checkpoint over the audit log as built, so `waymark audit verify` has one to check
    against from the start (and an audit log from before keyed hashes is anchored)."""
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.audit.checkpoints import CheckpointError, checkpoint_write

    try:
        signed = checkpoint_write()
    except (CheckpointError, ImproperlyConfigured) as exc:
        raise CommandFailed(f"the audit log could not be checkpointed: {exc}", code=1) from exc
    checkpoint = signed.checkpoint
    print(
        f"Signed audit checkpoint {checkpoint.sequence} over {checkpoint.count:,} events; "
        "`waymark audit verify` checks the log against it."
    )


def print_logins() -> bool:
    """Print the demo logins if the demo town is built. True if it printed them."""
    # Waymark's apps define Django models: imported once main() has set Django up.
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
    print("Other demo workers, such as j.wilson and r.campbell, use the same password.")
    if settings.WAYMARK_REQUIRE_2FA:
        print(
            "Two-factor sign-in is on: to set up an authenticator app each user needs an "
            "enrolment code, from `waymark enrolment-code --username USER`."
        )
    print()
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
