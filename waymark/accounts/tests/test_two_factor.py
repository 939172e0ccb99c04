"""Two-factor authentication with an authenticator app (TOTP), when WAYMARK_REQUIRE_2FA is on.

Codes are computed from the device's key with django-otp's own TOTP, as a phone would.
"""

import base64
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse
from django_otp.oath import totp
from knox.models import AuthToken
from rest_framework.test import APIClient

from waymark.accounts.models import AuthenticatorApp, BackupCode, BackupCodes
from waymark.accounts.services import enrolment_code_issue
from waymark.audit.models import AuditEvent
from waymark.core import crypto

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # set by UserFactory


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.WAYMARK_REQUIRE_2FA = True


def code_for(device: AuthenticatorApp, steps_ahead: int = 0) -> str:
    """The code the app shows now, or `steps_ahead` 30-second steps from now."""
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{value:0{device.digits}d}"


def sign_in(client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def give_enrolment_code(client, user) -> AuthenticatorApp:
    """Signed in with a password, give an enrolment code: the app to confirm is made."""
    code = enrolment_code_issue(actor=None, user=user)
    response = client.post(reverse("two-factor-set-up"), {"enrolment_code": code})
    assert response.status_code == 302, response.content.decode()
    return AuthenticatorApp.objects.get(user=user, confirmed=False)


def enrol(client, user) -> AuthenticatorApp:
    """Sign in with a password and set up an authenticator app, through the pages."""
    sign_in(client, user)
    device = give_enrolment_code(client, user)
    response = client.post(reverse("two-factor-set-up"), {"code": code_for(device)})
    assert response.status_code == 302, response.content.decode()
    device.refresh_from_db()
    return device


def backup_codes(client) -> list[str]:
    """The backup codes the page shows once, straight after enrolment."""
    html = client.get(reverse("two-factor-backup-codes")).content.decode()
    return re.findall(r"<li>([a-z2-7]{8})</li>", html)


def test_a_password_alone_leads_to_setting_up_an_app_and_reaches_no_other_page(
    client, practitioner
):
    response = sign_in(client, practitioner, next_url="/places/")
    assert response.status_code == 302
    assert response.url == reverse("two-factor") + "?next=%2Fplaces%2F"
    response = client.get(response.url)
    assert response.url == reverse("two-factor-set-up") + "?next=%2Fplaces%2F"

    # Every other page sends the half-signed-in user back to the two-factor step.
    for path in ("/", "/places/", "/search/", "/young-people/new/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(reverse("two-factor") + "?next="), path
    assert client.get(reverse("two-factor-set-up")).status_code == 200
    # Signing out still works.
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrolment_shows_the_secret_and_confirms_with_a_code_from_the_key(client, practitioner):
    sign_in(client, practitioner)
    # The key is shown only once an enrolment code has been given.
    page = client.get(reverse("two-factor-set-up", query={"next": "/places/"})).content.decode()
    assert "Enter your enrolment code" in page and "secret-key" not in page
    assert not AuthenticatorApp.objects.exists()
    device = give_enrolment_code(client, practitioner)
    page = client.get(reverse("two-factor-set-up", query={"next": "/places/"}))
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert not device.confirmed
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert base64.b32decode(secret) == bytes.fromhex(device.key)
    assert "otpauth://totp/Waymark%3Asam.practitioner?secret=" in html
    assert 'src="data:image/svg+xml;base64,' in html
    # Showing the page again keeps the same secret, so a scan already made still works.
    client.get(reverse("two-factor-set-up"))
    assert AuthenticatorApp.objects.filter(user=practitioner).get() == device

    response = client.post(
        reverse("two-factor-set-up"), {"code": code_for(device), "next": "/places/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("two-factor-backup-codes") + "?next=%2Fplaces%2F"
    device.refresh_from_db()
    assert device.confirmed

    codes = backup_codes(client)
    assert len(set(codes)) == 10
    assert BackupCode.objects.filter(device__user=practitioner).count() == 10
    # Shown once only.
    assert client.get(response.url).status_code == 302

    assert client.get("/places/").status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(
        actor=practitioner, object_type="accounts.authenticatorapp", object_id=str(device.pk)
    ).exists()


def test_a_raw_read_of_the_tables_finds_no_usable_secret_or_code(client, practitioner):
    device = enrol(client, practitioner)
    # The codes wait in the session until their page is shown: encrypted, as the session table
    # is not.
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        sessions = [SessionStore().decode(row[0]) for row in cursor.fetchall()]
    waiting = [s["waymark_backup_codes"] for s in sessions if "waymark_backup_codes" in s]
    assert len(waiting) == 1 and crypto.is_current(waiting[0])
    codes = backup_codes(client)
    assert not any(c in waiting[0] for c in codes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticatorapp")
        (stored_key,) = cursor.fetchone()
        cursor.execute("SELECT code_hash FROM accounts_backupcode")
        stored_codes = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT code_hash FROM accounts_enrolmentcode")
        stored_enrolment = [row[0] for row in cursor.fetchall()]
    assert device.key not in stored_key and len(device.key) == 40
    assert stored_codes and not {c for c in codes if any(c in h for h in stored_codes)}
    assert all(h.startswith(("argon2", "pbkdf2", "md5")) for h in stored_codes + stored_enrolment)


def test_a_wrong_code_is_refused_with_an_error_summary_and_confirms_nothing(client, practitioner):
    sign_in(client, practitioner)
    device = give_enrolment_code(client, practitioner)
    near = {code_for(device, steps) for steps in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in near)

    response = client.post(reverse("two-factor-set-up"), {"code": wrong})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_code">The code is not right.' in html
    assert "govuk-input--error" in html
    device.refresh_from_db()
    assert not device.confirmed
    assert not BackupCode.objects.exists()
    assert client.get(reverse("dashboard")).status_code == 302

    # An empty code says what to do.
    html = client.post(reverse("two-factor-set-up"), {"code": ""}).content.decode()
    assert "Enter the code from your authenticator app" in html

    # Guessing is slowed down: straight after a wrong code even the right one must wait.
    response = client.post(reverse("two-factor-set-up"), {"code": code_for(device)})
    assert "too many wrong codes" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_the_next_sign_in_asks_for_the_code_and_cannot_set_up_another_app(client, practitioner):
    device = enrol(client, practitioner)
    client.post(reverse("logout"))

    response = sign_in(client, practitioner)
    assert response.url == reverse("two-factor") + "?next=%2F"
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Enter your two-factor code" in page.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302
    # Someone with only the password cannot swap in their own app.
    response = client.get(reverse("two-factor-set-up"))
    assert response.url.startswith(reverse("two-factor"))
    assert AuthenticatorApp.objects.filter(user=practitioner).count() == 1

    # The code used at enrolment cannot be used again; the app's next code can.
    old_session = client.session.session_key
    response = client.post(reverse("two-factor"), {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    assert response.url == "/"
    assert client.session.session_key != old_session
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_backup_code_signs_in_once(client, practitioner):
    enrol(client, practitioner)
    code = backup_codes(client)[0]
    client.post(reverse("logout"))

    sign_in(client, practitioner)
    response = client.post(reverse("two-factor"), {"code": code.upper()})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))

    sign_in(client, practitioner)
    response = client.post(reverse("two-factor"), {"code": code})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_two_factor_step_never_sends_the_user_to_another_site(client, practitioner):
    device = enrol(client, practitioner)
    client.post(reverse("logout"))
    sign_in(client, practitioner)
    response = client.post(
        reverse("two-factor"),
        {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"},
    )
    assert response.url == reverse("dashboard")


@pytest.mark.django_db(transaction=True)  # the token view runs outside the request transaction
def test_the_api_refuses_a_session_without_two_factor_and_a_token_needs_the_code(
    client, practitioner
):
    sign_in(client, practitioner)
    response = client.get("/api/young-people/")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]

    # A password alone gets no token: the API is no easier a way in than the web.
    asked = {"username": practitioner.username, "password": PASSWORD}
    refused = APIClient().post("/api/token/", asked, format="json")
    assert refused.status_code == 400 and "otp_token" in refused.json()
    device = enrol(client, practitioner)
    near = {code_for(device, steps) for steps in (-1, 0, 1, 2)}
    wrong_code = next(c for c in ("000000", "111111", "222222") if c not in near)
    wrong = APIClient().post("/api/token/", {**asked, "otp_token": wrong_code}, format="json")
    assert wrong.status_code == 400
    assert not AuthToken.objects.filter(user=practitioner).exists()
    # The wrong code is audited, and the event outlived the refused request.
    failed = AuditEvent.objects.get(action="2fa_failed", actor=practitioner)
    assert failed.purpose == "api: wrong code"
    # The app's throttle made it wait after the wrong code; let it try again now.
    device.refresh_from_db()
    device.throttle_reset()

    token = APIClient().post(
        "/api/token/", {**asked, "otp_token": code_for(device, steps_ahead=1)}, format="json"
    )
    assert token.status_code == 200, token.json()
    assert AuthToken.objects.filter(user=practitioner).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api.get("/api/young-people/").status_code == 200


def test_the_api_accepts_a_session_that_gave_its_code(client, practitioner):
    enrol(client, practitioner)
    assert client.get("/api/young-people/").status_code == 200


def test_with_two_factor_off_a_password_is_enough(client, practitioner, settings):
    settings.WAYMARK_REQUIRE_2FA = False
    response = sign_in(client, practitioner)
    assert response.url == "/"
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get("/api/young-people/").status_code == 200
    assert client.get(reverse("two-factor-set-up")).status_code == 302
    assert not AuthenticatorApp.objects.exists()


def test_the_demo_says_loudly_when_two_factor_is_off(client, settings):
    settings.WAYMARK_DEMO = True
    settings.WAYMARK_REQUIRE_2FA = False
    assert "Two-factor authentication is switched off in this demo" in (
        client.get(reverse("login")).content.decode()
    )
    settings.WAYMARK_REQUIRE_2FA = True
    assert "Two-factor authentication is switched off" not in (
        client.get(reverse("login")).content.decode()
    )


def test_a_wrong_code_on_the_web_is_audited(client, practitioner):
    device = enrol(client, practitioner)
    client.post(reverse("logout"))
    sign_in(client, practitioner)
    near = {code_for(device, steps) for steps in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in near)
    client.post(reverse("two-factor"), {"code": wrong})
    event = AuditEvent.objects.get(action="2fa_failed")
    assert (event.actor, event.object_id, event.purpose) == (
        practitioner,
        str(practitioner.pk),
        "web: wrong code",
    )


def test_wrong_codes_across_devices_lock_the_user_out_even_with_the_right_code(
    client, practitioner, settings
):
    settings.WAYMARK_2FA_FAILURE_LIMIT = 3
    device = enrol(client, practitioner)
    client.post(reverse("logout"))
    sign_in(client, practitioner)
    # Backup codes go to one device, app codes to another: neither device's own throttle is hit
    # often, but together they reach the user's limit.
    for wrong in ("zzzzzzzz", "yyyyyyyy", "xxxxxxxx"):
        client.post(reverse("two-factor"), {"code": wrong})
        BackupCodes.objects.update(throttling_failure_count=0)
    response = client.post(reverse("two-factor"), {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 200
    assert "Wait 15 minutes" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action="locked_out", actor=practitioner).count() == 1
    assert AuditEvent.objects.filter(action="2fa_failed", actor=practitioner).count() == 4

    # After the cool-off the right code works again, and clears the count.
    practitioner.refresh_from_db()
    practitioner.two_factor_failed_at -= settings.WAYMARK_2FA_COOLOFF
    practitioner.save(update_fields=["two_factor_failed_at"])
    response = client.post(reverse("two-factor"), {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.two_factor_failures == 0
