import pytest

from waymark.audit.models import AuditEvent
from waymark.audit.services import audit_record
from waymark.audit.tests.helpers import TABLE, tamper
from waymark.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(practitioner):
    for _ in range(5):
        audit_record(actor=practitioner, action="view", obj=practitioner.agency)
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def test_verify_reports_an_intact_chain_with_its_count(events, capsys):
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "intact: 5 events and 0 signed checkpoints checked" in out
    assert "No checkpoint has been signed yet" in out


def test_verify_on_an_empty_log_succeeds(capsys):
    assert main(["audit", "verify"]) == 0
    assert "empty" in capsys.readouterr().out


def test_verify_names_the_altered_row_and_exits_1(events, capsys):
    tamper(f"UPDATE {TABLE} SET object_type = 'people.personofconcern' WHERE id = %s", [events[2]])  # noqa: S608
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"event {events[2]} was altered: its fields do not match its HMAC" in err
    assert "2 events before it are intact" in err


def test_verify_names_the_row_after_a_deleted_one_and_exits_1(events, capsys):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[1]])  # noqa: S608
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"event {events[2]} does not follow event {events[0]}" in err
    assert "deleted or inserted" in err


def test_audit_without_a_subcommand_is_a_usage_error(capsys):
    assert main(["audit"]) == 2
