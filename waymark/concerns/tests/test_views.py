import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.tests.factories import AgencyFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.models import Association, Concern
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_young_people(practitioner):
    return (
        YoungPersonFactory(created_by_agency=practitioner.agency),
        YoungPersonFactory(created_by_agency=practitioner.agency),
    )


def answers(at, people, **overrides):
    when = overrides.pop("when", timezone.localdate() - datetime.timedelta(days=2))
    data = {
        "occurred_on_day": str(when.day),
        "occurred_on_month": str(when.month),
        "occurred_on_year": str(when.year),
        "occurred_time": "21:30",
        "place": str(at.pk) if at else "",
        "categories": ["cce"],
        "indicators": ["cce:cash", "cse:gifts"],
        "narrative": "Both seen getting into a silver car outside the station after dark.",
        "source_evaluation": "1",
        "information_assessment": "A",
        "handling_code": "P",
        "link_kind": "friend",
        "link_reliability": "tentative",
    }
    for i, person in enumerate(people, start=1):
        data[f"yp_{i}"] = person.reference.lower()
        data[f"yp_role_{i}"] = "at_risk"
    data.update(overrides)
    return data


def test_record_concern_check_answers_then_save(client, practitioner, two_young_people):
    a, b = two_young_people
    place = PlaceFactory(name="Eastbridge Bus Station")
    client.force_login(practitioner)
    response = client.post(reverse("concern-new"), answers(place, [a, b]))
    assert response.status_code == 302 and response.url == reverse("concern-check")
    assert Concern.objects.count() == 0  # nothing saved until the answers are checked
    check = client.get(reverse("concern-check"))
    assert b"Check your answers" in check.content
    assert a.full_name.encode() in check.content and b"Eastbridge Bus Station" in check.content
    done = client.post(reverse("concern-check"))
    concern = Concern.objects.get()
    assert done.url == reverse("concern-detail", args=[concern.reference])
    assert set(concern.categories) == {"cce", "cse"}  # an indicator implies its kind of harm
    link = Association.objects.get()
    assert link.kind == "friend" and link.reliability == "tentative"
    for person in (a, b):
        page = client.get(reverse("young-person-detail", args=[person.reference]))
        assert concern.reference.encode() in page.content
    place_page = client.get(reverse("place-detail", args=[place.pk]))
    assert concern.reference.encode() in place_page.content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"when": timezone.localdate() + datetime.timedelta(days=3)},
            b"The date it happened must be today or in the past",
        ),
        ({"place": ""}, b"Select the place where it happened, or say it had no fixed place"),
        ({"yp_1": "YP-00000"}, b"There is no young person with reference YP-00000"),
        ({"handling_code": "C"}, b"Enter the conditions on sharing this information"),
        ({"occurred_on_month": "13"}, b"Enter a real date"),
    ],
)
def test_bad_answers_show_error_summary_and_write_nothing(
    client, practitioner, two_young_people, change, message
):
    client.force_login(practitioner)
    place = PlaceFactory()
    events_before = AuditEvent.objects.count()
    response = client.post(reverse("concern-new"), answers(place, two_young_people, **change))
    assert response.status_code == 200
    assert b'class="govuk-error-summary"' in response.content
    assert message in response.content
    assert b"Error: Record a concern" in response.content
    assert Concern.objects.count() == 0
    assert Association.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_no_fixed_place_is_an_answer(client, practitioner, two_young_people):
    client.force_login(practitioner)
    client.post(reverse("concern-new"), answers(None, two_young_people, place="none"))
    client.post(reverse("concern-check"))
    assert Concern.objects.get().place is None


def test_check_page_without_answers_goes_back_to_the_form(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("concern-check")).url == reverse("concern-new")


def test_anonymous_user_is_sent_to_sign_in(client):
    response = client.get(reverse("concern-new"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_concern_of_another_agency_about_unknown_child_is_not_found(
    client, practitioner, outsider, two_young_people
):

    concern = concern_make(actor=practitioner, young_people=two_young_people, place=PlaceFactory())
    client.force_login(outsider)
    assert client.get(reverse("concern-detail", args=[concern.reference])).status_code == 404
    client.force_login(practitioner)
    assert client.get(reverse("concern-detail", args=[concern.reference])).status_code == 200
    assert (
        AuditEvent.objects.filter(
            action="view", object_type="concerns.concern", object_id=str(concern.pk)
        ).count()
        == 1
    )


def test_an_empty_form_lists_every_missing_answer_at_once(client, practitioner):
    client.force_login(practitioner)
    response = client.post(
        reverse("concern-new"), {"link_kind": "associate", "link_reliability": "unconfirmed"}
    )
    page = response.content.decode()
    for message in (
        "Enter the date it happened",
        "Select the place where it happened",
        "Enter what happened",
        "Select at least one kind of harm",
        "Select how reliable the source is",
        "Select whether the information can be shared",
    ):
        assert message in page
    assert Concern.objects.count() == 0


def test_a_c_concern_names_the_agencies_that_may_see_it(client, practitioner, two_young_people):
    school = AgencyFactory(name="Eastbridge Academy", sector="education")
    client.force_login(practitioner)
    form = client.get(reverse("concern-new")).content.decode()
    assert "Eastbridge Academy" in form
    client.post(
        reverse("concern-new"),
        answers(
            PlaceFactory(),
            two_young_people,
            handling_code="C",
            handling_conditions="School DSL only",
            handling_agencies=[str(school.pk)],
        ),
    )
    assert (
        "Seen only by your agency and Eastbridge Academy"
        in client.get(reverse("concern-check")).content.decode()
    )
    client.post(reverse("concern-check"))
    assert list(Concern.objects.get().handling_agencies.all()) == [school]
