"""Moderation and invitations in the browser: a moderator turns an organization down with a
reason, hides a reported news post and approves the claim of an unclaimed (imported)
organization (/moderate); a person invited as admin accepts from "My organizations" and lands
on the organization's dashboard — each checked through the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_orgs import eventually, ok  # type: ignore[import-not-found]
from organization_support import (
    SIGNED_OUT,
    SLOW,
    check_page,
    draft_org,
    import_unclaimed,
    known_to_orgs,
    moderator,
    person,
    sign_in_again,
    verified_org,
)
from playwright.sync_api import expect


def test_a_moderator_rejects_an_organization_and_hides_a_reported_post(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    mod_user, mod = moderator(curl, system, infra)
    _, owner = person(other_curl, system)
    org = verified_org(other_curl, system, owner, mod, "Jardins Partagés de la Croix-Rousse")
    post = ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/posts", owner, {
        "title": "Win a free phone", "body": "Click the link to claim your prize.",
    })  # fmt: skip
    _, reporter = person(other_curl, system)
    ok(other_curl, "POST", f"{gw}/reports", reporter, {
        "target_kind": "post", "target_id": post["id"], "reason": "spam",
        "text": "Not what a garden posts.",
    })  # fmt: skip
    pending = draft_org(other_curl, system, owner, "Association Fantôme")
    ok(other_curl, "POST", f"{gw}/orgs/{pending['id']}/submit", owner)

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, mod_user, "/moderate")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")
    item = page.locator("li", has=page.get_by_role("link", name="Association Fantôme"))
    expect(item.get_by_text("Awaiting verification")).to_be_visible()
    report = page.locator("li.application", has_text=post["id"])
    expect(report.get_by_role("heading", name="A news post 1 report")).to_be_visible()
    expect(report.get_by_text("Spam — Not what a garden posts.")).to_be_visible()
    check_page(opened, "moderation")

    item.get_by_role("button", name="Turn down Association Fantôme").click()
    item.get_by_label("Why (the organization sees it)").fill("No registration number we can check.")
    item.get_by_role("button", name="Turn it down").click()
    expect(item.get_by_text("Turned down", exact=True)).to_be_visible()
    rejected = ok(other_curl, "GET", f"{gw}/orgs/{pending['id']}", owner)
    assert rejected["status"] == "rejected"
    assert rejected["rejection_reason"] == "No registration number we can check."

    report.get_by_label("Note for the record").fill("Spam, plainly.")
    report.get_by_role("button", name="Hide it").click()
    expect(report.get_by_text("Hidden. The reporters are told.")).to_be_visible()
    [mine] = ok(other_curl, "GET", f"{gw}/reports/mine", reporter)["items"]
    assert (mine["status"], mine["outcome"]) == ("resolved", "hidden")
    assert opened.watched.problems(SIGNED_OUT) == []


def test_an_invited_admin_accepts_from_my_organizations(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    _, mod = moderator(other_curl, system, infra)
    _, owner = person(other_curl, system)
    org = verified_org(other_curl, system, owner, mod, "Ateliers Vélo Solidaire")
    user, invitee = person(curl, system)
    known_to_orgs(other_curl, system, owner, invitee["user"]["id"])
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/invitations", owner, {
        "user_id": invitee["user"]["id"], "role": "admin",
    })  # fmt: skip

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, "/manage")
    invitations = page.locator("section", has=page.get_by_role("heading", name="Invitations"))
    expect(invitations.get_by_role("strong")).to_have_text("Ateliers Vélo Solidaire")
    expect(invitations.get_by_text("As Admin", exact=False)).to_be_visible()
    check_page(opened, "invitations")
    invitations.get_by_role("button", name="Accept Ateliers Vélo Solidaire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ateliers Vélo Solidaire")
    expect(page.locator(".manage-head").get_by_text("Admin", exact=True)).to_be_visible()
    members = ok(other_curl, "GET", f"{gw}/orgs/{org['id']}/members", owner)["items"]
    assert (invitee["user"]["id"], "admin", "active") in [
        (m["user_id"], m["role"], m["state"]) for m in members
    ]
    # Now one of mine: listed, and no longer an invitation.
    page.get_by_role("link", name="My organizations").click()
    expect(page.locator(".manage-list li", has_text="Ateliers Vélo Solidaire")).to_be_visible()
    expect(page.get_by_role("heading", name="Invitations")).to_have_count(0)
    assert opened.watched.problems(SIGNED_OUT) == []


def test_a_moderator_approves_a_claim_of_an_unclaimed_organization(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any, tmp_path: Path
) -> None:
    gw = system.gateway.url
    mod_user, _ = moderator(curl, system, infra)
    import_unclaimed(system, infra, tmp_path, "Atelier Vélo Gerland")
    _, claimant = person(other_curl, system)

    def imported() -> Any:  # search is fed by the import's org.created
        items = ok(other_curl, "GET", f"{gw}/orgs?q=Gerland", claimant)["items"]
        return next((o for o in items if o["name"] == "Atelier Vélo Gerland"), None)

    org = eventually(imported, "the imported organization in search", SLOW)
    ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/claims", claimant, {
        "evidence": "I founded it in 2019; the phone number on its site is mine.",
    })  # fmt: skip

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, mod_user, "/moderate")
    claims = page.locator("section", has=page.get_by_role("heading", name="Claims"))
    item = claims.locator("li", has=page.get_by_role("link", name="Atelier Vélo Gerland"))
    expect(item.get_by_text("I founded it in 2019", exact=False)).to_be_visible()
    name = claimant["user"]["display_name"]
    item.get_by_role("button", name=f"Approve the claim of {name}").click()
    expect(item.get_by_text("Approved: the claimant is its owner")).to_be_visible()
    owned = ok(other_curl, "GET", f"{gw}/orgs/{org['id']}", claimant)
    assert owned["your_role"] == "owner"
    [claim] = ok(other_curl, "GET", f"{gw}/claims/mine", claimant)["items"]
    assert claim["state"] == "approved"
    assert opened.watched.problems(SIGNED_OUT) == []
