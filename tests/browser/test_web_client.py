"""The web client in a real browser (Debian's chromium): it loads clean, speaks French,
routes its own paths on a reload, fits a phone and a desktop, and passes axe-core.

Signed out here (sign-in is test_sign_in.py). Screenshots: test-artifacts/browser/.
"""

# ruff: noqa: S310  (urllib opens our own gateway's http:// URLs only)
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from browser_support import DESKTOP, PHONE, ROOT, serious_violations
from playwright.sync_api import ViewportSize, expect

# Signed out, the silent refresh finds no cookie: identity refuses it (401; 400 while its web
# contract is not there: the refresh wants a body). The only error answer a page may have.
REFRESH_REFUSED = tuple((status, "/auth/refresh") for status in (400, 401, 415, 422))


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_app_loads_with_no_console_error_nor_failed_request(
    open_page: Any, size: str, viewport: ViewportSize
) -> None:
    opened = open_page(viewport=viewport)
    page = opened.page
    opened.open("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Jumo")
    facebook = page.get_by_role("link", name="Continue with Facebook")
    expect(facebook).to_be_visible()
    assert facebook.get_attribute("href") == "/auth/facebook/login?return_to=%2F"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_load_state("load")
    # Nothing overflows sideways on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], (
        f"the page is {width}px wide in a {viewport['width']}px window"
    )
    opened.screenshot(f"signin-{size}")
    assert opened.watched.problems(REFRESH_REFUSED) == []


def test_switching_to_french_renders_french_and_stays_after_a_reload(open_page: Any) -> None:
    opened = open_page()
    page = opened.page
    opened.open("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Jumo")
    page.get_by_label("Language").select_option("fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue sur Jumo")
    expect(page.get_by_role("link", name="Continuer avec Facebook")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    with page.expect_response(lambda r: r.url.endswith("/auth/refresh")):
        page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue sur Jumo")
    expect(page.get_by_label("Langue")).to_have_value("fr")
    opened.screenshot("signin-desktop-fr")
    assert opened.watched.problems(REFRESH_REFUSED) == []


def test_a_french_browser_starts_in_french(open_page: Any) -> None:
    opened = open_page(viewport=PHONE, locale="fr-FR")
    opened.page.goto(opened.url("/"))
    expect(opened.page.get_by_role("heading", level=1)).to_have_text("Bienvenue sur Jumo")
    opened.screenshot("signin-phone-fr")


@pytest.mark.parametrize("path", ["/inbox", "/organizations/some-org", "/no/such/page"])
def test_the_app_s_own_paths_load_the_app_and_sign_in_comes_back_to_them(
    open_page: Any, path: str
) -> None:
    opened = open_page()
    opened.open(path)
    facebook = opened.page.get_by_role("link", name="Continue with Facebook")
    expect(facebook).to_be_visible()
    href = facebook.get_attribute("href") or ""
    assert href.startswith("/auth/facebook/login?return_to=")
    assert urllib.parse.unquote(href.split("=", 1)[1]) == path
    assert opened.watched.problems(REFRESH_REFUSED) == []


def test_api_clients_still_get_the_gateway_s_problem_for_an_unknown_path(system: Any) -> None:
    request = urllib.request.Request(
        f"{system.gateway.url}/no/such/page", headers={"Accept": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 404
    assert caught.value.headers["Content-Type"] == "application/problem+json"
    assert json.loads(caught.value.read())["title"] == "Not Found"


def test_the_app_s_page_has_its_own_policy_and_loads_nothing_from_elsewhere(system: Any) -> None:
    request = urllib.request.Request(f"{system.gateway.url}/", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        policy = answer.headers["Content-Security-Policy"]
        html = answer.read().decode()
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_the_sign_in_page_has_no_serious_accessibility_violation(
    open_page: Any, locale: str
) -> None:
    # axe-core is injected by the test (bypass_csp: the app's own policy allows no such script).
    opened = open_page(locale=locale, bypass_csp=True)
    page = opened.page
    page.goto(opened.url("/"))
    expect(
        page.get_by_role("link", name="Continue with Facebook").or_(
            page.get_by_role("link", name="Continuer avec Facebook")
        )
    ).to_be_visible()
    assert serious_violations(page) == []


def test_keyboard_reaches_the_skip_link_language_and_sign_in(open_page: Any) -> None:
    opened = open_page()
    page = opened.page
    page.goto(opened.url("/"))
    expect(page.get_by_role("link", name="Continue with Facebook")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    reached = []
    for _ in range(4):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement?.textContent || document.activeElement?.tagName")
        )
    assert "Continue with Facebook" in reached, reached


def test_the_bundle_is_within_budget(web_dist: Path) -> None:
    import subprocess

    budget = ROOT / "web" / "scripts" / "budget.mjs"
    answer = subprocess.run(
        ["node", str(budget)], capture_output=True, text=True, timeout=60, check=False
    )
    print(answer.stdout)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "first page JavaScript" in answer.stdout
