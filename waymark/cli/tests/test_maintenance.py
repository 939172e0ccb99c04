"""`waymark maintenance`: what has lapsed is deleted, what is live is kept, and twice is harmless."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.utils import timezone
from knox.models import AuthToken

from waymark.accounts.models import EnrolmentCode
from waymark.cli import main
from waymark.cli.maintenance import STEPS
from waymark.concerns.models import ConcernDraft

pytestmark = pytest.mark.django_db


def _one_of_each(user, *, lapsed: bool) -> None:
    when = datetime.timedelta(hours=-2 if lapsed else 2)
    now = timezone.now()
    name = "lapsed" if lapsed else "live"
    Session.objects.create(session_key=f"{name}-session", session_data="", expire_date=now + when)
    token, _ = AuthToken.objects.create(user=user)
    AuthToken.objects.filter(digest=token.digest).update(expiry=now + when)
    ConcernDraft.objects.create(user=user, payload="{}", expires_at=now + when)
    attempt = AccessAttempt.objects.create(
        username=f"{name}@example.org",
        ip_address="192.0.2.1",
        user_agent="",
        http_accept="",
        path_info="/sign-in/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    # Two hours ago is past the 30-minute cool-off; now is within it.
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=now + when if lapsed else now)
    EnrolmentCode.objects.create(user=user, code_hash="not-a-code", expires_at=now + when)


def test_maintenance_deletes_what_has_lapsed_and_keeps_what_is_live(practitioner, capsys):
    _one_of_each(practitioner, lapsed=True)
    _one_of_each(practitioner, lapsed=False)

    assert main(["maintenance"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{label}: 1 deleted" for label, _ in STEPS]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live-session"]
    assert AuthToken.objects.get().expiry > timezone.now()
    assert ConcernDraft.objects.get().expires_at > timezone.now()
    assert AccessAttempt.objects.get().username == "live@example.org"

    assert main(["maintenance"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{label}: 0 deleted" for label, _ in STEPS]
