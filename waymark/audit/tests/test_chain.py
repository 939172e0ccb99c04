import datetime
import hashlib
import hmac
import json
import zoneinfo

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from waymark.accounts.services import agency_create
from waymark.audit.chain import GENESIS_HASH, canonical_form, event_hash, event_hash_unkeyed
from waymark.audit.models import AuditEvent, LawfulBasis
from waymark.audit.selectors import audit_chain_verify
from waymark.audit.services import AUDIT_CHAIN_LOCK, audit_record, audit_record_many, share_record
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

from .helpers import TABLE, tamper

pytestmark = pytest.mark.django_db

KEY = settings.WAYMARK_AUDIT_KEY.encode()

LONDON = zoneinfo.ZoneInfo("Europe/London")
EVENT = {
    "at": datetime.datetime(2026, 7, 1, 10, 30, 5, 120, tzinfo=LONDON),
    "actor_id": 7,
    "agency_id": None,
    "action": "view",
    "object_type": "people.youngperson",
    "object_id": "42",
    "changed_fields": ["known_as", "strengths"],
    "purpose": "Café visit — safeguarding",
    "request_id": "abc123",
    "prev_hash": GENESIS_HASH,
}


def test_the_canonical_form_is_fixed():
    """The documented form, byte for byte: changing it breaks every stored chain."""
    expected = (
        '{"action":"view","actor":7,"agency":null,"at":"2026-07-01T09:30:05.000120+00:00",'
        '"changed_fields":["known_as","strengths"],"object_id":"42",'
        '"object_type":"people.youngperson","prev_hash":"' + "0" * 64 + '",'
        '"purpose":"Café visit — safeguarding","request_id":"abc123","v":VERSION}'
    )
    assert canonical_form(version=2, **EVENT) == expected.replace("VERSION", "2").encode()
    assert canonical_form(version=1, **EVENT) == expected.replace("VERSION", "1").encode()
    assert (
        event_hash(key=KEY, **EVENT)
        == hmac.new(KEY, canonical_form(version=2, **EVENT), hashlib.sha256).hexdigest()
    )
    assert (
        event_hash_unkeyed(**EVENT)
        == hashlib.sha256(canonical_form(version=1, **EVENT)).hexdigest()
    )


def test_the_hash_depends_on_the_key():
    assert event_hash(key=KEY, **EVENT) != event_hash(key=KEY + b"x", **EVENT)
    assert event_hash(key=KEY, **EVENT) != event_hash_unkeyed(**EVENT)


def test_the_same_instant_in_any_time_zone_hashes_the_same():
    utc = EVENT["at"].astimezone(datetime.UTC)
    assert event_hash(key=KEY, **{**EVENT, "at": utc}) == event_hash(key=KEY, **EVENT)
    later = EVENT["at"] + datetime.timedelta(microseconds=1)
    assert event_hash(key=KEY, **{**EVENT, "at": later}) != event_hash(key=KEY, **EVENT)


def test_every_field_is_covered_by_the_hash():
    original = event_hash(key=KEY, **EVENT)
    changes = {
        "actor_id": 8,
        "agency_id": 1,
        "action": "update",
        "object_type": "people.personofconcern",
        "object_id": "43",
        "changed_fields": ["known_as"],
        "purpose": "",
        "request_id": "",
        "prev_hash": "1" * 64,
    }
    for field, value in changes.items():
        assert event_hash(key=KEY, **{**EVENT, field: value}) != original, field


def _mixed_writes(practitioner):
    """Writes of every kind the app makes: services, views, searches, anonymous, share log."""
    agency_create(actor=None, name="Eastbridge Youth Service", sector="youth_service")
    people = [YoungPersonFactory(created_by_agency=practitioner.agency) for _ in range(3)]
    audit_record(actor=practitioner, action="view", obj=people[0])
    audit_record(
        actor=practitioner, action="update", obj=people[1], changed_fields=["strengths", "gender"]
    )
    audit_record_many(actor=practitioner, action="search", objs=people, purpose="API search")
    audit_record_many(actor=practitioner, action="search", objs=[], purpose="nothing found")
    audit_record(actor=None, action="create", object_type="demo.town", object_id="seed=1")
    audit_record(actor=practitioner, action="view", obj=PlaceFactory(), purpose="Ünïcode ✓")
    share_record(
        actor=practitioner,
        objs=people[:2],
        recipient_organisation="Eastbridge Police",
        purpose="Strategy meeting",
        lawful_basis=LawfulBasis.SAFEGUARDING,
    )


def test_the_chain_verifies_after_a_mix_of_writes(practitioner):
    _mixed_writes(practitioner)
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 9
    report = audit_chain_verify(chunk_size=3)  # several chunks
    assert report.intact, report.broken
    assert report.checked == len(events)
    assert report.head_hash == events[-1].hash
    assert events[0].prev_hash == GENESIS_HASH
    assert {e.hash_version for e in events} == {2}
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash


