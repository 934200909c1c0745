"""An organization's side in the browser, part two: its dashboard opened by address, its
figures, editing its page, inviting an editor, posting news and answering a review — each
checked through the API afterwards — and the dashboard in French.
"""

from __future__ import annotations

import json
from typing import Any

from e2e_orgs import call, eventually, ok  # type: ignore[import-not-found]
from organization_support import (
    SIGNED_OUT,
    SLOW,
    check_page,
    known_to_orgs,
    moderator,
    person,
    sign_in_again,
    verified_org,
)
from playwright.sync_api import expect


def test_edit_invite_post_news_and_answer_a_review(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    user, owner = person(curl, system)
    _, mod = moderator(other_curl, system, infra)
    org = verified_org(curl, system, owner, mod, "Banque Alimentaire du Rhône")
    _, editor = person(other_curl, system)
    _, reviewer = person(other_curl, system)
    review = ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/reviews", reviewer, {
        "stars": 4, "text": "Warm people; the Saturday shifts are well run.",
    })  # fmt: skip

    known_to_orgs(curl, system, owner, editor["user"]["id"])  # so that it can be invited

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, "/manage")
    # Made elsewhere (through the API): opened by its public page's address.
    page.get_by_label("Open an organization you belong to").fill(f"{gw}/organizations/{org['id']}")
    page.get_by_role("button", name="Open", exact=True).click()
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Banque Alimentaire du Rhône")
    expect(
        page.get_by_text("Verified: everyone can find this organization", exact=False)
    ).to_be_visible()
    figures = page.locator(".figures")
    expect(figures.get_by_text("Applications")).to_be_visible()  # GET /orgs/{id}/stats answered

    page.get_by_role("link", name="Edit page").click()
    expect(title).to_have_text("Edit the page")
    mission = page.get_by_label("Mission")
    expect(mission).to_have_value("Meals for every student in Lyon, cooked together.")
    mission.fill("Food parcels for 3,000 families a week, sorted by volunteers.")
    page.get_by_label("Website").fill("https://banque-alimentaire.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    edited = ok(curl, "GET", f"{gw}/orgs/{org['id']}", owner)
    assert edited["mission"] == "Food parcels for 3,000 families a week, sorted by volunteers."
    assert edited["website"].startswith("https://banque-alimentaire.example")
    assert edited["status"] == "verified"  # the page changed, not the registration
    check_page(opened, "edit")

    page.get_by_role("main").get_by_role("link", name="People").click()  # not the header's People
    expect(title).to_have_text("People")
    members = page.locator("section", has=page.get_by_role("heading", name="Members"))
    expect(members.get_by_text("(you)")).to_be_visible()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()
    page.get_by_label("Person").fill(f"{gw}/people/{editor['user']['id']}")  # a profile's address
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Send the invitation").click()
    name = editor["user"]["display_name"]
    expect(page.get_by_role("status").filter(has_text=f"{name} is invited.")).to_be_visible()
    pending = page.locator("section", has=page.get_by_role("heading", name="Pending invitations"))
    expect(pending.get_by_role("button", name=f"Withdraw {name}")).to_be_visible()
    expect(pending.get_by_text("Invited as Editor")).to_be_visible()
    invited = ok(curl, "GET", f"{gw}/orgs/{org['id']}/members?state=invited", owner)["items"]
    assert [(m["user_id"], m["role"]) for m in invited] == [(editor["user"]["id"], "editor")]
    # The invitee sees it in their invitations (GET /invitations).
    theirs = ok(other_curl, "GET", f"{gw}/invitations", editor)["items"]
    assert [i["org"]["org_id"] for i in theirs] == [org["id"]]
    check_page(opened, "people")
    # Withdrawn, it is gone on both sides.
    pending.get_by_role("button", name=f"Withdraw {name}").click()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()
    assert ok(curl, "GET", f"{gw}/orgs/{org['id']}/members?state=invited", owner)["items"] == []
    assert ok(other_curl, "GET", f"{gw}/invitations", editor)["items"] == []
    # Invited again and accepted (through the API), the editor is made admin, then removed.
    ok(curl, "POST", f"{gw}/orgs/{org['id']}/invitations", owner, {
        "user_id": editor["user"]["id"], "role": "editor",
    })  # fmt: skip
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/invitations/accept", editor)
    opened.open(f"/manage/{org['id']}/people")
    members.get_by_label(f"Role of {name}").select_option("admin")
    expect(members.locator("p.meta", has_text="Admin")).to_be_visible()  # read again

    def roles() -> dict[str, str]:
        items = ok(curl, "GET", f"{gw}/orgs/{org['id']}/members", owner)["items"]
        return {m["user_id"]: m["role"] for m in items}

    assert roles()[editor["user"]["id"]] == "admin"
    members.get_by_role("button", name=f"Remove {name}").click()
    expect(members.get_by_role("button", name=f"Remove {name}")).to_have_count(0)
    assert editor["user"]["id"] not in roles()

    page.get_by_role("link", name="News").click()
    expect(title).to_have_text("News")
    expect(page.get_by_text("No news yet.")).to_be_visible()
    page.get_by_label("Title").fill("New depot in Vénissieux")
    page.get_by_label("Text").fill("From Monday we sort parcels at 12 rue Jules Guesde.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").filter(has_text="Published.")).to_be_visible()
    expect(page.get_by_role("heading", name="New depot in Vénissieux")).to_be_visible()
    posts = ok(curl, "GET", f"{gw}/orgs/{org['id']}/posts", owner)["items"]
    assert [p["title"] for p in posts] == ["New depot in Vénissieux"]
    check_page(opened, "news")

    page.get_by_role("link", name="Reviews").click()
    expect(title).to_have_text("Reviews")
    expect(page.get_by_text("Warm people; the Saturday shifts are well run.")).to_be_visible()
    expect(page.get_by_label("4 stars out of 5")).to_be_visible()
    reviewer_name = reviewer["user"]["display_name"]
    page.get_by_label(f"Answer {reviewer_name}").fill("Thank you, see you on Saturday!")
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.get_by_text("The organization's answer,", exact=False)).to_be_visible()
    answered = ok(other_curl, "GET", f"{gw}/reviews/{review['id']}", reviewer)
    assert answered["answer"]["text"] == "Thank you, see you on Saturday!"
    check_page(opened, "reviews")

    # The dashboard in French: its words, its numbers.
    page.get_by_role("link", name="Overview").click()
    page.get_by_label("Language").select_option("fr")
    expect(title).to_have_text("Banque Alimentaire du Rhône")
    expect(page.get_by_role("heading", name="Chiffres")).to_be_visible()
    expect(page.locator(".manage-head").get_by_text("Vérifiée", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Modifier la page")).to_be_visible()
    check_page(opened, "dashboard-fr")
    assert opened.watched.problems(SIGNED_OUT) == []


def test_link_the_organization_s_facebook_page(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    user, owner = person(curl, system)
    _, mod = moderator(other_curl, system, infra)
    org = verified_org(curl, system, owner, mod, "Secours Populaire Villeurbanne")
    # The owner's Facebook account manages a Page of that name (the sandbox's).
    made = curl(
        "-X", "POST", "-H", "Content-Type: application/json",
        "--data", json.dumps({"owner_id": user["id"], "name": org["name"]}),
        f"{system.sandbox_url}/__sandbox/pages",
    )  # fmt: skip
    assert made.status == 200, made.body
    page_id = str(made.json()["id"])

    def notifier_knows_the_owner() -> bool | None:  # it hears of the org's people by events
        return (
            call(curl, "POST", f"{gw}/facebook-pages/{org['id']}/login", owner, {}).status == 200
            or None
        )

    eventually(notifier_knows_the_owner, "notifier knowing the organization's owner", SLOW)

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, f"/manage/{org['id']}")
    facebook = page.locator("details", has=page.get_by_role("heading", name="Facebook Page"))
    facebook.get_by_role("heading", name="Facebook Page").click()  # opens it: then it is read
    expect(facebook.get_by_text("No Facebook Page is linked.", exact=False)).to_be_visible()
    with page.context.expect_page() as opened_tab:
        facebook.get_by_role("button", name="Link a Facebook Page").click()
    tab = opened_tab.value
    tab.get_by_role("button", name="Continue").click()  # the sandbox's consent, Page permissions
    tab.wait_for_url(f"{gw}/facebook-pages/callback?**")
    assert json.loads(tab.locator("body").inner_text())["linked"] is True
    tab.close()

    expect(facebook.get_by_text("Facebook opened in a new tab", exact=False)).to_be_visible()
    facebook.get_by_role("button", name="Check again").click()
    expect(facebook.get_by_text(f"Linked to {org['name']}")).to_be_visible()
    news = facebook.get_by_label("Post news to the Page")
    before = news.is_checked()
    news.click()
    expect(facebook.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    linked = ok(curl, "GET", f"{gw}/facebook-pages/{org['id']}", owner)
    assert (linked["linked"], linked["page_id"], linked["post_news"]) == (True, page_id, not before)
    check_page(opened, "facebook")
    assert opened.watched.problems(SIGNED_OUT) == []
