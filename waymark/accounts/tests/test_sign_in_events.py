"""Signing in, failing to, signing out and being locked out are in the audit trail."""

import pytest
from django.urls import reverse

from waymark.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by UserFactory


def attempt(client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_a_sign_in_and_a_sign_out_are_audited_against_the_user(client, practitioner):
    assert attempt(client, practitioner.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    events = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(practitioner.pk))
    assert list(events.order_by("id").values_list("action", "actor")) == [
        ("sign_in", practitioner.pk),
        ("sign_out", practitioner.pk),
    ]


def test_a_failed_sign_in_names_the_account_by_id_and_never_what_was_typed(client, practitioner):
    assert attempt(client, practitioner.username, "wrong-password").status_code == 200
    # Someone types their password into the username box.
    assert attempt(client, "Secret-Passw0rd!", PASSWORD).status_code == 200
    known, unknown = AuditEvent.objects.filter(action="sign_in_failed").order_by("id")
    assert (known.actor, known.object_type, known.object_id) == (
        None,
        "accounts.user",
        str(practitioner.pk),
    )
    assert (unknown.actor, unknown.object_id, unknown.purpose) == (None, "", "unknown username")
    for event in AuditEvent.objects.all():
        assert "Secret-Passw0rd!" not in f"{event.object_id} {event.purpose}"


def test_a_lockout_is_audited(client, practitioner):
    for _ in range(5):
        attempt(client, practitioner.username, "wrong-password")
    assert attempt(client, practitioner.username, PASSWORD).status_code == 429
    locked = AuditEvent.objects.filter(action="locked_out", object_id=str(practitioner.pk))
    assert locked.exists() and locked.first().purpose == "too many failed sign-ins"
    assert AuditEvent.objects.filter(action="sign_in_failed").count() == 6
    assert not AuditEvent.objects.filter(action="sign_in").exists()
