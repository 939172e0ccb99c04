"""django-axes: five wrong passwords for a username from one address lock it there; twenty from
any addresses lock it everywhere (ADR 0005)."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from waymark.accounts.lockout import client_ip
from waymark.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by UserFactory


def attempt(client, user, password: str, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": password}, **extra)


def test_five_wrong_passwords_lock_out_even_the_right_one(client, practitioner):
    for _ in range(4):
        response = attempt(client, practitioner, "wrong-password")
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    response = attempt(client, practitioner, "wrong-password")
    assert response.status_code == 429

    response = attempt(client, practitioner, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "You cannot sign in for 30 minutes" in html
    assert 'class="govuk-heading-l"' in html
    assert "_auth_user_id" not in client.session

    # The lock is on this username from this address: another address may still sign in.
    assert attempt(client, practitioner, PASSWORD, REMOTE_ADDR="192.0.2.9").status_code == 302


def test_guesses_spread_over_many_addresses_lock_the_username_everywhere(
    client, practitioner, settings
):
    settings.WAYMARK_LOCKOUT_USERNAME_LIMIT = 8
    for n in range(8):
        attempt(client, practitioner, "wrong-password", REMOTE_ADDR=f"198.51.100.{n}")
    # A fresh address, with the right password: still refused, and the lockout is audited.
    response = attempt(client, practitioner, PASSWORD, REMOTE_ADDR="203.0.113.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="locked_out", object_id=str(practitioner.pk)).exists()


def test_a_right_password_before_the_limit_signs_in_and_clears_the_count(client, practitioner):
    for _ in range(4):
        attempt(client, practitioner, "wrong-password")
    assert attempt(client, practitioner, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=practitioner.username).exists()


@pytest.mark.django_db(transaction=True)  # DRF rolls back a refused request's transaction
def test_a_locked_out_user_gets_no_api_token(practitioner):
    api = APIClient()
    for _ in range(5):
        api.post(
            "/api/token/", {"username": practitioner.username, "password": "nope"}, format="json"
        )
    response = api.post(
        "/api/token/", {"username": practitioner.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    # The audit of each failure outlived the refusal of its request.
    failed = AuditEvent.objects.filter(action="sign_in_failed", object_id=str(practitioner.pk))
    assert failed.count() == 6
    assert AuditEvent.objects.filter(action="locked_out", object_id=str(practitioner.pk)).exists()


def test_the_client_address_is_the_one_the_trusted_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7"
    )
    settings.WAYMARK_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    # One proxy: the last entry is what it received; the first could be forged by the client.
    settings.WAYMARK_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"
    settings.WAYMARK_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.1"
