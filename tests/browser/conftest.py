"""Browser tests: Debian's chromium driven by Playwright (Python), against an e2e system.

The system is tests/e2e's own (``system``: the sandbox, the four services and a gateway of
this session, on free ports); its gateway serves the built web client from web/dist
(``make up`` builds it: deploy/local/install.sh). The browser is the machine's chromium
(Debian's package, installed by install.sh), never one Playwright downloads.
Screenshots go to test-artifacts/browser/ at the repository's root (git-ignored).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    ViewportSize,
    sync_playwright,
)

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from browser_support import ARTIFACTS, DESKTOP, ROOT, WEB_DIST  # noqa: E402

E2E = ROOT / "tests" / "e2e"
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def _e2e_conftest() -> ModuleType:
    """tests/e2e/conftest.py as a module of its own name (its fixtures are reused here)."""
    if str(E2E) not in sys.path:
        sys.path.insert(0, str(E2E))
    name = "jumo_e2e_conftest_for_browser"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, E2E / "conftest.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_e2e = _e2e_conftest()
# The same fixtures as tests/e2e: nginx, the session's system, two people's curl.
nginx = _e2e.nginx
system = _e2e.system
curl = _e2e.curl
other_curl = _e2e.other_curl


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``demo_data`` run after every other browser test: the demo's organizations,
    opportunities and people stay in the session's one system, and a search or recommendation
    test run after them would find them too."""
    items.sort(key=lambda item: item.get_closest_marker("demo_data") is not None)


def chromium_path() -> str:
    """$JUMO_CHROMIUM, else Debian's chromium; the test fails (never skips) without one."""
    candidate = os.environ.get("JUMO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(candidate, os.X_OK):
        pytest.fail(
            f"no chromium at {candidate}: install Debian's package (deploy/local/install.sh "
            "does: apt-get install chromium) or set JUMO_CHROMIUM",
            pytrace=False,
        )
    return candidate


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The built web client; fails when it is not built."""
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail(
            "web/dist is not built: `make up` builds it, or "
            "`npm --prefix web ci --ignore-scripts && npm --prefix web run build`",
            pytrace=False,
        )
    return WEB_DIST


@pytest.fixture(scope="module")
def playwright(system: Any) -> Iterator[Playwright]:
    # The sync driver runs an event loop of its own on this thread for as long as it is open:
    # while it is, every asyncio test and fixture fails ("Runner.run() cannot be called from a
    # running event loop"). Hence one driver per module, closed before the next module — in one
    # pytest process tests/e2e runs after tests/browser (CI failed all its async tests so) —
    # and set up after the system, whose teardown runs asyncio.run.
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
    yield browser
    browser.close()


@dataclass
class Watched:
    """What a page did wrong: console errors, page errors, requests that failed or were
    answered with an error status (each as one line)."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def problems(self, allowed: tuple[tuple[int, str], ...] = ()) -> list[str]:
        """Everything wrong, but for the answers ``allowed`` names as (status, path) — and
        the console line Chromium writes for each of those."""

        def is_allowed_answer(line: str) -> bool:
            return any(
                line == f"{status} {path}"
                or (line.endswith(f" {path}") and line.startswith(f"{status} "))
                for status, path in allowed
            )

        def is_allowed_console(line: str) -> bool:
            return line.startswith("Failed to load resource") and any(
                f"status of {status}" in line and line.endswith(path) for status, path in allowed
            )

        return [
            *(f"console: {c}" for c in self.console_errors if not is_allowed_console(c)),
            *(f"page error: {e}" for e in self.page_errors),
            *(f"failed: {f}" for f in self.failed_requests),
            *(f"answered: {r}" for r in self.error_responses if not is_allowed_answer(r)),
            *(f"another origin: {u}" for u in self.foreign_requests),
        ]


@dataclass
class BrowserPage:
    """A page in a fresh browser context (no cookies, no storage) with its watcher."""

    page: Page
    base_url: str
    watched: Watched

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def open(self, path: str) -> None:
        """Load ``path`` of the app and wait for its silent refresh to be answered (what the
        app shows depends on it)."""
        with self.page.expect_response(lambda r: r.url.endswith("/auth/refresh")):
            self.page.goto(self.url(path))

    def sign_in(self, user: dict[str, Any], path: str = "/") -> None:
        """Sign ``user`` (a sandbox test user: ``create_test_user``) in as a person does: the
        sandbox's login URL (this browser is now that person on Facebook), the app at
        ``path``, "Continue with Facebook", the sandbox's consent, back at ``path``."""
        self.page.goto(user["login_url"])
        self.open(path)
        self.page.get_by_role("link", name="Continue with Facebook").click()
        self.page.get_by_role("button", name="Continue").click()
        self.page.wait_for_url(self.url(path), timeout=60_000)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path


def watch(page: Page, app: str, origins: tuple[str, ...]) -> Watched:
    """Watch what ``page`` does at ``app`` (the gateway: the app and its API); a request to
    anything but ``origins`` (the gateway, the sandbox's Facebook) is noted too. The sandbox's
    own pages (its missing favicon) are not the app's concern."""
    watched = Watched()

    def console(message: ConsoleMessage) -> None:
        where = message.location.get("url", "") if message.location else ""
        if message.type == "error" and (where.startswith(app) or not where):
            watched.console_errors.append(f"{message.text} {where}".strip())

    def failed(request: Request) -> None:
        # net::ERR_ABORTED is the browser cancelling a request, not a request failing: the
        # document that asked is being left (a test's next goto cancels the favicon, the
        # unread count, the stream), or the app dropped an answer it no longer needs. A refused
        # connection, a reset or a timeout has its own error; an error answer is noted below.
        if request.failure == "net::ERR_ABORTED":
            return
        watched.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def response(answer: Response) -> None:
        if answer.status >= 400 and answer.url.startswith(app):
            path = answer.url.split("//", 1)[-1].split("/", 1)[-1]
            watched.error_responses.append(f"{answer.status} {answer.request.method} /{path}")

    def request(sent: Request) -> None:
        if not sent.url.startswith(origins) and not sent.url.startswith(("data:", "about:")):
            watched.foreign_requests.append(sent.url)

    page.on("console", console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on("requestfailed", failed)
    page.on("response", response)
    page.on("request", request)
    return watched


@pytest.fixture
def open_page(browser: Browser, system: Any, web_dist: Path) -> Iterator[Any]:
    """``open_page(viewport=DESKTOP, locale="en-US", **context_options)``: a fresh page
    against the session system's gateway (and its Facebook sandbox for the login)."""
    contexts = []
    origins = (system.gateway.url, system.sandbox_url)

    def open_(
        viewport: ViewportSize = DESKTOP, locale: str = "en-US", **options: Any
    ) -> BrowserPage:
        context = browser.new_context(viewport=viewport, locale=locale, **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        return BrowserPage(page, system.gateway.url, watch(page, system.gateway.url, origins))

    yield open_
    for context in contexts:
        context.close()
