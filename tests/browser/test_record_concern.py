"""A practitioner signs in and records a concern about two young people at a place."""

import datetime
import re

import pytest
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.models import Association, Concern
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import PersonOfConcernFactory, YoungPersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def town():
    agency = AgencyFactory(name="Eastbridge Children's Services")
    user = UserFactory(
        username="sam", first_name="Sam", last_name="Okoye", agency=agency, role=Role.PRACTITIONER
    )
    maya = YoungPersonFactory(
        given_name="Maya",
        family_name="Bennett",
        known_as="May",
        created_by_agency=agency,
        strengths="Captain of the netball team. Trusts Dan, her youth worker, and her nan.",
        own_words="I like the youth club. I don't like waiting at the bus station after dark.",
    )
    leo = YoungPersonFactory(given_name="Leo", family_name="Carter", created_by_agency=agency)
    station = PlaceFactory(name="Eastbridge Bus Station", kind="transport", postcode="EB1 1AA")
    park = PlaceFactory(name="Mill Lane Park", kind="park", postcode="EB2 3DL")
    poc = PersonOfConcernFactory(nicknames="Ty", description="Drives a silver hatchback")
    earlier = timezone.localdate() - datetime.timedelta(days=40)
    concern_make(
        actor=user,
        young_people=[maya],
        place=park,
        persons_of_concern=[poc],
        occurred_on=earlier,
        risks={"cse": ["gifts", "transported"]},
        narrative="Maya said an older man called Ty gave her a new phone and lifts home.",
    )
    return {"user": user, "maya": maya, "leo": leo, "station": station}


def test_practitioner_records_a_concern_about_two_young_people_at_a_place(
    live_server, page, axe_check, screenshot_dir, town
):
    maya, leo, station = town["maya"], town["leo"], town["station"]
    page.goto(f"{live_server.url}/")
    assert "/sign-in/" in page.url
    axe_check(page)
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your dashboard").wait_for()
    axe_check(page)

    page.get_by_role("link", name="Record a concern").first.click()
    page.get_by_role("heading", name=re.compile("What happened")).wait_for()
    axe_check(page)

    # First try without a place: the form says what is wrong, and nothing is written.
    when = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("What time did it happen? (optional)").fill("21:40")
    page.get_by_label("Young person 1: reference").fill(maya.reference)
    page.get_by_label("Young person 2: reference").fill(leo.reference.lower())
    page.get_by_label("Child criminal exploitation or county lines").check()
    page.get_by_label("What happened?").fill(
        "Both were seen getting into a silver car at the bus station late at night. "
        "Leo said they were 'going to do a job' for someone."
    )
    page.get_by_label("2: Untested source").check()
    page.get_by_label("B: Known indirectly to the source but corroborated").check()
    page.get_by_label("P: Lawful sharing permitted", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Select the place where it happened" in summary.inner_text()
    axe_check(page)
    assert Concern.objects.filter(place=station).count() == 0

    page.get_by_label("Where did it happen?").select_option(label="Eastbridge Bus Station, EB1 1AA")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers before recording the concern").wait_for()
    axe_check(page)
    assert "Eastbridge Bus Station" in page.content()
    page.get_by_role("button", name="Record concern").click()

    banner = page.locator(".govuk-notification-banner--success")
    banner.wait_for()
    concern = Concern.objects.get(place=station)
    assert concern.reference in banner.inner_text()
    axe_check(page)

    assert Association.objects.filter(
        young_person_id=min(maya.pk, leo.pk), other_young_person_id=max(maya.pk, leo.pk)
    ).exists()

    for person in (leo, maya):
        page.goto(f"{live_server.url}/young-people/{person.reference}/")
        chronology = page.locator("#chronology + .wm-table-wrap table")
        assert concern.reference in chronology.inner_text()
        axe_check(page)
    # Maya's page is the one the README shows.
    assert "Captain of the netball team" in page.locator(".wm-card--strengths").inner_text()
    page.screenshot(path=str(screenshot_dir / "young-person.png"), full_page=True)

    page.goto(f"{live_server.url}/places/{station.pk}/")
    assert concern.reference in page.content()
    # One concern about two young people: published as "fewer than 5", never as 1 or 2.
    glance = page.locator(".wm-card").inner_text()
    assert "Fewer than 5" in glance and "2" not in glance
    axe_check(page)

    # Search posts its words, so they never appear in the address.
    page.goto(f"{live_server.url}/search/")
    page.fill("#q", "bus station")
    page.locator("form[role=search] button").click()
    page.wait_for_load_state()
    assert "Eastbridge Bus Station" in page.content()
    assert page.url == f"{live_server.url}/search/"
    axe_check(page)
    # The other forms a practitioner uses, empty and then with their errors shown.
    for path, button in (
        ("/young-people/new/", "Add young person"),
        ("/persons-of-concern/new/", "Add person of concern"),
        ("/places/new/", "Add place"),
    ):
        page.goto(f"{live_server.url}{path}")
        axe_check(page)
        page.get_by_role("button", name=button).click()
        page.locator(".govuk-error-summary").wait_for()
        axe_check(page)
    assert len(axe_check.checked) >= 16
