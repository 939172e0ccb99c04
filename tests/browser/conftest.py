"""Browser tests drive Debian's Chromium through Playwright; Playwright never downloads a browser."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WAYMARK_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API keeps an event loop alive in this thread; the ORM calls made by test set-up
# run outside it, so Django's guard against async use does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs it with apt-get")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_check():
    """Run axe-core on the page and fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    checked: list[str] = []

    def check(page) -> None:
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        checked.append(page.url)
        assert not bad, f"Accessibility violations on {page.url}:\n" + "\n".join(bad)

    check.checked = checked  # type: ignore[attr-defined]
    return check


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


DEMO_PASSWORD = "eastbridge-demo-2026"


@pytest.fixture
def demo_town(settings):
    """A small demo town (seed 7, scale 0.1), with its demo logins allowed."""
    from waymark.demo.generator import demo_ensure

    settings.WAYMARK_DEMO = True
    demo_ensure(seed=7, scale=0.1)


@pytest.fixture
def offline(page, live_server):
    """Refuse every request that is not to Waymark itself, and remember it."""
    attempted: list[str] = []

    def handle(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    return attempted


@pytest.fixture
def demo_sign_in(live_server):
    """Sign a demo user in on a page, through the sign-in form."""

    def sign_in(page, username: str) -> None:
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in
