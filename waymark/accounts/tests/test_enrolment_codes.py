"""Enrolment codes: a first authenticator app is set up only with a code someone else issued."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import AuthenticatorApp, EnrolmentCode, Role
from waymark.accounts.services import enrolment_code_issue, enrolment_codes_expire
from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by UserFactory


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.WAYMARK_REQUIRE_2FA = True


@pytest.fixture
def manager(agency):
    return UserFactory(username="morgan.manager", agency=agency, role=Role.MANAGER)


def give(client, user, code: str):
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client.post(reverse("two-factor-set-up"), {"enrolment_code": code})


def test_a_manager_issues_a_code_on_the_web_shown_once_and_audited_without_the_code(
    client, manager, practitioner, outsider, settings
):
    settings.WAYMARK_REQUIRE_2FA = False  # the manager's own second factor is not the point here
    client.force_login(manager)
    page = client.get(reverse("enrolment-code-new")).content.decode()
    # Their own agency's users only, and never themselves.
    assert practitioner.username in page
    assert outsider.username not in page and f"({manager.username})" not in page

    response = client.post(reverse("enrolment-code-new"), {"user": practitioner.pk})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    code = html.split('id="enrolment-code">')[1].split("<")[0]
    stored = EnrolmentCode.objects.get(user=practitioner)
    assert stored.issued_by == manager and stored.matches(code.replace("-", ""))
    assert code.replace("-", "") not in stored.code_hash
    event = AuditEvent.objects.get(action="create", object_type="accounts.enrolmentcode")
    assert event.actor == manager and event.object_id == str(stored.pk)
    assert code not in event.purpose and code.replace("-", "") not in event.purpose

    # Another agency's user is refused by the form, not issued a code.
    response = client.post(reverse("enrolment-code-new"), {"user": outsider.pk})
    assert "Select a valid choice" in response.content.decode()
    assert not EnrolmentCode.objects.filter(user=outsider).exists()


def test_a_practitioner_may_not_issue_codes(client, practitioner, outsider, settings):
    settings.WAYMARK_REQUIRE_2FA = False
    client.force_login(practitioner)
    assert client.get(reverse("enrolment-code-new")).status_code == 403
    with pytest.raises(Exception, match="own agency"):
        enrolment_code_issue(actor=practitioner, user=outsider)


def test_the_set_up_page_takes_the_code_then_shows_the_key(client, practitioner):
    code = enrolment_code_issue(actor=None, user=practitioner)
    response = give(client, practitioner, code.lower().replace("-", " "))
    assert response.status_code == 302
    assert "secret-key" in client.get(reverse("two-factor-set-up")).content.decode()
    assert EnrolmentCode.objects.get(user=practitioner).used_at is not None


@pytest.mark.parametrize("problem", ["wrong", "expired", "used"])
def test_a_wrong_expired_or_used_code_is_refused_and_audited(client, practitioner, problem):
    code = enrolment_code_issue(actor=None, user=practitioner)
    expected = {
        "wrong": "The enrolment code is not right",
        "expired": "This enrolment code has expired",
        "used": "This enrolment code has already been used",
    }[problem]
    if problem == "wrong":
        code = "ABCD-EFGH-JKLM" if code != "ABCD-EFGH-JKLM" else "ABCD-EFGH-JKLN"
    elif problem == "expired":
        EnrolmentCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        assert give(client, practitioner, code).status_code == 302
        client.post(reverse("logout"))
        client.cookies.clear()
    response = give(client, practitioner, code)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "secret-key" not in client.get(reverse("two-factor-set-up")).content.decode()
    refused = AuditEvent.objects.filter(actor=practitioner, action="refused")
    assert refused.get().object_type == "accounts.enrolmentcode"
    assert code not in refused.get().purpose


def test_no_code_for_a_user_who_already_has_an_app(practitioner):
    AuthenticatorApp.objects.create(user=practitioner, name="app", confirmed=True)
    with pytest.raises(Exception, match="already set up"):
        enrolment_code_issue(actor=None, user=practitioner)


def test_expired_and_used_codes_are_cleared_and_counted(practitioner, outsider):
    enrolment_code_issue(actor=None, user=practitioner)
    live = enrolment_code_issue(actor=None, user=outsider)
    enrolment_code_issue(actor=None, user=practitioner)  # cancels the first
    assert enrolment_codes_expire() == 1
    assert EnrolmentCode.objects.count() == 2
    assert (
        AuditEvent.objects.filter(action="delete", object_type="accounts.enrolmentcode").count()
        == 1
    )
    assert EnrolmentCode.objects.get(user=outsider).matches(live.replace("-", ""))
