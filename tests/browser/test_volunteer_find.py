"""Search (/find) and recommendations (/find/recommended) in the browser, against the real
stack: opportunities published through the API are found by words and by cause, filtered out
by remote / on site, dates and cause, shown with their distance from the person's location;
results come by cursor pages ("Show more"); organizations are found too; the recommendations
show their "why"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from browser_support import DESKTOP, PHONE
from e2e_orgs import ok  # type: ignore[import-not-found]
from playwright.sync_api import Page
from volunteer_support import (
    SIGNED_OUT_REFRESH,
    eventually,
    expect,
    found,
    main_fits,
    one_off,
    person,
    publish,
    serious_violations,
    sign_in_again,
    verified_org,
)

QUILLON, FONTAINES = "Rives Quillon", "Fontaines Vives"
KM_AWAY = re.compile(r"\d+([.,]\d)? km away")


def results(page: Page) -> Any:
    """The results shown (the list's own items, not their reasons')."""
    return page.get_by_role("region", name="Results").locator(".v-results > li")


def search(page: Page) -> str:
    """Press Search; the URL of the API call it made."""
    with page.expect_response(lambda r: "/opportunities?" in r.url or "/orgs?" in r.url) as sent:
        page.get_by_role("button", name="Search", exact=True).click()
    return sent.value.url


def titled(page: Page, title: str, of: str) -> Any:
    """The result of that title shown with its organization's name ``of``: the browser tests
    share one system, and another test's organization may have an opportunity of the same
    title (test_community_org's Rives Propres has a Riverbank clean-up too)."""
    link = page.get_by_role("link", name=title, exact=True)
    return results(page).filter(has=link).filter(has_text=of)


def weekly(day: str, start: str, end: str) -> dict[str, Any]:
    """A recurring commitment: every ``day`` from ``start`` to ``end`` (Paris time), all year."""
    return {
        "kind": "recurring", "days": [day], "start_time": start, "end_time": end,
        "hours_per_session": 2, "starts_on": "2031-01-01", "ends_on": "2031-12-31", "places": 4,
    }  # fmt: skip


def day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def test_search_finds_opportunities_by_words_and_cause_filters_them_and_pages(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    owner, org = verified_org(curl, other_curl, system, infra, QUILLON)
    river = publish(
        curl, system, owner, org, title="Riverbank clean-up", skills_wanted=["First Aid"]
    )
    reading = publish(
        curl, system, owner, org, title="Online reading help", causes=["literacy"],
        remote=True, commitment=one_off(30),
    )  # fmt: skip
    other, lanterns = verified_org(curl, other_curl, system, infra, "Lanternes Unies")
    for n in range(21):  # one more than a page
        publish(
            curl,
            system,
            other,
            lanterns,
            title=f"Lantern walk {n + 1}",
            commitment=one_off(3),
            causes=["neighbourhoods"],
        )
    user, login = person(curl, system)
    gw = system.gateway.url
    ok(
        curl,
        "PATCH",
        f"{gw}/users/me",
        login,
        {"location": {"city": "Lyon", "lat": 45.75, "lng": 4.84}},
    )
    last = ok(curl, "GET", f"{gw}/orgs/{lanterns['id']}/opportunities?limit=1", other)["items"][0]
    for query, opp_id in (
        ("q=quillon", river["id"]),
        ("q=quillon", reading["id"]),
        ("q=lantern", last["id"]),
    ):
        eventually(lambda: found(curl, system, login, query, opp_id) or None, f"{query} in search")  # noqa: B023

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, "/find")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find where to help")

    # By words (the organization's name): both, each with why it matched.
    page.get_by_label("Words").fill("quillon")
    search(page)
    expect(results(page)).to_have_count(2)
    expect(titled(page, "Riverbank clean-up", of=QUILLON)).to_contain_text("Matches: quillon")
    expect(titled(page, "Online reading help", of=QUILLON)).to_contain_text("Remote")
    assert "q=quillon" in page.url  # the filters are in the address

    # By skills: the riverbank wants first aid, the reading help no skill.
    more = page.locator("summary", has_text="More filters")
    expect(page.get_by_label("Skills")).to_be_hidden()  # folded away at first
    more.click()
    page.get_by_label("Skills").fill("first aid")
    asked = search(page)
    assert "skills=first+aid" in asked or "skills=first%20aid" in asked
    expect(results(page)).to_have_count(1)
    expect(titled(page, "Riverbank clean-up", of=QUILLON)).to_contain_text("Skills: first aid")
    page.get_by_label("Skills").fill("")

    # Filtered out: on site only, remote only, a cause, dates.
    page.get_by_label("Where").select_option(label="On site only")
    search(page)
    expect(results(page)).to_have_count(1)
    expect(titled(page, "Riverbank clean-up", of=QUILLON)).to_be_visible()
    page.get_by_label("Where").select_option(label="Remote only")
    search(page)
    expect(results(page)).to_have_count(1)
    expect(titled(page, "Online reading help", of=QUILLON)).to_be_visible()
    page.get_by_label("Where").select_option(label="Remote or on site")
    page.get_by_label("From").fill(day(20))
    page.get_by_label("Until").fill(day(40))
    search(page)
    expect(results(page)).to_have_count(1)
    expect(titled(page, "Online reading help", of=QUILLON)).to_be_visible()
    page.get_by_label("From").fill("")
    page.get_by_label("Until").fill("")

    # By cause, without words: clean water finds the riverbank, not the reading help.
    page.get_by_label("Words").fill("")
    page.get_by_label("Cause").select_option("clean-water")
    search(page)
    expect(titled(page, "Riverbank clean-up", of=QUILLON)).to_contain_text("Causes: Clean water")
    expect(titled(page, "Online reading help", of=QUILLON)).to_have_count(0)
    page.get_by_label("Cause").select_option("literacy")
    search(page)  # (other tests' opportunities may be found too: only these two are checked)
    expect(titled(page, "Online reading help", of=QUILLON)).to_be_visible()
    expect(titled(page, "Riverbank clean-up", of=QUILLON)).to_have_count(0)

    # Near my location (the profile's), with the distance shown.
    page.get_by_label("Cause").select_option("")
    page.get_by_label("Words").fill("riverbank")
    nearest = page.get_by_label("Order").locator("option", has_text="Nearest first")
    expect(nearest).to_be_disabled()  # nearest to nothing: near me is off
    page.get_by_label("Near my location").check()
    page.get_by_label("Within (km)").fill("10")
    page.get_by_label("Order").select_option(label="Nearest first")
    asked = search(page)
    assert "near=45.75%2C4.84" in asked
    assert "radius_km=10" in asked
    assert "sort=distance" in asked
    expect(titled(page, "Riverbank clean-up", of=QUILLON)).to_contain_text(KM_AWAY)
    assert serious_violations(page) == []
    opened.screenshot("volunteer-find-desktop")

    # A reload keeps the filters and the results.
    opened.open(page.url.removeprefix(system.gateway.url))
    expect(page.get_by_label("Words")).to_have_value("riverbank")
    expect(page.get_by_label("Near my location")).to_be_checked()
    expect(titled(page, "Riverbank clean-up", of=QUILLON)).to_contain_text(KM_AWAY)
    shown = page.evaluate("performance.now()")  # reported, not asserted
    print(f"search results shown {shown:.0f} ms after the reload's navigation started")

    # Cursor pages: 21 lantern walks, 20 at first, then the rest.
    page.get_by_label("Near my location").uncheck()
    page.get_by_label("Words").fill("lantern")
    search(page)
    expect(results(page)).to_have_count(20)
    expect(page.get_by_text("20 results shown, more below")).to_be_visible()
    with page.expect_response(lambda r: "cursor=" in r.url):
        page.get_by_role("button", name="Show more").click()
    expect(results(page)).to_have_count(21)
    expect(page.get_by_role("button", name="Show more")).to_have_count(0)

    # Organizations, by words and near me, with their distance.
    page.get_by_label("Organizations").check()
    page.get_by_label("Words").fill("quillon")
    page.get_by_label("Near my location").check()
    search(page)
    expect(results(page)).to_have_count(1)
    expect(titled(page, "Rives Quillon", of=QUILLON)).to_contain_text(KM_AWAY)
    expect(titled(page, "Rives Quillon", of=QUILLON)).to_contain_text("Works for: Clean water")
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("volunteer-find-phone")
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []


def test_recommendations_say_why_and_search_keeps_to_my_availability(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    owner, org = verified_org(curl, other_curl, system, infra, "Fontaines Vives")
    opp = publish(curl, system, owner, org, title="Fountain survey", skills_wanted=["First Aid"])
    market = publish(
        curl, system, owner, org, title="Saturday market stall",
        commitment=weekly("sat", "09:00", "11:00"),
    )  # fmt: skip
    phone = publish(
        curl, system, owner, org, title="Tuesday phone line",
        commitment=weekly("tue", "19:00", "21:00"),
    )  # fmt: skip
    user, login = person(curl, system)
    gw = system.gateway.url
    ok(curl, "PATCH", f"{gw}/users/me", login, {
        "skills": ["first aid"], "location": {"city": "Lyon", "lat": 45.75, "lng": 4.85},
        "radius_km": 20, "availability": {"parts": ["weekend_mornings"]},
    })  # fmt: skip
    ok(curl, "PUT", f"{gw}/causes/clean-water/membership", login)

    def recommended() -> Any:  # once orgs has heard of the new profile
        items = ok(curl, "GET", f"{gw}/opportunities/recommended", login)["items"]
        hit = next((i for i in items if i["id"] == opp["id"]), None)
        terms = {t["name"] for t in hit["terms"] if t["points"] > 0} if hit else set()
        return hit if {"skills", "causes", "distance"} <= terms else None

    eventually(recommended, "the recommendation")
    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, "/find/recommended")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommended for you")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Fountain survey"))
    # Why, in this app's words (orgs' own sentence is English only) from the scored terms.
    expect(card).to_contain_text("Why: matches your skills: first aid")
    expect(card).to_contain_text("in one of your causes: Clean water")
    expect(card).to_contain_text(re.compile(r"under 1 km|\d+([.,]\d)? km away"))
    expect(card).to_contain_text("published today")
    expect(card.get_by_role("link", name="Fontaines Vives")).to_be_visible()
    assert serious_violations(page) == []
    opened.screenshot("volunteer-recommended-desktop")
    page.get_by_label("Language").select_option("fr")
    expect(card).to_contain_text("Pourquoi : correspond à vos compétences : first aid")
    expect(card).to_contain_text("publiée aujourd\u2019hui")
    opened.screenshot("volunteer-recommended-desktop-fr")
    page.get_by_label("Langue").select_option("en")
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("volunteer-recommended-phone")
    page.set_viewport_size(DESKTOP)

    # By keyboard alone: the link opens the page (its title takes the focus), Tab reaches the
    # form's button, Enter applies.
    card.get_by_role("link", name="Fountain survey").focus()
    page.keyboard.press("Enter")
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Fountain survey")
    expect(title).to_be_focused()
    assert page.url.endswith(f"/volunteer/opportunities/{opp['id']}")
    send = page.get_by_role("button", name="Send my application")
    for _ in range(8):
        page.keyboard.press("Tab")
        if send.evaluate("b => b === document.activeElement"):
            break
    expect(send).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Your application")).to_contain_text("Pending")

    # Only when I am available: the Saturday morning stall fits, the Tuesday evening line not.
    for shown in (market, phone):
        eventually(
            lambda: found(curl, system, login, "q=fontaines", shown["id"]) or None,  # noqa: B023
            "the weekly opportunities in search",
        )
    opened.open("/find?q=fontaines&available=me")
    expect(page.get_by_label("Only when I am available")).to_be_checked()
    expect(titled(page, "Saturday market stall", of=FONTAINES)).to_contain_text(
        "Fits your time: weekend mornings"
    )
    expect(titled(page, "Tuesday phone line", of=FONTAINES)).to_have_count(0)
    page.get_by_label("Only when I am available").uncheck()
    search(page)
    expect(titled(page, "Tuesday phone line", of=FONTAINES)).to_be_visible()
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []
