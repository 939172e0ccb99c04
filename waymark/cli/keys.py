"""The `waymark keys rotate` command: re-encrypt every encrypted field under the newest key."""

import argparse

from waymark.cli.errors import CommandFailed
from waymark.cli.io import Subcommands


def add_commands(commands: Subcommands) -> None:
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
        description="Re-encrypt every encrypted field under the first key of WAYMARK_FIELD_KEYS, "
        "and rebuild the blind indexes, in "
        "batches of 500 rows, each its own transaction with its rows locked against concurrent "
        "edits. Values already under that key are skipped, so if it is interrupted, run it "
        "again. When it completes, older keys can be removed from WAYMARK_FIELD_KEYS. The "
        "rotation is recorded in the audit log.",
    )
    rotate.add_argument("--quiet", action="store_true", help="no progress bar")
    rotate.set_defaults(handler=cmd_keys_rotate)


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.audit.keys import keys_rotate
    from waymark.core.crypto import UndecryptableValue

    try:
        report = keys_rotate(progress=not args.quiet)
    except UndecryptableValue as exc:
        # Batches already done stay done; the message names the value and says what to do.
        raise CommandFailed(f"{exc} Then run this again.", code=1) from exc
    print(
        f"Checked {sum(report.rows.values()):,} rows and re-encrypted {report.values:,} values "
        f"under key {report.key_id}. Older keys can now be removed from WAYMARK_FIELD_KEYS."
    )
    return 0
