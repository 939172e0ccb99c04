"""The partner pages: the register, a partner's page, its forms, its printable actions and CSV,
and refreshes of training on the dashboard of the agency that owns the relationship."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.casework.models import Partner, TrainingRecord
from waymark.core.csv_export import csv_cell

from .factories_partners import (
    PartnerContactFactory,
    PartnerFactory,
    TrainingRecordFactory,
    partner_action_make,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def partner(agency) -> Any:
    return PartnerFactory(agency=agency, name="Quay Hotel", kind="hotel")


def test_the_register_filters_by_kind_and_searches_by_name(client, practitioner, agency):
    PartnerFactory(agency=agency, name="Quay Hotel", kind="hotel")
    PartnerFactory(agency=agency, name="Quay Street Taxis", kind="taxi")
    PartnerFactory(agency=agency, name="Mill Lane Mosque", kind="faith_community")
    client.force_login(practitioner)
    body = client.get(reverse("partner-list"), {"q": "quay"}).content.decode()
    assert "Quay Hotel" in body and "Quay Street Taxis" in body and "Mill Lane" not in body
    body = client.get(reverse("partner-list"), {"q": "quay", "kind": "taxi"}).content.decode()
    assert "Quay Street Taxis" in body and "Quay Hotel" not in body


def test_add_a_partner(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("partner-new"), {"name": "Station Kebabs", "kind": "takeaway"})
    partner = Partner.objects.get()
    assert response.url == reverse("partner-detail", args=[partner.pk])
    assert partner.agency == practitioner.agency


def test_a_partners_page_shows_its_contacts_and_records_the_reading(client, practitioner, partner):
    contact: Any = PartnerContactFactory(partner=partner, name="Marguerite Fairweather")
    TrainingRecordFactory(
        partner=partner,
        delivered_on=TODAY - datetime.timedelta(days=400),
        refresh_due=TODAY - datetime.timedelta(days=3),
    )
    partner_action_make(partner=partner, description="Staff walk the car park at closing time")
    client.force_login(practitioner)
    body = client.get(reverse("partner-detail", args=[partner.pk])).content.decode()
    assert "Marguerite Fairweather" in body
    assert "Refresh overdue" in body
    assert "Staff walk the car park at closing time" in body
    assert AuditEvent.objects.filter(
        actor=practitioner,
        action="view",
        object_type="casework.partnercontact",
        object_id=str(contact.pk),
    ).exists()


def training_answers(delivered: datetime.date, refresh: datetime.date) -> dict[str, Any]:
    return {
        "course": "Exploitation awareness",
        "delivered_on_day": delivered.day,
        "delivered_on_month": delivered.month,
        "delivered_on_year": delivered.year,
        "number_trained": "5",
        "refresh_due_day": refresh.day,
        "refresh_due_month": refresh.month,
        "refresh_due_year": refresh.year,
    }


def test_training_whose_refresh_falls_before_it_is_refused_and_nothing_written(
    client, practitioner, partner
):
    client.force_login(practitioner)
    url = reverse("partner-training-new", args=[partner.pk])
    delivered = datetime.date(2026, 3, 7)
    events = AuditEvent.objects.filter(action="create").count()
    response = client.post(url, training_answers(delivered, datetime.date(2026, 3, 1)))
    assert response.status_code == 200
    assert "The refresh date must be after the training date, 7 March 2026" in (
        response.content.decode()
    )
    assert not TrainingRecord.objects.exists()
    assert AuditEvent.objects.filter(action="create").count() == events

    response = client.post(url, training_answers(delivered, datetime.date(2027, 3, 7)))
    assert response.url == reverse("partner-detail", args=[partner.pk])
    assert TrainingRecord.objects.get().refresh_due == datetime.date(2027, 3, 7)


def test_another_agency_may_not_keep_the_partners_records(client, outsider, partner):
    client.force_login(outsider)
    url = reverse("partner-training-new", args=[partner.pk])
    response = client.post(url, training_answers(TODAY, TODAY + datetime.timedelta(days=365)))
    assert response.status_code == 403
    assert not TrainingRecord.objects.exists()


def test_the_actions_page_prints_without_navigation(client, practitioner, partner):
    partner_action_make(partner=partner, description="Staff walk the car park at closing time")
    client.force_login(practitioner)
    body = client.get(reverse("partner-actions", args=[partner.pk])).content.decode()
    assert 'href="/static/waymark/print.css" media="print"' in body
    assert "Staff walk the car park at closing time" in body


def test_the_csv_has_the_pages_columns_and_no_formula_runs(client, practitioner, partner):
    action = partner_action_make(
        partner=partner,
        description='=HYPERLINK("http://example.com","Click")',
        outcome="+Young people feel safe at the taxi rank",
        due_on=datetime.date(2027, 1, 15),
    )
    client.force_login(practitioner)
    response = client.get(reverse("partner-actions-csv", args=[partner.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    case = action.goal.plan.case
    assert rows == [
        ["Case", "Context", "Goal", "Action", "Due", "Status"],
        [
            case.reference,
            case.subject_name,
            "'+Young people feel safe at the taxi rank",
            '\'=HYPERLINK("http://example.com","Click")',
            "2027-01-15",
            "Not started",
        ],
    ]
    assert AuditEvent.objects.filter(
        actor=practitioner, action="export", object_type="casework.partner"
    ).exists()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_quoted(start):
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell(f"a{start}") == f"a{start}"


def test_refreshes_due_show_on_the_owning_agencys_dashboard_only(
    client, practitioner, outsider, partner
):
    TrainingRecordFactory(
        partner=partner,
        course="Exploitation awareness for night porters",
        delivered_on=TODAY - datetime.timedelta(days=350),
        refresh_due=TODAY + datetime.timedelta(days=15),
    )
    client.force_login(practitioner)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Partner training due" in body
    assert "Exploitation awareness for night porters" in body
    assert "Refresh due soon" in body

    client.force_login(outsider)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Partner training due" not in body
    assert "night porters" not in body


def test_an_analyst_sees_the_partner_but_not_its_contacts(client, agency, partner):
    from waymark.accounts.models import Role
    from waymark.accounts.tests.factories import UserFactory

    PartnerContactFactory(partner=partner, name="Marguerite Fairweather")
    client.force_login(UserFactory(agency=agency, role=Role.ANALYST))
    body = client.get(reverse("partner-detail", args=[partner.pk])).content.decode()
    assert "Quay Hotel" in body
    assert "Marguerite Fairweather" not in body and "Contacts" not in body
    assert not AuditEvent.objects.filter(object_type="casework.partnercontact").exists()
