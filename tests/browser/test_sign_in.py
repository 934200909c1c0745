"""Signing in in the browser: "Continue with Facebook" through the sandbox's login page,
back in the app on the feed; a reload stays signed in (the silent refresh from identity's
HttpOnly cookie); signing out signs out, also after a reload.

Identity's web contract: docs/api/guide.md, "In a browser".
"""

from __future__ import annotations

from typing import Any

from browser_support import DESKTOP, PHONE

# tests/e2e's helpers (on the path: conftest.py loads tests/e2e's conftest); mypy checks
# tests/browser alone, where it cannot see them.
from e2e_orgs import make_moderator, newcomer, ok  # type: ignore[import-not-found]
from e2e_people import create_test_user, refresh  # type: ignore[import-not-found]
from playwright.sync_api import expect


def a_verified_organization(curl: Any, other_curl: Any, system: Any, infra: Any) -> Any:
    """An organization made, submitted and verified through the API (curl), as people do."""
    gw = system.gateway.url
    ann, mo = newcomer(curl, system), newcomer(other_curl, system)
    make_moderator(system, infra, mo["user"]["id"])
    mo = refresh(other_curl, system, mo["refresh_token"]).json()  # now with the role
    org = ok(curl, "POST", f"{gw}/orgs", ann, {
        "name": "Eaux Vives Médecins", "mission": "Clean water for every school in the Rhône.",
        "causes": ["clean-water"],
        "hq": {"city": "Lyon", "country": "FR", "lat": 45.764, "lng": 4.8357},
    })  # fmt: skip
    ok(curl, "POST", f"{gw}/orgs/{org['id']}/submit", ann)
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/verify", mo)
    return org


def test_continue_with_facebook_lands_on_the_feed_and_a_reload_stays_signed_in(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    org = a_verified_organization(curl, other_curl, system, infra)
    user = create_test_user(curl, system, installed=False)
    opened = open_page()
    page = opened.page
    page.goto(user["login_url"])  # the sandbox's Facebook: this browser is now that person
    opened.open("/")
    page.get_by_role("link", name="Continue with Facebook").click()
    page.get_by_role("button", name="Continue").click()  # the sandbox's consent dialog
    # Back on the app's /, without the "#_=_" Facebook appends to its redirects (the app drops it).
    page.wait_for_url(f"{system.gateway.url}/", timeout=60_000)
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Your feed")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    # A newcomer's feed is empty (what GET /feed answered, rendered).
    feed_loaded = page.locator(".feed-list, .empty").first
    expect(feed_loaded).to_be_visible()

    # A reload: the access token was in memory only; the cookie refreshes it silently.
    with page.expect_response(lambda r: r.url.endswith("/auth/refresh")) as refreshed:
        page.reload()
    assert refreshed.value.status == 200
    expect(title).to_have_text("Your feed")
    expect(feed_loaded).to_be_visible()
    # Reported, not asserted: from navigation start to the feed's title on screen.
    shown = page.evaluate("performance.now()")
    print(f"feed shown {shown:.0f} ms after the reload's navigation started (reported only)")
    opened.screenshot("feed-desktop")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_hidden()  # a desktop shows the entries themselves
    page.set_viewport_size(PHONE)
    opened.screenshot("feed-phone")

    # On a phone the entries wait behind the Menu button; a navigation closes it again.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Feed")).to_have_attribute("aria-current", "page")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the open menu makes the page {width}px wide"
    opened.screenshot("menu-phone")
    nav.get_by_role("link", name="Notifications").click()
    expect(title).to_have_text("Notifications")
    expect(title).to_be_focused()  # a navigation puts the keyboard on the new page's title
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".notifications, .empty").first).to_be_visible()
    opened.screenshot("notifications-phone")

    # An organization's page, opened at its address (a reload on a deep link, signed in).
    opened.open(f"/organizations/{org['id']}")
    expect(title).to_have_text("Eaux Vives Médecins")
    expect(page.get_by_text("Clean water for every school in the Rhône.")).to_be_visible()
    expect(page.get_by_text("Verified", exact=True)).to_be_visible()
    opened.screenshot("organization-phone")
    page.get_by_label("Language").select_option("fr")
    expect(page.get_by_text("Vérifiée", exact=True)).to_be_visible()
    expect(page.get_by_text("0 abonné")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    opened.screenshot("organization-desktop-fr")
    page.get_by_label("Langue").select_option("en")
    expect(page.get_by_text("Verified", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Continue with Facebook")).to_be_visible()
    opened.open("/")
    expect(page.get_by_role("link", name="Continue with Facebook")).to_be_visible()
    assert opened.watched.problems(((401, "/auth/refresh"),)) == []
