import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from waymark.accounts.models import Agency

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by UserFactory


@pytest.fixture
def api():
    return APIClient()


def test_a_token_is_issued_for_the_right_password_and_signs_requests_in(api, practitioner):
    response = api.post(
        "/api/token/", {"username": practitioner.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=practitioner).key == token

    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert fresh.get("/api/young-people/").status_code == 200
    assert fresh.get("/api/agencies/").status_code == 200


# The token view runs outside the request transaction (so a lockout counts failures); a refused
# request would otherwise mark the test's own transaction for rollback.
@pytest.mark.django_db(transaction=True)
def test_no_token_for_the_wrong_password(api, practitioner):
    response = api.post(
        "/api/token/", {"username": practitioner.username, "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_the_token_endpoint_only_takes_post(api, practitioner):
    assert api.get("/api/token/").status_code == 405


def test_a_made_up_token_is_refused(api, practitioner):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert api.get("/api/agencies/").status_code in (401, 403)


def test_agencies_are_listed_and_read(api, practitioner, other_agency):
    api.force_login(practitioner)
    response = api.get("/api/agencies/")
    assert response.status_code == 200
    names = [a["name"] for a in response.json()["results"]]
    assert names == ["Eastbridge Children's Services", "Eastbridge Police"]
    detail = api.get(f"/api/agencies/{other_agency.pk}/")
    assert detail.json() == {"id": other_agency.pk, "name": "Eastbridge Police", "sector": "police"}


def test_agencies_are_read_only(api, practitioner):
    api.force_login(practitioner)
    response = api.post("/api/agencies/", {"name": "New", "sector": "police"}, format="json")
    # Refused before the method is looked at: no action means no permission.
    assert response.status_code in (403, 405)
    assert not Agency.objects.filter(name="New").exists()
