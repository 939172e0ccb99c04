"""An analyst finds the places where children may be at risk in the demo town, with no network."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_places_page_map_table_and_area(
    live_server, page, axe_check, screenshot_dir, demo_town, offline, demo_sign_in
):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    demo_sign_in(page, "practitioner")
    page.goto(f"{live_server.url}/places/")
    page.get_by_role("link", name="Where children may be at risk").click()
    page.wait_for_url(re.compile(r".*/places/at-risk/$"))
    assert page.get_by_role("heading", name="Places where children may be at risk").is_visible()
    assert "crime" not in page.content().lower()

    # The map draws the wards and the areas from the page's own data.
    page.wait_for_selector("#place-map path.leaflet-interactive")
    assert page.locator("#place-map path.leaflet-interactive").count() > 10
    axe_check(page)

    # The table beside it holds the same areas, strongest first, and sorts.
    rows = page.locator("table[data-module=wm-results-table] tbody tr")
    assert rows.count() > 10
    assert "At risk" in rows.first.inner_text()
    page.get_by_role("link", name=re.compile(r"^Concerns\W+sort")).click()
    page.wait_for_url(re.compile(r".*sort=count.*"))
    header = page.locator("th[aria-sort=descending]")
    assert "Concerns" in header.inner_text()
    counts = [
        int(t) for t in page.locator("tbody tr td:nth-child(3)").all_inner_texts() if t.isdigit()
    ]
    assert counts == sorted(counts, reverse=True) and counts
    axe_check(page)

    # The slider shows one month at a time on the map.
    slider = page.get_by_label("Show one month on the map")
    slider.focus()
    slider.press("ArrowLeft")
    assert page.locator("#slice-label").inner_text().startswith("The month starting")
    page.locator(".govuk-grid-column-two-thirds").first.screenshot(
        path=str(screenshot_dir / "places.png")
    )

    # A filter that matches nothing says so; a bad one says what is wrong.
    page.get_by_label("Ending on (optional)").fill("last tuesday")
    page.get_by_role("button", name="Update the map and table").click()
    page.wait_for_url(re.compile(r".*end=last\+tuesday.*"))
    page.locator(".govuk-error-summary").wait_for()
    assert (
        "Enter the end of the period as a date" in page.locator(".govuk-error-summary").inner_text()
    )
    axe_check(page)

    # From an area to its places and concerns.
    page.goto(f"{live_server.url}/places/at-risk/")
    page.locator("table[data-module=wm-results-table] tbody tr a").first.click()
    page.wait_for_url(re.compile(r".*/places/at-risk/areas/\w+/.*"))
    assert page.get_by_role("heading", name="Places in this area").is_visible()
    assert page.locator("#profile-caption").is_visible()
    axe_check(page)

    page.goto(f"{live_server.url}/places/shared-contexts/?min_young_people=5")
    assert "Eastbridge Bus Station" in page.locator("main").inner_text()
    axe_check(page)
    page.goto(f"{live_server.url}/places/near-repeats/")
    assert page.locator("#knox-caption").is_visible()
    axe_check(page)

    assert offline == [], f"requests left Waymark: {offline[:5]}"
    assert errors == []
