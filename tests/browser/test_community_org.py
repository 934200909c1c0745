"""The community area in the browser: an organization's page shows what was made through the
API (its news, opportunity, event and a review with the "volunteered here" badge and the
summary), and following from it (with a setting changed) is what GET /users/me/following/orgs
answers; an event's page takes an RSVP with guests that a reload still shows (and the API
holds), in English and in French, with its .ics to download."""

from __future__ import annotations

from typing import Any

from browser_support import DESKTOP, PHONE
from community_support import (
    SIGNED_OUT_REFRESH,
    event,
    expect,
    main_fits,
    opportunity,
    person,
    serious_violations,
    sign_in_again,
    verified_org,
    volunteered,
)

# tests/e2e's helpers (on the path: conftest.py loads tests/e2e's conftest).
from e2e_orgs import ok  # type: ignore[import-not-found]

NEWS = "Thank you all: forty bags of litter out of the Rhône."


def test_an_organization_page_shows_its_news_opportunities_events_reviews_and_follows(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    owner, org = verified_org(curl, other_curl, system, infra, "Rives Propres")
    ok(curl, "POST", f"{gw}/orgs/{org['id']}/posts", owner, {
        "title": "Forty bags on Saturday", "body": NEWS,
    })  # fmt: skip
    opp = opportunity(curl, system, owner, org, "Riverbank clean-up")
    happening = event(curl, system, owner, org, "Clean-up briefing")
    _, ann = person(curl, system)  # volunteered there, then reviewed
    volunteered(curl, system, owner, opp, ann, 2.5)
    review = ok(curl, "POST", f"{gw}/orgs/{org['id']}/reviews", ann, {
        "stars": 5, "text": "Kind people, well organized, real impact.",
    })  # fmt: skip
    assert review["volunteered"] is True

    bea_user, bea = person(other_curl, system)  # reads the page and follows
    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, bea_user, f"/organizations/{org['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rives Propres")
    expect(page.get_by_text(NEWS)).to_be_visible()
    expect(page.get_by_role("heading", name="Forty bags on Saturday")).to_be_visible()
    opp_link = page.get_by_role("link", name="Riverbank clean-up")
    expect(opp_link).to_have_attribute("href", f"/volunteer/opportunities/{opp['id']}")
    event_link = page.get_by_role("link", name="Clean-up briefing")
    expect(event_link).to_have_attribute("href", f"/happening/{happening['id']}")
    expect(page.get_by_text("Kind people, well organized, real impact.")).to_be_visible()
    expect(page.get_by_text("Volunteered here", exact=True)).to_be_visible()
    expect(page.get_by_text("5 out of 5 · 1 review")).to_be_visible()
    expect(page.get_by_text("5 out of 5 from 1 person who volunteered here")).to_be_visible()
    followers = page.locator(".org-head .meta")
    expect(followers).to_contain_text("0 followers")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("heading", name="You follow this organization")).to_be_visible()
    expect(followers).to_contain_text("1 follower ·")
    page.get_by_label("Notify me of").select_option("all")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    followed = ok(other_curl, "GET", f"{gw}/users/me/following/orgs", bea)["items"]
    assert [(f["org"]["org_id"], f["settings"]["notify"]) for f in followed] == [(org["id"], "all")]
    assert serious_violations(page) == []
    assert main_fits(page)
    opened.screenshot("community-organization-desktop")
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("community-organization-phone")

    page.get_by_role("button", name="Unfollow").click()
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    assert ok(other_curl, "GET", f"{gw}/users/me/following/orgs", bea)["items"] == []
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []


def test_an_event_takes_an_rsvp_with_guests_that_a_reload_keeps(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    owner, org = verified_org(curl, other_curl, system, infra, "Rives Propres")
    happening = event(curl, system, owner, org, "Clean-up briefing", capacity=20)
    bea_user, bea = person(other_curl, system)
    opened = open_page(bypass_csp=True)
    page = opened.page
    path = f"/happening/{happening['id']}"
    sign_in_again(opened, bea_user, path)
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Clean-up briefing")
    expect(page.get_by_text("You have not answered yet.")).to_be_visible()
    expect(page.get_by_text("0 going of 20")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_label("Going", exact=True).check()
    page.get_by_label("Guests you bring (0 to 5)").fill("2")
    page.get_by_role("button", name="Save my answer").click()
    status = page.get_by_test_id("rsvp-status")
    expect(status).to_have_text("You are going, with 2 guests.")
    expect(page.get_by_text("3 going of 20")).to_be_visible()  # bea and her two guests
    mine = ok(other_curl, "GET", f"{gw}/events/{happening['id']}", bea)["my_rsvp"]
    assert (mine["status"], mine["guests"]) == ("going", 2)

    opened.open(path)  # a reload: still going, with the two guests
    expect(status).to_have_text("You are going, with 2 guests.")
    expect(page.get_by_label("Guests you bring (0 to 5)")).to_have_value("2")
    ics = page.get_by_role("link", name="Download this event (.ics)")
    expect(ics).to_have_attribute("href", f"/events/{happening['id']}.ics")
    calendar = page.request.get(opened.url(f"/events/{happening['id']}.ics"))
    assert calendar.status == 200
    assert "BEGIN:VCALENDAR" in calendar.text()
    assert "Clean-up briefing" in calendar.text()
    page.get_by_role("button", name="Get my calendar address").click()
    feed = page.get_by_role("link", name="/calendars/")
    expect(feed).to_be_visible()
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("community-event-phone")

    page.get_by_label("Language").select_option("fr")
    expect(status).to_have_text("Vous y allez, avec 2 invités.")
    expect(page.get_by_role("heading", name="Viendrez-vous ?")).to_be_visible()
    assert serious_violations(page) == []  # at a phone's size, the header's menu closed
    page.set_viewport_size(DESKTOP)
    assert serious_violations(page) == []
    opened.screenshot("community-event-desktop-fr")
    page.get_by_label("Langue").select_option("en")
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []
