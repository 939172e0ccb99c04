import json

import pytest

from waymark.audit.models import AuditEvent
from waymark.cli import main
from waymark.people.models import YoungPerson
from waymark.people.tests.factories import YoungPersonFactory
from waymark.records.models import LegalHold
from waymark.records.tests.factories import adult_young_person

pytestmark = pytest.mark.django_db


def test_review_lists_counts_and_references(agency, capsys):
    due = adult_young_person(created_by_agency=agency)
    YoungPersonFactory(created_by_agency=agency)
    assert main(["retention", "review"]) == 0
    out = capsys.readouterr().out
    assert "1 due" in out
    assert due.reference in out
    assert "Total: 1 due" in out


def test_dry_run_changes_nothing(agency, capsys):
    due = adult_young_person(created_by_agency=agency)
    events = AuditEvent.objects.count()
    assert main(["retention", "apply", "--dry-run"]) == 0
    assert "would be erased" in capsys.readouterr().out
    assert YoungPerson.objects.filter(pk=due.pk).exists()
    assert AuditEvent.objects.count() == events


def test_apply_erases_and_reports(agency, capsys):
    due = adult_young_person(created_by_agency=agency)
    assert main(["retention", "apply", "--batch-size", "10"]) == 0
    assert "Erased 1 records" in capsys.readouterr().out
    assert not YoungPerson.objects.filter(pk=due.pk).exists()


def test_apply_refuses_a_future_date_and_a_bad_date(capsys):
    assert main(["retention", "apply", "--as-of", "2999-01-01"]) == 2
    assert "after today" in capsys.readouterr().err
    assert main(["retention", "review", "--as-of", "31/01/2030"]) == 2


def test_hold_and_lift_from_the_command_line(agency, manager, practitioner, capsys):
    person = adult_young_person(created_by_agency=agency)
    args = ["retention", "hold", person.reference, "--reason", "Civil claim CL-2031-118"]
    assert main([*args, "--as", practitioner.username]) == 2
    assert main([*args, "--as", manager.username]) == 0
    hold = LegalHold.objects.get()
    assert main(["retention", "apply"]) == 0
    assert YoungPerson.objects.filter(pk=person.pk).exists()
    capsys.readouterr()
    lift = ["retention", "lift", str(hold.pk), "--as", manager.username, "--reason"]
    assert main([*lift, "Claim withdrawn in writing"]) == 0
    assert main(["retention", "apply"]) == 0
    assert not YoungPerson.objects.filter(pk=person.pk).exists()


def test_sar_writes_both_files(agency, manager, tmp_path, capsys):
    person = YoungPersonFactory(created_by_agency=agency, family_name="Okafor")
    code = main(["sar", person.reference, "--as", manager.username, "--out", str(tmp_path)])
    assert code == 0
    doc = json.loads((tmp_path / f"{person.reference}.json").read_text(encoding="utf-8"))
    assert doc["young_person"]["family_name"] == "Okafor"
    assert (tmp_path / f"{person.reference}.html").exists()
    assert "Before release" in capsys.readouterr().out


def test_sar_is_refused_without_the_permission(agency, practitioner, tmp_path, capsys):
    person = YoungPersonFactory(created_by_agency=agency)
    code = main(["sar", person.reference, "--as", practitioner.username, "--out", str(tmp_path)])
    assert code == 2
    assert "may not" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_sar_needs_a_known_user_and_the_as_option(agency, tmp_path, capsys):
    person = YoungPersonFactory(created_by_agency=agency)
    assert main(["sar", person.reference, "--out", str(tmp_path)]) == 2
    assert main(["sar", person.reference, "--as", "nobody", "--out", str(tmp_path)]) == 2
    assert "no active user" in capsys.readouterr().err
