"""The `waymark audit` commands: verify the audit trail, and sign checkpoints of it."""

import argparse

from django.core.exceptions import ImproperlyConfigured

from waymark.cli.errors import CommandFailed
from waymark.cli.io import Subcommands


def add_commands(commands: Subcommands) -> None:
    audit = commands.add_parser(
        "audit",
        help="check the audit log and sign checkpoints of it",
        description="Work with the audit log.",
    )
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="<audit command>")
    audit_commands.required = True
    verify = audit_commands.add_parser(
        "verify",
        help="check the checkpoints and the keyed hash chain; name the first break",
        description="Check every signed checkpoint and that they chain, then every audit "
        "event's HMAC and link, oldest first, and that the log passes through the head each "
        "checkpoint signed. Exit code 1 names the missing or altered checkpoint, or the first "
        "altered, deleted, re-hashed or missing event; 0 means the trail is intact.",
    )
    verify.add_argument(
        "--expect-checkpoint",
        type=int,
        metavar="N",
        help="fail unless the store holds checkpoint N: give the newest sequence number your "
        "copy elsewhere (the syslog lines) shows, so deleting the newest checkpoint files, and "
        "the events after the one before, is detected too",
    )
    verify.set_defaults(handler=cmd_audit_verify)
    checkpoint = audit_commands.add_parser(
        "checkpoint",
        help="check the events since the last checkpoint, then sign and store a new one",
        description="Check the events written since the last checkpoint (the first time, the "
        "whole log, anchoring events written before keyed hashes), then sign a checkpoint of the "
        "log's length and head with WAYMARK_AUDIT_SIGNING_KEY, write it to a new file in "
        "WAYMARK_AUDIT_CHECKPOINTS and print it. Run it on a schedule, e.g. every 15 minutes. "
        "Exit code 1 means the log was tampered with and nothing was signed.",
    )
    checkpoint.set_defaults(handler=cmd_audit_checkpoint)
    public_key = audit_commands.add_parser(
        "public-key",
        help="print the verify key (WAYMARK_AUDIT_VERIFY_KEY) of the checkpoint signing key",
        description="Print the public half of WAYMARK_AUDIT_SIGNING_KEY, the value to give "
        "WAYMARK_AUDIT_VERIFY_KEY where checkpoints are verified but not made.",
    )
    public_key.set_defaults(handler=cmd_audit_public_key)


def _failed(exc: Exception) -> CommandFailed:
    """Exit 1 for tampering, 2 for a key or setting to put right."""
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.audit.checkpoints import CheckpointError

    code = 1 if isinstance(exc, CheckpointError) and exc.tampered else 2
    return CommandFailed(str(exc), code=code)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.audit.checkpoints import CheckpointError, audit_trail_verify, checkpoint_store

    try:
        trail = audit_trail_verify()
    except (CheckpointError, ImproperlyConfigured) as exc:
        raise _failed(exc) from None
    report, latest = trail.chain, trail.latest
    expected = args.expect_checkpoint
    if expected is not None and (latest is None or latest.sequence < expected):
        newest = "none" if latest is None else str(latest.sequence)
        raise CommandFailed(
            f"checkpoint {expected} is missing from {checkpoint_store()}: the newest there is "
            f"{newest}. Checkpoints after it were deleted, and with them the only record of the "
            "events they covered: compare the log with a backup from before they were signed.",
            code=1,
        )
    if report.broken is not None:
        raise CommandFailed(
            f"the audit trail is broken: {report.broken.detail}. The {report.checked:,} events "
            "before it are intact.",
            code=1,
        )
    checkpoints = f"{len(trail.checkpoints):,} signed checkpoint" + (
        "" if len(trail.checkpoints) == 1 else "s"
    )
    if report.checked == 0 and latest is None:
        print("The audit log is empty and there are no checkpoints: nothing to check.")
        return 0
    print(f"The audit trail is intact: {report.checked:,} events and {checkpoints} checked.")
    if latest is None:
        print(
            "No checkpoint has been signed yet, so nothing yet shows events cut off the end of "
            "the log: run `waymark audit checkpoint` on a schedule."
        )
    else:
        print(
            f"The latest checkpoint, {latest.sequence}, was signed at {latest.at} and covers "
            f"{latest.count:,} events; {report.checked - latest.count:,} came after it and are "
            "not yet covered by a checkpoint."
        )
    return 0


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.audit.checkpoints import CheckpointError, checkpoint_store, checkpoint_write

    try:
        signed = checkpoint_write()
    except (CheckpointError, ImproperlyConfigured) as exc:
        raise _failed(exc) from None
    checkpoint = signed.checkpoint
    head = f"event {checkpoint.head_id}" if checkpoint.head_id is not None else "no event"
    print(
        f"Checkpoint {checkpoint.sequence} signed at {checkpoint.at}: {checkpoint.count:,} "
        f"events, the newest {head}; written to {checkpoint_store() / checkpoint.file_name}"
    )
    print(signed.line())
    return 0


def cmd_audit_public_key(args: argparse.Namespace) -> int:
    # Waymark's apps define Django models: imported once main() has set Django up.
    from waymark.audit.checkpoints import CheckpointError, public_key_text, signing_key

    try:
        print(public_key_text(signing_key().public_key()))
    except (CheckpointError, ImproperlyConfigured) as exc:
        raise _failed(exc) from None
    return 0
