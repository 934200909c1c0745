"""The onboarding after a first sign-up (/welcome), in the browser against the real stack: a new
person fills in skills, interests, a cause, location and radius, availability, findable and
showing joins on Facebook (off by default); a reload shows all of it kept, and identity's
GET /users/me (the page's own call), orgs' causes and notifier's preferences hold the values."""

from __future__ import annotations

import time
from typing import Any

from browser_support import DESKTOP, PHONE
from e2e_people import create_test_user  # type: ignore[import-not-found]
from volunteer_support import SIGNED_OUT_REFRESH, expect, main_fits, serious_violations


def test_a_newcomer_sets_up_their_profile_and_a_reload_shows_it_kept(
    open_page: Any, system: Any, curl: Any
) -> None:
    user = create_test_user(curl, system, installed=False)
    opened = open_page(bypass_csp=True)  # axe is injected below
    page = opened.page
    opened.sign_in(user, "/welcome")  # the first sign-up: identity creates the account
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Set up your profile")
    nav = page.get_by_role("navigation", name="Main")
    for entry in ("Find", "My applications", "Set up your profile"):
        expect(nav.get_by_role("link", name=entry, exact=True)).to_be_visible()

    sharing = page.get_by_label("Show the causes and organizations I join on Facebook")
    expect(sharing).not_to_be_checked()  # off by default
    findable = page.get_by_label("Organizations may find me and invite me to opportunities")
    expect(findable).not_to_be_checked()
    page.get_by_label("Your skills").fill("First aid,  cooking, first AID")
    page.get_by_label("Your interests").fill("rivers, birds")
    page.locator("summary", has_text="Environment and climate").click()
    page.get_by_label("Clean water", exact=True).check()
    page.get_by_label("City").fill("Lyon")
    page.get_by_label("Latitude").fill("45.7485")
    page.get_by_label("Longitude").fill("4.8357")
    page.get_by_label("How far you would travel (km)").fill("15")
    page.get_by_label("Weekend mornings").check()
    page.get_by_label("Weekday evenings").check()
    page.get_by_label("Hours a month you could give").fill("8")
    findable.check()
    sharing.check()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status").filter(has_text="Your profile is saved.")).to_be_visible()

    with page.expect_response(
        lambda r: r.url.endswith("/users/me") and r.request.method == "GET"
    ) as answered:
        page.reload()
    profile = answered.value.json()
    assert profile["skills"] == ["first-aid", "cooking"]  # identity keeps tags as slugs
    assert profile["interests"] == ["rivers", "birds"]
    assert profile["location"] == {"city": "Lyon", "lat": 45.75, "lng": 4.84}  # coarse
    assert profile["radius_km"] == 15
    assert profile["availability"] == {
        "parts": ["weekday_evenings", "weekend_mornings"],
        "hours_per_month": 8,
    }
    assert profile["findable"] is True

    expect(page.get_by_label("Your skills")).to_have_value("first aid, cooking")
    expect(page.get_by_label("Your interests")).to_have_value("rivers, birds")
    expect(page.get_by_label("Clean water", exact=True)).to_be_checked()  # its group opens
    expect(page.get_by_label("City")).to_have_value("Lyon")
    expect(page.get_by_label("Latitude")).to_have_value("45.75")
    expect(page.get_by_label("How far you would travel (km)")).to_have_value("15")
    expect(page.get_by_label("Weekend mornings")).to_be_checked()
    expect(page.get_by_label("Weekend evenings")).not_to_be_checked()
    expect(page.get_by_label("Hours a month you could give")).to_have_value("8")
    expect(findable).to_be_checked()
    expect(sharing).to_be_checked()
    # The welcome notification's share link (notifier makes it once it heard of the sign-up).
    deadline = time.monotonic() + 30
    while True:
        with page.expect_response(lambda r: "/notifications?" in r.url) as listed:
            opened.open("/welcome")
        if any(item["kind"] == "welcome" for item in listed.value.json()["items"]):
            break
        assert time.monotonic() < deadline, "no welcome notification"
        time.sleep(1)
    share = page.get_by_role("link", name="Share on Facebook")
    expect(share).to_be_visible()
    expect(page.get_by_label("Your skills")).to_have_value("first aid, cooking")
    assert (share.get_attribute("href") or "").startswith(f"{system.sandbox_url}/dialog/share?")
    opened.screenshot("volunteer-welcome-desktop")
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("volunteer-welcome-phone")

    # Leaving a cause and turning sharing off are kept too.
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Clean water", exact=True).uncheck()
    sharing.uncheck()
    with page.expect_response(lambda r: "/causes/clean-water/membership" in r.url) as left:
        page.get_by_role("button", name="Save my profile").click()
    assert left.value.request.method == "DELETE"
    assert left.value.ok
    expect(page.get_by_role("status").filter(has_text="Your profile is saved.")).to_be_visible()
    opened.open("/welcome")
    expect(page.get_by_label("Your skills")).to_have_value("first aid, cooking")
    expect(
        page.get_by_label("Show the causes and organizations I join on Facebook")
    ).not_to_be_checked()
    page.locator("summary", has_text="Environment and climate").click()
    expect(page.get_by_label("Clean water", exact=True)).not_to_be_checked()
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []
