"""PostgreSQL only: the trigger that makes audit events append-only, and concurrent writers."""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.audit.models import AuditEvent
from waymark.audit.selectors import audit_chain_verify
from waymark.audit.services import audit_record, audit_record_many

from .helpers import TABLE

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


@pytest.fixture
def event(practitioner):
    return audit_record(actor=practitioner, action="view", obj=practitioner.agency)


def _refused(action) -> None:
    with pytest.raises(DatabaseError, match="audit events are append-only"), transaction.atomic():
        action()


@pytest.mark.django_db
def test_update_and_delete_of_an_audit_event_are_refused(event):
    def orm_save():
        event.purpose = "changed"
        event.save()

    _refused(orm_save)
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(purpose="changed"))
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(event.delete)

    def raw(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])

        return run

    _refused(raw(f"UPDATE {TABLE} SET purpose = 'changed' WHERE id = %s"))  # noqa: S608
    _refused(raw(f"DELETE FROM {TABLE} WHERE id = %s"))  # noqa: S608
    event.refresh_from_db()
    assert event.purpose == ""
    assert audit_chain_verify().intact


@pytest.mark.django_db
def test_the_refusal_is_a_privilege_error(event):
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert caught.value.__cause__.sqlstate == "42501"


@pytest.mark.django_db
def test_inserts_are_still_allowed(event, practitioner):
    audit_record_many(actor=practitioner, action="search", objs=[practitioner, practitioner.agency])
    assert AuditEvent.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    """Several connections write at once; the advisory lock keeps them on one line.

    It is a transactional test, so the suite's flush (a TRUNCATE) runs after it, with the
    trigger in place.
    """
    user = UserFactory(username="writer", agency=AgencyFactory(name="Eastbridge Police"))
    writers, per_writer = 6, 15
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    if i % 3 == 0:
                        audit_record_many(actor=user, action="search", objs=[user, user.agency])
                    else:
                        audit_record(actor=user, action="view", obj=user.agency)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    report = audit_chain_verify()
    assert report.intact, report.broken
    # each writer: 5 searches of 2 events and 10 views
    assert report.checked == AuditEvent.objects.count() == writers * (5 * 2 + 10)