def test_stored_times_read_back_exactly_as_hashed(practitioner):
    event = audit_record(actor=practitioner, action="view", obj=practitioner.agency)
    stored = AuditEvent.objects.values_list("at", flat=True).get(pk=event.pk)
    assert stored == event.at
    assert stored.microsecond == event.at.microsecond


def test_an_empty_log_is_intact():
    report = audit_chain_verify()
    assert report.intact and report.checked == 0 and report.head_hash == GENESIS_HASH


@pytest.fixture
def chain(practitioner):
    _mixed_writes(practitioner)
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def test_altering_one_field_of_one_row_names_that_row(chain):
    target = chain[4]
    tamper(f"UPDATE {TABLE} SET purpose = %s WHERE id = %s", ["Nothing to see", target])  # noqa: S608
    report = audit_chain_verify()
    assert report.broken is not None
    assert report.broken.event_id == target
    assert report.broken.kind == "altered"
    assert report.checked == 4


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_id", None),
        ("object_id", "999"),
        ("action", "create"),
        ("changed_fields", '{"known_as": "Ty"}'),
        ("at", "2020-01-01 00:00:00"),
        ("hash_version", 1),
    ],
)
def test_altering_any_column_is_detected(chain, column, value):
    target = chain[3]
    tamper(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, target])  # noqa: S608
    report = audit_chain_verify()
    assert not report.intact
    assert report.broken.event_id == target


def test_deleting_a_row_is_detected_at_the_next(chain):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [chain[5]])  # noqa: S608
    report = audit_chain_verify()
    assert report.broken is not None
    assert report.broken.event_id == chain[6]
    assert report.broken.kind == "relinked"
    assert f"event {chain[4]}" in report.broken.detail


def test_deleting_the_first_row_is_detected(chain):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [chain[0]])  # noqa: S608
    report = audit_chain_verify()
    assert report.broken is not None and report.broken.event_id == chain[1]
    assert "start of the chain" in report.broken.detail


def test_altering_a_row_and_recomputing_its_hash_without_the_key_is_detected(chain):
    target = chain[2]
    row = AuditEvent.objects.get(pk=target)
    forged = event_hash(
        key=b"a key that is not the audit key",
        at=row.at,
        actor_id=row.actor_id,
        agency_id=row.agency_id,
        action=row.action,
        object_type=row.object_type,
        object_id="1",
        changed_fields=row.changed_fields,
        purpose=row.purpose,
        request_id=row.request_id,
        prev_hash=row.prev_hash,
    )
    tamper(f"UPDATE {TABLE} SET object_id = '1', hash = %s WHERE id = %s", [forged, target])  # noqa: S608
    report = audit_chain_verify()
    assert report.broken is not None
    assert report.broken.event_id == target
    assert report.broken.kind == "rehashed"
    assert "recomputed without the audit key" in report.broken.detail


def test_an_event_written_outside_the_services_breaks_the_chain(chain, practitioner):
    forged = AuditEvent.objects.create(
        actor=practitioner, action="view", object_type="x", prev_hash="f" * 64, hash="e" * 64
    )
    report = audit_chain_verify()
    assert report.broken is not None and report.broken.event_id == forged.pk


def test_the_chain_cannot_fork(chain):
    head = AuditEvent.objects.order_by("-id").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(
            action="view", object_type="x", prev_hash=head.prev_hash, hash="e" * 64
        )


def test_the_chain_continues_after_a_rolled_back_write(practitioner):
    audit_record(actor=practitioner, action="view", obj=practitioner.agency)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=practitioner, action="view", obj=practitioner.agency)
        raise RuntimeError
    audit_record(actor=practitioner, action="view", obj=practitioner.agency)
    report = audit_chain_verify()
    assert report.intact and report.checked == 2


def test_json_round_trip_keeps_changed_fields_a_list(practitioner):
    event = audit_record(
        actor=practitioner, action="update", obj=practitioner, changed_fields=["b", "a"]
    )
    stored = AuditEvent.objects.values_list("changed_fields", flat=True).get(pk=event.pk)
    assert stored == ["a", "b"]
    assert json.loads(canonical_form(version=2, **{**EVENT, "changed_fields": stored}))[
        "changed_fields"
    ] == [
        "a",
        "b",
    ]


def test_the_postgresql_chain_function_uses_the_services_lock_key():
    import importlib

    migration = importlib.import_module("waymark.audit.migrations.0004_chain_head_function")
    assert migration.LOCK == AUDIT_CHAIN_LOCK
    assert f"pg_advisory_xact_lock({AUDIT_CHAIN_LOCK})" in migration.CREATE
