"""A practitioner turns a hot-spot area into a context case and carries it through: referral from
the area page, screening, a location assessment of the triangle's three sides, a plan whose action
a shop owns, a review, the outcome charts, and the young person's page that shows the context.
Every page is checked with axe."""

import datetime
import re

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDES = {
    "Young people's strengths and needs": (
        "2: Unsafe",
        "Groups of 13 to 15 year olds gather after school with nowhere else to go.",
    ),
    "Guardianship": (
        "2: Unsafe",
        "No adult with a caring intention is present after the shops close at 6pm.",
    ),
    "Environment, resources and policy": (
        "3: Mixed",
        "The alley behind the parade is unlit and out of sight of the street.",
    ),
}


def fill_date(scope, legend: str, day: datetime.date) -> None:
    group = scope.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def error_summary(page) -> str:
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    return summary.inner_text()


def test_an_area_becomes_a_context_case_and_reaches_the_young_persons_page(
    live_server, page, axe_check, screenshot_dir, demo_town, offline, demo_sign_in
):
    from waymark.accounts.models import User
    from waymark.casework.models import Partner, PartnerKind
    from waymark.people.selectors import young_person_list_visible_to

    practitioner = User.objects.get(username="practitioner")
    # The demo town's shop owner, a business partner of the register.
    shop_owner = Partner.objects.filter(kind=PartnerKind.BUSINESS).order_by("name").first()
    assert shop_owner is not None, "the demo town has no shop-owner partner"
    shop = shop_owner.name
    young_person = young_person_list_visible_to(user=practitioner).order_by("reference").first()
    assert young_person is not None, "the demo practitioner may see no young person"
    today = timezone.localdate()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.set_default_timeout(20_000)
    demo_sign_in(page, "practitioner")

    # Refer: from the strongest area where children may be at risk.
    page.goto(f"{live_server.url}/places/at-risk/")
    page.locator("table[data-module=wm-results-table] tbody tr a").first.click()
    page.wait_for_url(re.compile(r".*/places/at-risk/areas/\w+/.*"))
    axe_check(page)
    page.get_by_role("button", name="Refer this area as a context").click()
    page.get_by_role("heading", name="Refer this context").wait_for()
    evidence = page.locator("main dl.govuk-summary-list").inner_text()
    for key in ("H3 areas", "Period", "Gi* z-score", "Concerns in the area"):
        assert key in evidence, f"{key} is not pre-filled from the area: {evidence}"
    axe_check(page)
    page.get_by_label("Why is this context referred?").fill(
        "Repeated reports of older men offering lifts to children around the parade after school."
    )
    page.get_by_label("Source of the information").fill("Place analysis and police reports")
    page.get_by_label("Reliable", exact=True).check()
    page.get_by_role("button", name="Refer the context").click()
    page.wait_for_url(re.compile(r".*/cases/CC-\w+/$"))
    case_url = page.url
    assert "Analysis of the area" in page.locator("main").inner_text()
    axe_check(page)

    # Screen at Partnership Plus.
    page.get_by_role("link", name="Screen the referral").click()
    page.get_by_label(re.compile("Partnership Plus")).check()
    page.get_by_label("Reason for the decision").fill(
        "Several agencies see the pattern; it needs a partnership response."
    )
    axe_check(page)
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(case_url)
    assert "Partnership Plus" in page.locator("main dl").first.inner_text()

    # Assess the location: all three sides of the triangle, with a method and a voice.
    page.get_by_role("link", name="Assess this context").click()
    page.get_by_role("heading", name=re.compile("Location")).wait_for()
    fill_date(page, "Date the assessment started", today - datetime.timedelta(days=20))
    fill_date(
        page,
        "Date the assessment was completed (leave blank if it is still in progress)",
        today - datetime.timedelta(days=10),
    )
    page.get_by_label("Observation visit").check()
    for side, (rating, findings) in SIDES.items():
        group = page.get_by_role("group", name=side, exact=True)
        group.get_by_label("Findings").fill(findings)
        group.get_by_text(rating, exact=True).click()
    page.get_by_label("Voice 1: what a young person said, in their words").fill(
        "Nobody's around once the shops shut, so that's when they come."
    )
    page.get_by_label("Voice 1: who said it (optional)").fill("a boy in Year 9")
    axe_check(page)
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_url(re.compile(r".*/assessments/1/$"))
    assert "No adult with a caring intention" in page.locator("main").inner_text()
    axe_check(page)

    # Plan: a goal from the guardianship finding, with an action the shop owns.
    page.goto(case_url)
    page.get_by_role("link", name="Agree a context plan").click()
    fill_date(page, "Date the plan starts", today)
    page.get_by_label("Summary of the plan (optional)").fill("Bring caring adults to the parade.")
    axe_check(page)
    page.get_by_role("button", name="Agree plan").click()
    page.get_by_role("button", name="Save summary").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_text(re.compile("^Assessment 1: Guardianship")).click()
    page.get_by_label("Outcome").fill(
        "Young people can name an adult on the parade they trust after 6pm"
    )
    axe_check(page)
    page.get_by_role("button", name="Add goal").click()
    page.wait_for_url(re.compile(r".*/plan/$"))
    page.get_by_role("link", name="Add an action to this goal").click()
    page.get_by_label("Action", exact=True).fill(
        "Keep the shop open as a safe place until 9pm and train evening staff"
    )
    page.get_by_label("A partner organisation", exact=True).check()
    partner = page.get_by_label("Partner organisation (if a partner owns it)")
    partner.select_option(label=shop)
    fill_date(page, "Due date", today + datetime.timedelta(days=30))
    axe_check(page)
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(re.compile(r".*/plan/$"))
    actions = page.get_by_role("table", name=re.compile("Actions of the context plan"))
    assert shop in actions.inner_text() and "safe place until 9pm" in actions.inner_text()
    axe_check(page)
    page.goto(case_url)

    # A review dated before the plan is refused, clearly; then one on the day is recorded.
    page.get_by_role("link", name="Record a review").click()
    fill_date(page, "Date of the review", today - datetime.timedelta(days=1))
    page.get_by_label("Summary of the review").fill("The shop has agreed; staff trained next.")
    page.get_by_role("button", name="Record the review").click()
    summary = error_summary(page)
    assert "The review date must be on or after the plan started" in summary
    axe_check(page)
    fill_date(page, "Date of the review", today)
    fill_date(page, "Date of the next review (optional)", today + datetime.timedelta(days=42))
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_url(case_url)
    assert "The shop has agreed" in page.locator("#reviews ~ ul").first.inner_text()
    axe_check(page)

    # The outcome page: an accessible chart with a title, and its table.
    page.get_by_role("link", name=re.compile("See the outcome charts")).click()
    page.get_by_role("heading", name="Did the context become safer?").wait_for()
    chart = page.locator("svg[role=img]").first
    chart.wait_for()
    assert chart.locator("title").count() >= 1 and chart.locator("title").first.text_content()
    assert page.locator("main table").count() >= 1
    axe_check(page)

    # Link a young person the practitioner may see, then see the context on their page.
    page.goto(case_url)
    page.get_by_role("link", name="Link a young person").click()
    page.get_by_label("Young person's reference").fill(young_person.reference)
    page.get_by_label("Why are they linked to this context?").fill(
        "Seen on the parade after school with the group."
    )
    axe_check(page)
    page.get_by_role("button", name="Link").click()
    page.wait_for_url(case_url)
    axe_check(page)
    page.goto(case_url)
    top = page.locator("main").bounding_box()
    assert top is not None
    page.screenshot(
        path=str(screenshot_dir / "context-case.png"),
        full_page=True,
        clip={"x": 0, "y": top["y"], "width": 1280, "height": 900},
    )

    linked = page.get_by_role("table", name=re.compile("Young people linked"))
    row = linked.get_by_role("row").filter(has_text=young_person.reference)
    assert "Seen on the parade after school" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(rf".*/{young_person.reference}/$"))
    page.get_by_role("heading", name="Contexts affecting this young person").wait_for()
    section = page.locator("#contexts ~ *").all_inner_texts()
    text = "\n".join(section)
    assert case_url.rstrip("/").rsplit("/", 1)[-1] in text
    assert "Partnership Plus" in text and "safe place until 9pm" in text and shop in text
    axe_check(page)

    assert offline == [], f"requests left Waymark: {offline[:5]}"
    assert errors == []
