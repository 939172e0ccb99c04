"""A new user signs in with two-factor authentication required: gives the enrolment code they
were issued, sets up an app, then reaches the dashboard. The code is computed from the key shown
on the page, as an authenticator app would."""

import base64
import re

import pytest
from django_otp.oath import totp

from waymark.accounts.models import Role
from waymark.accounts.services import enrolment_code_issue
from waymark.accounts.tests.factories import AgencyFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_factor_required(settings):
    settings.WAYMARK_REQUIRE_2FA = True


def test_a_new_user_sets_up_two_factor_and_reaches_the_dashboard(
    live_server, page, axe_check, two_factor_required
):
    priya = UserFactory(
        username="priya",
        first_name="Priya",
        last_name="Shah",
        agency=AgencyFactory(name="Eastbridge Youth Service", sector="youth_service"),
        role=Role.PRACTITIONER,
    )
    page.goto(f"{live_server.url}/")
    assert "/sign-in/" in page.url
    axe_check(page)
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    assert "/sign-in/two-factor/set-up/" in page.url
    axe_check(page)
    # The key is shown only for the enrolment code an administrator or manager issued.
    page.get_by_label("Enrolment code").fill(enrolment_code_issue(actor=None, user=priya))
    page.get_by_role("button", name="Continue").click()
    page.locator("#secret-key").wait_for()
    axe_check(page)
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    key = base64.b32decode(secret)

    # A wrong code first: the error summary says so, and links to the box.
    right = f"{totp(key):06d}"
    wrong = "000000" if right != "000000" else "111111"
    page.get_by_label("Enter the 6-digit code your authenticator app shows").fill(wrong)
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("alert").get_by_text("There is a problem").wait_for()
    axe_check(page)
    assert page.locator("#secret-key").inner_text().replace(" ", "") == secret

    # Wrong codes are throttled (1 s after the first); the next step's code is also accepted.
    page.wait_for_timeout(1100)
    page.get_by_label("Enter the 6-digit code your authenticator app shows").fill(
        f"{totp(key, drift=1):06d}"
    )
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("heading", name="Save your backup codes").wait_for()
    axe_check(page)
    assert page.locator("#backup-codes li").count() == 10

    page.get_by_role("button", name="I have saved my backup codes").click()
    page.get_by_role("heading", name="Your dashboard").wait_for()
    axe_check(page)
    assert page.get_by_text("Signed in as").is_visible()

    # The next sign-in asks for the code from the app.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to Waymark").wait_for()
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your two-factor code").wait_for()
    axe_check(page)
    page.get_by_label("Code", exact=True).fill(f"{totp(key, drift=2):06d}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Your dashboard").wait_for()
    assert len(axe_check.checked) == 7
