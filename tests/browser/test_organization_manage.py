"""An organization's side in the browser, part one: creating an organization and submitting it
for verification (/manage, /manage/new, /manage/:id), and a moderator verifying it from the
queue (/moderate) — what the API then says is checked through curl.
"""

from __future__ import annotations

from typing import Any

from e2e_orgs import ok  # type: ignore[import-not-found]
from organization_support import SIGNED_OUT, check_page, moderator, person, sign_in_again
from playwright.sync_api import expect


def test_create_an_organization_submit_it_and_a_moderator_verifies_it(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    user, login = person(curl, system)
    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, "/manage")
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("My organizations")
    expect(page.get_by_text("None yet. Create one, or accept an invitation.")).to_be_visible()
    check_page(opened, "manage")

    page.get_by_role("link", name="Create an organization").click()
    expect(title).to_have_text("Create an organization")
    page.get_by_label("Name").fill("Cantine Solidaire")
    page.get_by_label("Mission").fill("Hot meals for every student in Lyon.")
    environment = page.locator("summary", has_text="Environment and climate")
    expect(environment).to_be_visible()  # GET /causes answered: its families, folded
    # A form with a mistake says what is wrong, in words, and sends nothing.
    page.get_by_role("button", name="Create the organization").click()
    expect(page.get_by_role("alert")).to_have_text("Choose at least one cause.")
    environment.click()
    page.get_by_role("checkbox", name="Clean water").check()
    expect(environment.get_by_text("1 chosen")).to_be_visible()
    page.get_by_label("City").fill("Lyon")
    page.get_by_label("Country").fill("fr")
    page.get_by_label("Latitude").fill("45,764")
    page.get_by_label("Longitude").fill("4.8357")
    check_page(opened, "new")
    page.get_by_role("button", name="Create the organization").click()

    expect(title).to_have_text("Cantine Solidaire")
    org_id = page.url.rsplit("/", 1)[-1]
    expect(page.locator(".manage-head").get_by_text("Draft", exact=True)).to_be_visible()
    expect(page.locator(".manage-head").get_by_text("Owner", exact=True)).to_be_visible()
    org = ok(curl, "GET", f"{gw}/orgs/{org_id}", login)
    assert org["status"] == "draft"
    assert org["causes"] == ["clean-water"]
    # The HQ as typed (a comma read as a point); orgs keeps coordinates to 2 decimals.
    assert org["hq"] == {"city": "Lyon", "country": "FR", "lat": 45.76, "lng": 4.84}

    page.get_by_role("button", name="Submit for verification").click()
    expect(
        page.get_by_text("Awaiting verification: a moderator will look at it soon.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Submit for verification")).to_have_count(0)
    assert ok(curl, "GET", f"{gw}/orgs/{org_id}", login)["status"] == "pending"
    check_page(opened, "dashboard")

    # The list of my organizations has it, also after a reload (the browser remembers it).
    opened.open("/manage")
    row = page.locator(".manage-list li", has_text="Cantine Solidaire")
    expect(row.get_by_text("Awaiting verification")).to_be_visible()
    # Not a moderator: the moderation page says so plainly.
    page.get_by_role("link", name="Moderation").click()
    expect(page.get_by_text("Only moderators can see this page.")).to_be_visible()
    assert opened.watched.problems(SIGNED_OUT) == []

    # A moderator verifies it from the queue, in French.
    mod_user, mod = moderator(other_curl, system, infra)
    mod_opened = open_page(bypass_csp=True)
    mod_page = mod_opened.page
    sign_in_again(mod_opened, mod_user, "/moderate")
    expect(mod_page.get_by_role("heading", level=1)).to_have_text("Moderation")
    mod_page.get_by_label("Language").select_option("fr")
    expect(mod_page.get_by_role("heading", level=1)).to_have_text("Modération")
    item = mod_page.locator("li", has=mod_page.get_by_role("link", name="Cantine Solidaire"))
    expect(item.get_by_text("En attente de vérification")).to_be_visible()
    check_page(mod_opened, "moderation-fr")
    item.get_by_role("button", name="Vérifier Cantine Solidaire").click()
    expect(item.get_by_text("Vérifiée", exact=True)).to_be_visible()
    assert ok(other_curl, "GET", f"{gw}/orgs/{org_id}", mod)["status"] == "verified"
    assert mod_opened.watched.problems(SIGNED_OUT) == []

    # The owner's dashboard says so.
    opened.open(f"/manage/{org_id}")
    expect(
        page.get_by_text("Verified: everyone can find this organization", exact=False)
    ).to_be_visible()
    assert opened.watched.problems(SIGNED_OUT) == []
