"""Need to know: involvements, break-glass, and who has seen a record."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.models import BreakGlass, Involvement
from waymark.people.selectors import young_person_list_visible_to
from waymark.people.services import break_glass_open, involvement_end, involvement_start
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_agency):
    return YoungPersonFactory(
        created_by_agency=other_agency, given_name="Zara", family_name="Quinlan"
    )


def test_another_agencys_young_person_is_refused_without_identifying_data(
    client, practitioner, theirs, other_agency
):
    client.force_login(practitioner)
    response = client.get(reverse("young-person-detail", args=[theirs.reference]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Quinlan" not in page and "Zara" not in page
    assert str(theirs.date_of_birth.year) not in page
    # Which agencies work with a child is itself sensitive: the page names none of them.
    assert other_agency.name.replace("'", "&#x27;") not in page
    assert "ask to be involved" in page
    assert client.get(reverse("young-person-detail", args=["YP-00000"])).status_code == 404


def test_search_shows_only_that_a_hidden_young_person_exists(
    client, practitioner, theirs, other_agency
):
    client.force_login(practitioner)
    page = client.post(reverse("search"), {"q": "Zara Quinlan"}).content.decode()
    assert theirs.reference in page
    assert "Quinlan" not in page.replace("Zara Quinlan", "")  # only the query itself
    assert "Young people known to other agencies" in page
    # Which agencies work with a child is itself sensitive, so search does not say.
    assert other_agency.name.replace("'", "&#x27;") not in page


def test_break_glass_needs_a_reason_then_opens_the_record_for_a_day(client, practitioner, theirs):
    client.force_login(practitioner)
    url = reverse("young-person-break-glass", args=[theirs.reference])
    refused = client.post(url, {"reason": "need it"})
    assert b"at least 10 characters" in refused.content
    assert BreakGlass.objects.count() == 0
    done = client.post(url, {"reason": "Zara is missing tonight; I need her known associates"})
    assert done.url == reverse("young-person-detail", args=[theirs.reference])
    access = BreakGlass.objects.get()
    assert access.expires_at - access.opened_at == datetime.timedelta(hours=24)
    assert client.get(done.url).status_code == 200
    assert AuditEvent.objects.filter(
        object_type="people.breakglass", purpose__startswith="Break-glass: Zara is missing"
    ).exists()
    # It lapses by itself.
    BreakGlass.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(done.url).status_code == 403


def test_break_glass_shows_on_the_access_page_and_the_managers_dashboard(
    client, practitioner, theirs, other_agency
):
    break_glass_open(
        actor=practitioner, young_person=theirs, reason="Missing overnight, urgent welfare check"
    )
    client.force_login(practitioner)
    client.get(reverse("young-person-detail", args=[theirs.reference]))
    manager = UserFactory(username="morgan.manager", agency=other_agency, role="manager")
    client.force_login(manager)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Records opened without involvement" in dashboard
    assert "Missing overnight, urgent welfare check" in dashboard
    page = client.get(reverse("young-person-access", args=[theirs.reference])).content.decode()
    assert "Break-glass" in page
    assert escape(str(practitioner)) in page  # a name such as O'Sullivan is HTML-escaped
    # A practitioner may not read the access log.
    client.force_login(UserFactory(username="p2", agency=other_agency, role="practitioner"))
    assert client.get(reverse("young-person-access", args=[theirs.reference])).status_code == 403


def test_recording_a_concern_does_not_involve_the_agency_and_ending_access_ends_it(
    practitioner, theirs
):
    concern_make(actor=practitioner, young_people=[theirs], place=PlaceFactory())
    assert not Involvement.objects.filter(agency=practitioner.agency, young_person=theirs).exists()
    assert not young_person_list_visible_to(user=practitioner).filter(pk=theirs.pk).exists()
    involvement = involvement_start(
        actor=practitioner,
        agency=practitioner.agency,
        young_person=theirs,
        source="manager",
        purpose="Joint work",
    )
    assert young_person_list_visible_to(user=practitioner).filter(pk=theirs.pk).exists()
    with pytest.raises(ValidationError):
        involvement_end(actor=practitioner, involvement=involvement, reason=" ")
    involvement_end(actor=practitioner, involvement=involvement, reason="Case closed")
    # Ending takes effect from tomorrow's start: the involvement is no longer active today.
    involvement.refresh_from_db()
    assert involvement.ended_on == timezone.localdate()
    assert not young_person_list_visible_to(user=practitioner).filter(pk=theirs.pk).exists()
