"""Browser tests drive Debian's Chromium through Playwright; Playwright never downloads a browser.

Every test's page is watched: a request that leaves Waymark, a response of 400 or more, a request
that fails, and any request for a font file fail the test, listed, when it ends.
"""

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("WAYMARK_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API keeps an event loop alive in this thread; the ORM calls made by test set-up
# run outside it, so Django's guard against async use does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


FONT_FILES = (".woff", ".woff2", ".ttf", ".otf")


@dataclass
class RequestLog:
    """What a browser context asked for that Waymark did not serve.

    Pages use Waymark's own font stack and no web fonts, so a font request is a fault even when
    it succeeds. A test that opens an error page on purpose allows that one URL with `allow`.
    """

    origin: str
    left_waymark: list[str] = field(default_factory=list)
    not_served: list[tuple[int, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)
    allowed: set[tuple[str, int]] = field(default_factory=set)

    def allow(self, path: str, *, status: int) -> None:
        """Expect this status from this one path (with its query string, if any)."""
        self.allowed.add((path, status))

    def watch(self, context) -> None:
        context.route("**/*", self._route)
        context.on("request", self._request)
        context.on("response", self._response)
        context.on("requestfailed", self._request_failed)

    def problems(self) -> list[str]:
        return (
            [f"left Waymark: {url}" for url in self.left_waymark]
            + [f"font requested: {url}" for url in self.fonts]
            + [
                f"{status} {method} {url}"
                for status, method, url in self.not_served
                if (self._path(url), status) not in self.allowed
            ]
            + [f"failed ({failure}): {url}" for failure, url in self.failed]
        )

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _route(self, route) -> None:
        # Nothing leaves Waymark: no fonts, maps or scripts from anyone else's servers.
        # The scheme and host:port exactly, so that "http://127.0.0.1:8000.example/" is not ours.
        asked, ours = urlsplit(route.request.url), urlsplit(self.origin)
        if (asked.scheme, asked.netloc) == (ours.scheme, ours.netloc):
            route.continue_()
        else:
            self.left_waymark.append(route.request.url)
            route.abort()

    def _request(self, request) -> None:
        if request.resource_type == "font" or urlsplit(request.url).path.endswith(FONT_FILES):
            self.fonts.append(request.url)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.not_served.append((response.status, response.request.method, response.url))

    def _request_failed(self, request) -> None:
        failure = request.failure or "unknown"
        # Requests we refused are already listed; ones the browser dropped because the page
        # moved on (ERR_ABORTED) were not refused by Waymark.
        if request.url in self.left_waymark or "ERR_ABORTED" in failure:
            return
        self.failed.append((failure, request.url))


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs it with apt-get")
    from django.conf import settings

    stylesheet = settings.BUILT_ASSETS / "govuk-frontend.css"
    if not stylesheet.exists():
        pytest.fail(f"{stylesheet} is missing: run `make install`, which compiles it")
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
def requests_seen(live_server) -> RequestLog:
    """What the `page` fixture's browser asked for that Waymark did not serve."""
    return RequestLog(origin=live_server.url)


@pytest.fixture
def page(browser, requests_seen):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    requests_seen.watch(context)
    page = context.new_page()
    yield page
    context.close()
    problems = requests_seen.problems()
    if problems:
        pytest.fail(
            f"{len(problems)} request(s) Waymark did not serve:\n" + "\n".join(problems[:40]),
            pytrace=False,
        )


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
def offline(page, requests_seen) -> list[str]:
    """The requests that tried to leave Waymark. The `page` fixture refuses every one of them."""
    return requests_seen.left_waymark


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
