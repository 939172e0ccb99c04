"""Search by reference, name, name and date of birth, or place."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory
from waymark.web.search import RESULTS_SHOWN

pytestmark = pytest.mark.django_db


def test_search_finds_by_reference_name_and_place(client, practitioner):
    person = YoungPersonFactory(
        created_by_agency=practitioner.agency, given_name="Tariq", family_name="Hussain"
    )
    PlaceFactory(name="Eastbridge Bus Station")
    client.force_login(practitioner)
    for q in (person.reference, "Tariq Hussain", "hussain"):
        assert person.reference.encode() in client.post(reverse("search"), {"q": q}).content
    assert b"Eastbridge Bus Station" in client.post(reverse("search"), {"q": "bus station"}).content


def test_search_says_when_a_list_is_cut(client, practitioner):
    place = PlaceFactory(name="Eastbridge Bus Station")
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    for _ in range(RESULTS_SHOWN + 1):
        concern_make(actor=practitioner, young_people=[person], place=place)
    client.force_login(practitioner)
    page = client.post(reverse("search"), {"q": "bus station"}).content.decode()
    assert f"More than {RESULTS_SHOWN + 1} results" in page
    assert f"Each list shows the first {RESULTS_SHOWN}" in page


def test_search_by_name_and_date_of_birth(client, practitioner):
    person = YoungPersonFactory(
        created_by_agency=practitioner.agency,
        given_name="Amara",
        family_name="Osei",
        date_of_birth=datetime.date(2011, 7, 14),
    )
    namesake = YoungPersonFactory(
        created_by_agency=practitioner.agency,
        given_name="Amara",
        family_name="Osei",
        date_of_birth=datetime.date(2012, 1, 2),
    )
    client.force_login(practitioner)
    page = client.post(reverse("search"), {"q": "amara osei 14/07/2011"}).content.decode()
    assert person.reference in page
    assert namesake.reference not in page
    both = client.post(reverse("search"), {"q": "Amara Osei"}).content.decode()
    assert person.reference in both and namesake.reference in both


# No personal data in a URL.


def test_the_search_form_posts_and_a_get_with_a_name_does_not_search(client, practitioner):
    YoungPersonFactory(
        created_by_agency=practitioner.agency, given_name="Ottoline", family_name="Pemberwick"
    )
    client.force_login(practitioner)
    page = client.get(reverse("search"), {"q": "Ottoline Pemberwick"})
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<form method="post" action="/search/" role="search"', html)
    assert 'name="csrfmiddlewaretoken"' in html
    # The words in the address are neither searched for nor echoed back.
    assert "Pemberwick" not in html
    assert not AuditEvent.objects.filter(action="search").exists()
    # The answer to a POST is a page, not a redirect to an address carrying the words.
    posted = client.post(reverse("search"), {"q": "Ottoline Pemberwick"})
    assert posted.status_code == 200
    assert "Pemberwick" in posted.content.decode()


def test_the_search_form_checks_its_input(client, practitioner):
    client.force_login(practitioner)
    empty = client.post(reverse("search"), {"q": "  "})
    assert empty.status_code == 400
    assert "Enter a reference, a name or a place" in empty.content.decode()
    long = client.post(reverse("search"), {"q": "x" * 101})
    assert long.status_code == 400
    assert "100 characters or fewer" in long.content.decode()


def test_the_search_form_needs_its_csrf_token(practitioner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    assert client.post(reverse("search"), {"q": "bus station"}).status_code == 403


# Known elsewhere: only that a young person exists, only to those who record about children.


@pytest.fixture
def hidden(other_agency):
    """A child known only to the other agency, with a name nobody else has."""
    return YoungPersonFactory(
        created_by_agency=other_agency,
        given_name="Wilhelmina",
        family_name="Thistlewaite",
        date_of_birth=datetime.date(2011, 3, 9),
    )


def test_known_elsewhere_says_only_that_a_child_exists_never_which_agency(
    client, practitioner, hidden, other_agency
):
    client.force_login(practitioner)
    page = client.post(reverse("search"), {"q": "Wilhelmina Thistlewaite"}).content.decode()
    assert "Young people known to other agencies" in page
    assert hidden.reference in page
    assert escape(other_agency.name) not in page and "Police" not in page
    assert "09/03/2011" not in page and "9 Mar 2011" not in page
    event = AuditEvent.objects.get(action="search", object_id=str(hidden.pk))
    assert event.actor == practitioner
    assert "Wilhelmina" not in event.purpose and "Thistlewaite" not in event.purpose


def test_known_elsewhere_never_matches_a_date_of_birth(client, practitioner, hidden):
    """Trying each day in turn must not find a hidden child's date of birth: the answer is the
    same whichever date is typed, and the date is never used."""
    client.force_login(practitioner)

    def answer(q: str) -> str:
        page = client.post(reverse("search"), {"q": q}).content.decode()
        results = page[page.index('<h2 class="govuk-heading-m">') : page.index("</main>")]
        return results.replace(escape(q), "")

    right = answer("Wilhelmina Thistlewaite 09/03/2011")
    assert hidden.reference in right
    for wrong in ("10/03/2011", "09/03/2012", "2010-01-01"):
        assert answer(f"Wilhelmina Thistlewaite {wrong}") == right


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_roles_that_do_not_record_about_children_get_no_known_elsewhere_answer(
    client, agency, hidden, role
):
    user = UserFactory(agency=agency, role=role)
    client.force_login(user)
    page = client.post(reverse("search"), {"q": hidden.reference}).content.decode()
    assert "Young people known to other agencies" not in page
    assert not AuditEvent.objects.filter(
        object_type="people.youngperson", object_id=str(hidden.pk)
    ).exists()


def test_a_known_elsewhere_check_that_finds_nobody_is_audited_too(client, practitioner):
    client.force_login(practitioner)
    client.post(reverse("search"), {"q": "Nobody Atall"})
    event = AuditEvent.objects.get(action="search", purpose__endswith="none found")
    assert event.actor == practitioner and "Atall" not in event.purpose


# Throttling: repeated searches get a clear 429.


@pytest.fixture
def rates(settings):
    """Tight rate limits, in a cache emptied before and after."""

    def set_rates(**scopes: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "anon": None,
                "user": None,
                "search": None,
                "known_elsewhere": None,
                **scopes,
            },
        }

    cache.clear()
    yield set_rates
    cache.clear()


def test_repeated_web_searches_get_the_too_many_searches_page(client, practitioner, rates):
    rates(search="3/hour")
    client.force_login(practitioner)
    for _ in range(3):
        assert client.post(reverse("search"), {"q": "bus station"}).status_code == 200
    refused = client.post(reverse("search"), {"q": "bus station"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 3500
    page = refused.content.decode()
    assert "Too many searches: try again in 60 minutes" in page
    assert 'class="govuk-heading-l"' in page
    # A GET of the empty form is not a search, and is not counted.
    assert client.get(reverse("search")).status_code == 200
    # Another user has their own allowance.
    other = UserFactory(agency=practitioner.agency, role=Role.PRACTITIONER)
    client.force_login(other)
    assert client.post(reverse("search"), {"q": "bus station"}).status_code == 200


def test_repeated_api_searches_get_a_json_429_and_share_the_web_allowance(
    client, api, practitioner, rates
):
    rates(search="3/hour")
    client.force_login(practitioner)
    assert client.post(reverse("search"), {"q": "bus station"}).status_code == 200
    for _ in range(2):
        response = api.post("/api/young-people/search/", {"q": "Jordan"}, format="json")
        assert response.status_code == 200
    refused = api.post("/api/persons-of-concern/search/", {"q": "Jordan"}, format="json")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["detail"].startswith("Too many searches.")
    assert int(refused["Retry-After"]) > 3500


def test_the_known_elsewhere_check_has_a_tighter_limit_of_its_own(
    client, practitioner, hidden, rates
):
    rates(search="10/hour", known_elsewhere="1/hour")
    client.force_login(practitioner)
    first = client.post(reverse("search"), {"q": "Wilhelmina Thistlewaite"}).content.decode()
    assert hidden.reference in first
    second = client.post(reverse("search"), {"q": "Wilhelmina Thistlewaite"})
    assert second.status_code == 200
    assert hidden.reference not in second.content.decode()
    assert "this search did not check" in second.content.decode()
    # One word is not a full name, so it asks nothing about other agencies' children.
    assert (
        "this search did not check"
        not in client.post(reverse("search"), {"q": "arcade"}).content.decode()
    )


def test_the_api_is_throttled_for_users_and_anonymous_clients(api, rates):
    rates(user="2/min", anon="1/min")
    assert api.get("/api/places/").status_code == 200
    assert api.get("/api/places/").status_code == 200
    refused = api.get("/api/young-people/")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Request was throttled")
    UserFactory(username="kim", password="correct-horse-battery")
    anonymous = APIClient()
    sign_in = {"username": "kim", "password": "correct-horse-battery"}
    assert anonymous.post("/api/token/", sign_in).status_code == 200
    refused = anonymous.post("/api/token/", sign_in)
    assert refused.status_code == 429 and "Retry-After" in refused
