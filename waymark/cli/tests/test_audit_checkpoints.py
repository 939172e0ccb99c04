"""Signed checkpoints, and `waymark audit verify` against tampering by someone who has the
database (and, on PostgreSQL, disables the append-only trigger as its owner could) but neither
the audit key nor the signing key. Runs on SQLite and PostgreSQL alike."""

import importlib
import json
import logging
import stat
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from waymark.audit.checkpoints import CheckpointError, _store, checkpoint_store, checkpoint_write
from waymark.audit.models import AuditEvent
from waymark.audit.services import audit_record
from waymark.audit.tests.helpers import TABLE, rehash, tamper
from waymark.cli import main

pytestmark = pytest.mark.django_db


def _write(practitioner, n: int) -> list[int]:
    for _ in range(n):
        audit_record(actor=practitioner, action="view", obj=practitioner.agency)
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


@pytest.fixture
def events(practitioner):
    return _write(practitioner, 8)


def _verify(capsys) -> tuple[int, str]:
    code = main(["audit", "verify"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _checkpoint(capsys) -> str:
    assert main(["audit", "checkpoint"]) == 0
    return capsys.readouterr().out


def test_an_untouched_trail_verifies_and_says_what_is_not_yet_covered(events, practitioner, capsys):
    out = _checkpoint(capsys)
    assert "Checkpoint 1 signed" in out and f"the newest event {events[-1]}" in out
    assert json.loads(out.splitlines()[-1])["checkpoint"]["count"] == 8
    _write(practitioner, 2)
    assert "Checkpoint 2 signed" in _checkpoint(capsys)
    _write(practitioner, 3)
    code, out = _verify(capsys)
    assert code == 0, out
    assert "intact: 13 events and 2 signed checkpoints checked" in out
    assert "The latest checkpoint, 2, was signed at" in out
    assert "covers 10 events; 3 came after it" in out


def test_checkpoint_files_are_never_overwritten(events, audit_checkpoints, caplog):
    logger = logging.getLogger("waymark.audit.checkpoint")
    logger.addHandler(caplog.handler)  # it does not propagate to the root logger
    try:
        first = checkpoint_write()
    finally:
        logger.removeHandler(caplog.handler)
    assert caplog.records[-1].getMessage() == first.line()  # for syslog or a log store
    path = audit_checkpoints / first.checkpoint.file_name
    assert path.read_text() == first.line() + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    with pytest.raises(CheckpointError, match="already exists"):
        _store(audit_checkpoints, first)
    assert path.read_text() == first.line() + "\n"


def test_an_altered_event_is_named(events, capsys):
    _checkpoint(capsys)
    tamper(f"UPDATE {TABLE} SET purpose = 'nothing to see' WHERE id = %s", [events[3]])  # noqa: S608
    code, out = _verify(capsys)
    assert code == 1
    assert f"event {events[3]} was altered: its fields do not match its HMAC" in out
    assert "The 3 events before it are intact" in out


def test_a_deleted_event_is_named_at_the_next(events, capsys):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[4]])  # noqa: S608
    code, out = _verify(capsys)
    assert code == 1
    assert f"event {events[5]} does not follow event {events[3]}" in out
    assert "deleted or inserted" in out


def test_an_alteration_hidden_by_re_hashing_without_the_key_is_named(events, capsys):
    _checkpoint(capsys)
    tamper(f"UPDATE {TABLE} SET object_id = '999' WHERE id = %s", [events[2]])  # noqa: S608
    rehash(key=b"the attacker's guess at the audit key", from_id=events[2])
    code, out = _verify(capsys)
    assert code == 1
    assert f"event {events[2]} was altered" in out
    assert "recomputed without the audit key" in out


def test_a_chain_re_hashed_with_unkeyed_sha256_is_refused(events, capsys):
    _checkpoint(capsys)
    tamper(f"UPDATE {TABLE} SET object_id = '999' WHERE id = %s", [events[2]])  # noqa: S608
    rehash(key=None)  # the whole chain, as version 1 hashes
    code, out = _verify(capsys)
    assert code == 1
    assert f"event {events[0]} has an unkeyed (version 1) hash" in out
    assert "vouch for only the first 0 events" in out
    assert "recomputed without the audit key" in out


