"""The `waymark audit verify` command: check the audit log's hash chain."""

import argparse

from waymark.cli.errors import CommandFailed
from waymark.cli.io import Subcommands


def add_commands(commands: Subcommands) -> None:
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


def cmd_audit_verify(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
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
