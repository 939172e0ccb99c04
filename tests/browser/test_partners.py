"""A practitioner adds a partner to the register, with a contact, a place it guards and its
staff's training, and finds the refresh due on the dashboard; every page checked with axe."""

import datetime
import re

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_partner_with_a_contact_a_place_and_training(
    live_server, page, axe_check, demo_town, offline, demo_sign_in
):
    demo_sign_in(page, "practitioner")
    page.get_by_role("link", name="Partners", exact=True).click()
    page.wait_for_url(re.compile(r".*/partners/$"))
    axe_check(page)

    page.get_by_role("button", name="Add a partner").click()
    page.get_by_role("button", name="Add partner").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Enter the name of the partner" in page.locator(".govuk-error-summary").inner_text()
    axe_check(page)
    page.get_by_label("Name of the organisation").fill("Harbour Lights Hotel")
    page.get_by_label("What kind of partner is it?").select_option("hotel")
    page.get_by_role("button", name="Add partner").click()
    page.get_by_role("heading", name="Harbour Lights Hotel").wait_for()
    axe_check(page)

    page.get_by_role("button", name="Add a contact").click()
    page.get_by_label("Full name").fill("Marguerite Fairweather")
    page.get_by_label("Telephone number (optional)").fill("01632 960 417")
    axe_check(page)
    page.get_by_role("button", name="Add contact").click()
    page.get_by_role("cell", name="Marguerite Fairweather").wait_for()

    page.get_by_role("button", name="Add a place").click()
    page.get_by_label("Place").select_option(index=1)
    page.get_by_label("Hours present").fill("Mon-Sun 18:00-02:00")
    axe_check(page)
    page.get_by_role("button", name="Add place").click()
    page.get_by_role("cell", name="Mon-Sun 18:00-02:00").wait_for()

    today = timezone.localdate()
    page.get_by_role("button", name="Record training").click()
    page.get_by_label("Course").fill("Exploitation awareness for night porters")
    fill_date(page, "Date of the training", today - datetime.timedelta(days=350))
    page.get_by_label("Number of staff trained").fill("6")
    fill_date(page, "Refresh due", today - datetime.timedelta(days=400))
    page.get_by_role("button", name="Record training").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "The refresh date must be after the training date" in (
        page.locator(".govuk-error-summary").inner_text()
    )
    axe_check(page)
    fill_date(page, "Refresh due", today + datetime.timedelta(days=15))
    page.get_by_role("button", name="Record training").click()
    page.get_by_text("Refresh due soon").wait_for()
    axe_check(page)

    page.get_by_role("link", name=re.compile("Print all of Harbour Lights Hotel")).click()
    page.get_by_role("heading", name="Actions for Harbour Lights Hotel").wait_for()
    axe_check(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Partner training due").wait_for()
    assert "Exploitation awareness for night porters" in page.content()
    axe_check(page)
    assert not offline
