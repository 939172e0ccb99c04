"""`waymark cases overdue`: overdue reviews and actions by agency, as text, CSV or JSON."""

import csv
import datetime
import io
import json

import pytest
from django.utils import timezone

from waymark.casework.tests.factories import (
    ActionFactory,
    ContextPlanFactory,
    OpenCaseFactory,
    PartnerFactory,
)
from waymark.cli import main

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def overdue():
    late = OpenCaseFactory(next_review_on=YESTERDAY, lead_agency__name="Eastbridge Social Care")
    OpenCaseFactory(next_review_on=TODAY)
    partner = PartnerFactory(name="Riverside Taxis", agency__name="Eastbridge Licensing")
    action = ActionFactory(
        goal__plan=ContextPlanFactory(case=late),
        owner_kind="partner",
        owner_agency=None,
        owner_partner=partner,
        due_on=YESTERDAY,
        description="Drivers trained to spot the warning signs",
    )
    return late, action


def test_text_lists_each_agency_with_its_overdue_items(overdue, capsys):
    late, action = overdue
    assert main(["cases", "overdue"]) == 0
    out = capsys.readouterr().out
    assert "Eastbridge Licensing\n  Action due" in out and "Riverside Taxis" in out
    assert f"Review due {YESTERDAY.isoformat()}, {late.reference}" in out


def test_csv_and_json_carry_the_same_rows(overdue, capsys):
    assert main(["cases", "overdue", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {(r["agency"], r["kind"]) for r in rows} == {
        ("Eastbridge Social Care", "review"),
        ("Eastbridge Licensing", "action"),
    }
    assert main(["cases", "overdue", "--format", "json", "--agency", "eastbridge licensing"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in found] == ["action"]


def test_nothing_overdue_still_exits_0(db, capsys):
    assert main(["cases", "overdue"]) == 0
    assert "Nothing overdue" in capsys.readouterr().out


def test_an_unknown_agency_is_a_usage_error(db, capsys):
    assert main(["cases", "overdue", "--agency", "Nowhere"]) == 2
    assert "no agency is called 'Nowhere'" in capsys.readouterr().err


def test_csv_quotes_text_a_spreadsheet_would_run(overdue, capsys):
    _, action = overdue
    action.description = '=HYPERLINK("http://example.test","Open")'
    action.save(update_fields=["description"])
    assert main(["cases", "overdue", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["description"] for r in rows if r["kind"] == "action"] == [f"'{action.description}"]