def _log_from_before_keyed_hashes() -> None:
    """The log as an upgraded database has it: every event unkeyed (version 1), then the keyed
    marker that the migration beginning keyed hashes appends."""
    rehash(key=None)
    migration = importlib.import_module("waymark.audit.migrations.0006_auditevent_hash_version")
    migration.mark_where_keyed_hashes_begin(apps, SimpleNamespace(connection=connection))


def test_unkeyed_events_without_a_checkpoint_tell_the_operator_what_to_do(events, capsys):
    _log_from_before_keyed_hashes()
    code, out = _verify(capsys)
    assert code == 1
    assert f"event {events[0]} has an unkeyed (version 1) hash and no signed checkpoint" in out
    assert "`waymark audit checkpoint` anchors the old chain" in out


def test_a_keyed_log_rewritten_as_unkeyed_is_never_anchored(events, capsys, audit_checkpoints):
    """Before the first checkpoint (or after the checkpoints are lost), someone with the database
    alters an event and recomputes every hash in the unkeyed form: no marker vouches for them."""
    tamper(f"UPDATE {TABLE} SET purpose = 'nothing to see' WHERE id = %s", [events[3]])  # noqa: S608
    rehash(key=None)
    assert main(["audit", "checkpoint"]) == 1
    err = capsys.readouterr().err
    assert "ends with 8 unkeyed events and no keyed marker after them" in err
    assert not any(audit_checkpoints.iterdir())
    assert _verify(capsys)[0] == 1


def test_unkeyed_events_rewritten_behind_the_marker_are_not_anchored(events, capsys):
    _log_from_before_keyed_hashes()
    marker = AuditEvent.objects.order_by("-id").first()
    assert marker is not None and marker.object_type == "audit.keyed_hashes"
    tamper(f"UPDATE {TABLE} SET purpose = 'nothing to see' WHERE id = %s", [events[3]])  # noqa: S608
    rehash(key=None, upto_id=events[-1])  # the unkeyed events only: the marker cannot be re-made
    assert main(["audit", "checkpoint"]) == 1
    assert f"event {marker.pk} does not follow event {events[-1]}" in capsys.readouterr().err


def test_unkeyed_events_without_their_marker_are_not_anchored(events, capsys):
    _log_from_before_keyed_hashes()
    tamper(f"UPDATE {TABLE} SET object_type = 'accounts.agency' WHERE id = %s", [events[-1] + 1])  # noqa: S608
    rehash(key=None)  # the marker too, now an ordinary unkeyed event
    assert main(["audit", "checkpoint"]) == 1
    assert "no keyed marker after them" in capsys.readouterr().err


def test_events_cut_off_after_a_checkpoint_are_counted(events, capsys):
    out = _checkpoint(capsys)
    signed_at = json.loads(out.splitlines()[-1])["checkpoint"]["at"]
    tamper(f"DELETE FROM {TABLE} WHERE id >= %s", [events[3]])  # noqa: S608 (the newest five)
    code, out = _verify(capsys)
    assert code == 1
    assert (
        f"5 events covered by checkpoint 1 (signed {signed_at}) are missing after event {events[2]}"
    ) in out


def test_a_rewritten_head_is_named(events, capsys):
    _checkpoint(capsys)
    # The newest event is deleted and Waymark carries on writing: the links and HMACs are
    # sound again, but the event at the checkpoint's position is not the one it signed.
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[-1]])  # noqa: S608
    audit_record(actor=None, action="view", object_type="x", object_id="1")
    code, out = _verify(capsys)
    assert code == 1
    assert "checkpoint 1 (signed" in out and f"signed event {events[-1]}" in out


