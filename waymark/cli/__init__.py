"""The `waymark` command.

    waymark demo [--scale N] [--seed S] [--reset]   build the synthetic town Eastbridge
    waymark serve [--host H] [--port P]             serve Waymark on this machine
    waymark createuser --username U --agency A --role R [--password-stdin] [--enrolment-code]
    waymark enrolment-code --username U [--as U] [--reset]   a code to set up two-factor sign-in
    waymark audit verify                            check the audit trail and its checkpoints
    waymark audit checkpoint                        sign a checkpoint of the audit log
    waymark keys rotate                             re-encrypt every field under the newest key
    waymark retention review|apply [--as-of D]      list or erase records past their retention
    waymark retention hold|lift ... --as U          place or lift a legal hold
    waymark sar YP-REF --as U [--out DIR]           subject access export (JSON and HTML)
    waymark maintenance                             delete expired sessions, tokens and drafts
    waymark cases overdue [--agency A] [--format F] overdue reviews and actions of context cases
    waymark hotspots|emerging-hotspots|near-repeat|peer-groups ...   analysis of CSV files
    waymark manage <django command> ...             any Django management command

Mistakes a person can put right (an unknown agency, a weak password, a host that is not this
machine) end with one line on stderr and exit code 2; nothing is written.

Layout: this module holds `main` and builds the parser; `errors` holds `CommandFailed`; `io` the
argument types, the CSV readers and the atomic file writer; and each command group has its own
module (`demo`, `accounts`, `audit`, `keys`, `records`, `maintenance`, `cases`, `hotspots`,
`near_repeat`, `peer_groups`), which adds its commands with `add_commands` and handles them with
`cmd_*`.

Imports are at the top of each module, except two kinds, which a handler imports itself with a
one-line comment saying which:
- the numeric stack (numpy, scipy, h3, igraph, and the `waymark.analytics` modules built on
  them), because loading it takes seconds and most commands, and `waymark --help`, never use it;
- Waymark's apps (their models, services and selectors, and the demo town), because their
  modules define or use Django models, which cannot be imported before `django.setup()`.
  `main` parses the arguments first and sets Django up only for a command that runs, so
  building the parser needs neither settings nor a database.
Django's own modules import without settings and stay at the top. `waymark/cli/tests/
test_imports.py` checks both rules.
"""

import argparse
import os
import sys
from collections.abc import Callable, Sequence

import django
from django.core.management import execute_from_command_line
from django.db import DatabaseError

from waymark.cli import (
    accounts,
    audit,
    cases,
    demo,
    hotspots,
    keys,
    maintenance,
    near_repeat,
    peer_groups,
    records,
)
from waymark.cli.errors import EXIT_USAGE, CommandFailed


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if args_in[:1] == ["manage"]:
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
    demo.add_commands(commands)  # demo, serve
    accounts.add_commands(commands)  # createagency, createuser
    audit.add_commands(commands)  # audit verify, checkpoint, public-key
    keys.add_commands(commands)  # keys rotate
    records.add_commands(commands)  # retention review/apply/hold/lift, sar
    maintenance.add_commands(commands)  # maintenance
    cases.add_commands(commands)  # cases overdue
    hotspots.add_commands(commands)  # hotspots, emerging-hotspots (no database)
    near_repeat.add_commands(commands)  # near-repeat (no database)
    peer_groups.add_commands(commands)  # peer-groups (no database)
    commands.add_parser(
        "manage",
        help="run a Django management command, e.g. `waymark manage migrate`",
        add_help=False,
    )
    return parser
