import datetime

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from waymark.accounts.models import Agency
from waymark.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by UserFactory


@pytest.fixture
def api():
    return APIClient()


def issue(user) -> dict:
    response = APIClient().post(
        "/api/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def signed(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_is_issued_for_the_right_password_and_signs_requests_in(practitioner, settings):
    before = timezone.now()
    answer = issue(practitioner)
    expiry = parse_datetime(answer["expiry"])
    ttl = datetime.timedelta(hours=settings.WAYMARK_API_TOKEN_TTL_HOURS)
    assert before + ttl <= expiry <= timezone.now() + ttl
    assert AuthToken.objects.filter(user=practitioner).count() == 1

    fresh = signed(answer["token"])
    assert fresh.get("/api/young-people/").status_code == 200
    assert fresh.get("/api/agencies/").status_code == 200


def test_the_database_holds_a_digest_of_the_token_which_does_not_sign_in(practitioner):
    token = issue(practitioner)["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert token not in [str(value) for value in rows[0]]
    digest = AuthToken.objects.get().digest
    assert signed(digest).get("/api/agencies/").status_code in (401, 403)
    assert signed(token).get("/api/agencies/").status_code == 200


def test_an_expired_token_is_refused(practitioner):
    token = issue(practitioner)["token"]
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert signed(token).get("/api/agencies/").status_code in (401, 403)


def test_a_token_revokes_itself_and_only_itself(practitioner):
    first, second = issue(practitioner)["token"], issue(practitioner)["token"]
    assert signed(first).post("/api/token/revoke/").status_code == 204
    assert signed(first).get("/api/agencies/").status_code in (401, 403)
    assert signed(second).get("/api/agencies/").status_code == 200


def test_revoking_all_ends_every_token_of_the_user_and_no_one_elses(practitioner, outsider):
    first, second = issue(practitioner)["token"], issue(practitioner)["token"]
    theirs = issue(outsider)["token"]
    assert signed(first).post("/api/token/revoke-all/").status_code == 204
    assert signed(second).get("/api/agencies/").status_code in (401, 403)
    assert signed(theirs).get("/api/agencies/").status_code == 200


def test_a_signed_in_session_can_revoke_all_but_not_a_token_it_does_not_hold(api, practitioner):
    token = issue(practitioner)["token"]
    api.force_login(practitioner)
    assert api.post("/api/token/revoke/").status_code in (401, 403)
    assert signed(token).get("/api/agencies/").status_code == 200
    assert api.post("/api/token/revoke-all/").status_code == 204
    assert signed(token).get("/api/agencies/").status_code in (401, 403)


def test_issue_and_revocation_are_audited_by_digest_never_by_token(practitioner):
    token = issue(practitioner)["token"]
    digest = AuthToken.objects.get().digest
    assert signed(token).post("/api/token/revoke/").status_code == 204
    events = AuditEvent.objects.filter(actor=practitioner, object_type="knox.authtoken")
    assert list(events.order_by("id").values_list("action", "object_id")) == [
        ("token_issued", digest[:16]),
        ("token_revoked", digest[:16]),
    ]
    for event in events:
        assert token[:8] not in f"{event.object_id} {event.purpose} {event.changed_fields}"


# A refusal from the token view marks the enclosing transaction for rollback (see below).
@pytest.mark.django_db(transaction=True)
def test_a_user_holds_only_a_few_live_tokens(practitioner, settings):
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    for _ in range(limit):
        issue(practitioner)
    refused = APIClient().post(
        "/api/token/", {"username": practitioner.username, "password": PASSWORD}, format="json"
    )
    assert refused.status_code == 403
    assert "revoke" in refused.json()["detail"].lower()
    assert AuthToken.objects.filter(user=practitioner).count() == limit
    # An expired token no longer counts.
    AuthToken.objects.filter(pk=AuthToken.objects.first().pk).update(
        expiry=timezone.now() - datetime.timedelta(minutes=1)
    )
    issue(practitioner)


# The token view runs outside the request transaction (so a lockout counts failures); a refused
# request would otherwise mark the test's own transaction for rollback.
@pytest.mark.django_db(transaction=True)
def test_no_token_for_the_wrong_password(api, practitioner):
    response = api.post(
        "/api/token/", {"username": practitioner.username, "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert not AuthToken.objects.exists()
    assert not AuditEvent.objects.filter(action="token_issued").exists()


def test_the_token_endpoint_only_takes_post(api, practitioner):
    assert api.get("/api/token/").status_code == 405


def test_a_made_up_token_is_refused(api, practitioner):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0123456789abcdef" * 4)
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