@pytest.mark.parametrize("damage", ["delete", "alter"])
def test_a_missing_or_altered_checkpoint_file_is_named(events, practitioner, capsys, damage):
    for _ in range(3):
        _write(practitioner, 1)
        checkpoint_write()
    files = sorted(p for p in checkpoint_store().iterdir())
    target = files[1]
    if damage == "delete":
        target.unlink()
        expected = "checkpoint 2 is missing: checkpoint-00000002.json is not in"
    else:
        target.chmod(0o644)
        document = json.loads(target.read_text())
        document["checkpoint"]["count"] -= 1
        target.write_text(json.dumps(document))
        expected = "checkpoint file checkpoint-00000002.json was altered: its signature"
    code, out = _verify(capsys)
    assert code == 1
    assert expected in out


def test_verify_with_the_wrong_audit_key_says_so(events, capsys, settings):
    _checkpoint(capsys)
    settings.WAYMARK_AUDIT_KEY = "another-audit-key-of-at-least-32-characters"
    code, out = _verify(capsys)
    assert code == 2
    assert "WAYMARK_AUDIT_KEY is not the audit key checkpoint 1 was made with" in out


def test_verify_needs_only_the_public_key(events, capsys, settings):
    assert main(["audit", "public-key"]) == 0
    public = capsys.readouterr().out.strip()
    _checkpoint(capsys)
    settings.WAYMARK_AUDIT_SIGNING_KEY = ""
    settings.WAYMARK_AUDIT_VERIFY_KEY = public
    assert _verify(capsys)[0] == 0
    assert main(["audit", "checkpoint"]) == 2
    assert "WAYMARK_AUDIT_SIGNING_KEY is not set" in capsys.readouterr().err


def test_the_first_checkpoint_anchors_an_unkeyed_chain(events, practitioner, capsys):
    """A log written before keyed hashes: version 1 hashes and the marker, no checkpoint."""
    _log_from_before_keyed_hashes()
    assert _verify(capsys)[0] == 1
    assert "Checkpoint 1 signed" in _checkpoint(capsys)
    assert (
        json.loads((checkpoint_store() / "checkpoint-00000001.json").read_text())["checkpoint"][
            "unkeyed"
        ]
        == 8
    )
    _write(practitioner, 2)  # keyed, after the anchor
    code, out = _verify(capsys)
    assert code == 0, out
    assert "intact: 11 events and 1 signed checkpoint checked" in out
    # An attacker re-hashes the events after the anchor as version 1.
    rehash(key=None, from_id=events[-1] + 1)
    code, out = _verify(capsys)
    assert code == 1
    assert f"event {events[-1] + 1} has an unkeyed (version 1) hash" in out


def test_checkpoint_refuses_to_anchor_a_broken_unkeyed_chain(events, capsys, audit_checkpoints):
    _log_from_before_keyed_hashes()
    tamper(f"UPDATE {TABLE} SET purpose = 'x' WHERE id = %s", [events[5]])  # noqa: S608
    assert main(["audit", "checkpoint"]) == 1
    err = capsys.readouterr().err
    assert f"not signed: event {events[5]} was altered" in err
    assert not any(audit_checkpoints.iterdir())


def test_checkpoint_refuses_when_covered_events_were_deleted(events, capsys):
    _checkpoint(capsys)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[-1]])  # noqa: S608
    assert main(["audit", "checkpoint"]) == 1
    assert "covers were changed since it was signed" in capsys.readouterr().err


def test_deleting_the_newest_checkpoint_is_caught_against_the_copy_elsewhere(
    events, practitioner, capsys, audit_checkpoints
):
    """The newest checkpoint file and the events it alone covered are deleted: the store and the
    log agree with each other, but not with the sequence number the syslog copy shows."""
    _checkpoint(capsys)
    later = _write(practitioner, 5)[-5:]
    _checkpoint(capsys)
    (audit_checkpoints / "checkpoint-00000002.json").chmod(0o644)
    (audit_checkpoints / "checkpoint-00000002.json").unlink()
    tamper(f"DELETE FROM {TABLE} WHERE id >= %s", [later[0]])  # noqa: S608
    assert _verify(capsys)[0] == 0  # nothing in the store or the log shows it
    assert main(["audit", "verify", "--expect-checkpoint", "1"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--expect-checkpoint", "2"]) == 1
    err = capsys.readouterr().err
    assert "checkpoint 2 is missing from" in err and "the newest there is 1" in err
