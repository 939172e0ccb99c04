"""A practitioner finds the peer groups in the demo town, reads a group's peer map and its table,
saves the group, and opens one young person's network: with no network, and without JavaScript."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_peer_map_table_saving_and_a_young_persons_network(
    live_server, browser, page, axe_check, screenshot_dir, demo_town, offline, demo_sign_in
):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A script or style the Content-Security-Policy refused shows up as a console error.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    demo_sign_in(page, "practitioner")

    page.get_by_role("link", name="Peer groups", exact=True).click()
    page.wait_for_url(re.compile(r".*/peer-groups/$"))
    assert page.get_by_role("heading", name="Peer groups", exact=True).is_visible()
    groups = page.locator("table[data-module=wm-peer-groups-table] tbody tr")
    assert groups.count() > 3
    assert "High" in groups.first.inner_text()  # most vulnerable first
    assert page.locator("#pocs-caption").count() == 1  # persons of concern across groups
    axe_check(page)

    # The first group: its map and the table of the same people and links.
    groups.first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/peer-groups/\d+/$"))
    page.wait_for_selector("#peer-map canvas")
    people = page.locator("table[data-module=wm-peer-nodes] tbody tr")
    links = page.locator("table[data-module=wm-peer-links] tbody tr")
    drawn = page.evaluate(
        "() => [window.waymarkPeerMap.nodes().length, window.waymarkPeerMap.edges().length]"
    )
    assert drawn == [people.count(), links.count()] and drawn[0] > 3
    styles = page.evaluate(
        "() => ['solid', 'dashed', 'dotted'].map("
        "s => window.waymarkPeerMap.edges('.' + s).style('line-style') || null)"
    )
    assert styles[0] in ("solid", None) and "dashed" in styles
    assert (
        page.evaluate("() => window.waymarkPeerMap.nodes('.person_of_concern').style('shape')")
        == "diamond"
    )
    table = links.first.inner_text()
    assert re.search(r"(Confirmed|Tentative|Unconfirmed) \((solid|dashed|dotted) line\)", table)
    assert page.get_by_role("heading", name="Strengths").is_visible()
    axe_check(page)
    page.locator("#peer-map-heading").scroll_into_view_if_needed()
    drawing = page.locator("#peer-map").bounding_box()
    key = page.locator("#peer-map + .wm-legend").bounding_box()
    assert drawing and key
    page.screenshot(
        path=str(screenshot_dir / "peer-map.png"),
        clip={
            "x": drawing["x"],
            "y": drawing["y"],
            "width": drawing["width"],
            "height": key["y"] + key["height"] - drawing["y"],
        },
    )

    # Saving it as a peer group: a bad name first, then a good one.
    page.get_by_role("button", name="Save peer group").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert summary.is_visible() and "Enter a name for the peer group" in summary.inner_text()
    axe_check(page)
    page.get_by_label("Name of the peer group").fill("Northgate Gardens group")
    page.get_by_role("button", name="Save peer group").click()
    page.wait_for_url(re.compile(r".*/peer-groups/saved/PG-\w+/$"))
    assert page.get_by_role("heading", name="Northgate Gardens group").is_visible()
    page.wait_for_selector("#peer-map canvas")
    axe_check(page)

    # One young person's network, from their own page.
    page.goto(f"{live_server.url}/peer-groups/")
    page.locator("table:has(#bridges-caption) tbody a[href*='/network/']").first.click()
    page.wait_for_url(re.compile(r".*/young-people/YP-\w+/network/$"))
    page.wait_for_selector("#peer-map canvas")
    assert page.evaluate("() => window.waymarkPeerMap.nodes('.focus').length") == 1
    assert page.get_by_text("This young person").is_visible()
    axe_check(page)
    page.locator(".govuk-breadcrumbs a").click()
    page.wait_for_url(re.compile(r".*/young-people/YP-\w+/$"))
    page.get_by_role("link", name="Peer map: everyone within two links").click()
    page.wait_for_url(re.compile(r".*/young-people/YP-\w+/network/$"))

    assert offline == [], f"requests left Waymark: {offline[:5]}"
    assert errors == []

    # Without JavaScript the table is the whole information, and no empty map is left behind.
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    plain = context.new_page()
    demo_sign_in(plain, "practitioner")
    plain.goto(f"{live_server.url}/peer-groups/1/")
    assert plain.locator("table[data-module=wm-peer-links] tbody tr").count() > 3
    assert not plain.locator("#peer-map").is_visible()
    context.close()
