"""Pages ask only for files Waymark serves, and never for a font: Waymark uses its own font stack,
so a browser on a machine with no extra fonts installed needs nothing from us."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import RequestLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_page_uses_waymarks_fonts_and_asks_for_no_font_file(live_server, page, requests_seen):
    response = page.goto(f"{live_server.url}/sign-in/")
    assert response and response.ok
    page.wait_for_load_state("networkidle")

    assert requests_seen.fonts == []
    # No stylesheet declares a web font, so the browser has none to fetch.
    assert page.evaluate("() => document.fonts.size") == 0
    for selector in ("h1", ".govuk-label", ".govuk-button", ".govuk-footer"):
        font = page.locator(selector).first.evaluate("e => getComputedStyle(e).fontFamily")
        assert font == "arial, helvetica, sans-serif", (selector, font)

    # Every image the compiled GOV.UK stylesheet refers to is served, relative to the stylesheet.
    href = page.locator("link[rel=stylesheet][href*='govuk-frontend']").get_attribute("href")
    assert href and href.endswith("/build/govuk-frontend.css")
    stylesheet = page.request.get(f"{live_server.url}{href}")
    assert stylesheet.ok
    css = stylesheet.text()
    assert "@font-face" not in css and "GDS Transport" not in css
    images = set(re.findall(r"url\(\"?([^\")]+)\"?\)", css))
    assert images
    for image in images:
        url = page.evaluate(
            "([img, css]) => new URL(img, new URL(css, location)).href", [image, href]
        )
        assert page.request.get(url).ok, url


def test_an_error_page_opened_on_purpose_is_allowed_for_that_url_only(
    live_server, page, requests_seen
):
    requests_seen.allow("/no-such-page/", status=404)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response and response.status == 404
    assert requests_seen.problems() == []

    page.goto(f"{live_server.url}/no-such-page/?again=1")
    assert requests_seen.problems() == [f"404 GET {live_server.url}/no-such-page/?again=1"]
    requests_seen.allow("/no-such-page/?again=1", status=404)


def test_the_harness_reports_every_request_waymark_does_not_serve(live_server, browser):
    """The check the `page` fixture makes, on a context of our own so that this test can pass."""
    seen = RequestLog(origin=live_server.url)
    context = browser.new_context()
    seen.watch(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in/")
    page.evaluate(
        """() => Promise.allSettled([
            fetch('/static/waymark/missing.css'),
            new FontFace('Missing', 'url(/assets/fonts/bold.woff2)').load(),
        ])"""
    )
    with pytest.raises(PlaywrightError):
        page.goto("https://fonts.example.org/sans.woff2")
    context.close()

    problems = seen.problems()
    assert f"404 GET {live_server.url}/static/waymark/missing.css" in problems
    assert f"404 GET {live_server.url}/assets/fonts/bold.woff2" in problems
    assert f"font requested: {live_server.url}/assets/fonts/bold.woff2" in problems
    assert "left Waymark: https://fonts.example.org/sans.woff2" in problems
    assert "font requested: https://fonts.example.org/sans.woff2" in problems
