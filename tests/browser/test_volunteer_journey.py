"""The volunteer's journey in the browser, against the real stack: signed in, they find an
opportunity by search, open its page, answer its questions (a required one left blank is
refused in the page), apply, and see it pending on the page and in their applications; once
the organization's admin accepts through the API, a reload shows it accepted. Another one is
withdrawn from their applications; one the organization declined shows its reason. The
applications are also rendered in French."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from browser_support import DESKTOP, PHONE
from e2e_orgs import call, ok  # type: ignore[import-not-found]
from volunteer_support import (
    SIGNED_OUT_REFRESH,
    eventually,
    expect,
    found,
    in_,
    main_fits,
    one_off,
    person,
    publish,
    serious_violations,
    sign_in_again,
    verified_org,
)

WHY = "Why do you want to help?"
ALLERGIES = "Any allergies we should know about?"


def test_a_volunteer_finds_applies_and_sees_the_answer(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    owner, org = verified_org(curl, other_curl, system, infra, "Eaux de Fourvière")
    fountain = publish(
        curl, system, owner, org, title="Fountain repair day", minimum_age=16,
        commitment={"kind": "one_off", "slots": [*one_off(6, 2)["slots"], *one_off(7, 2)["slots"]]},
        prerequisites=["Sturdy shoes"],
        questions=[{"text": WHY, "required": True}, {"text": ALLERGIES, "required": False}],
    )  # fmt: skip
    weekly = {
        "kind": "recurring", "days": ["sun", "sat"], "start_time": "09:00", "end_time": "12:00",
        "hours_per_session": 3, "starts_on": "2031-03-01", "ends_on": "2031-06-30", "places": 5,
    }  # fmt: skip
    birds = publish(curl, system, owner, org, title="Heron count", commitment=weekly)
    pond = publish(curl, system, owner, org, title="Pond survey", commitment=one_off(12))
    _, watcher = person(curl, system)  # anyone: search is the same for everyone
    for opp in (fountain, birds):
        eventually(
            lambda: found(curl, system, watcher, "q=fourviere", opp["id"]) or None,  # noqa: B023
            "the opportunities in search",
        )

    user, login = person(curl, system)
    opened = open_page(bypass_csp=True)  # axe is injected below
    page = opened.page
    title = page.get_by_role("heading", level=1)
    sign_in_again(opened, user, "/find")
    page.get_by_label("Words").fill("fountain repair")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name="Fountain repair day").click()
    expect(title).to_have_text("Fountain repair day")
    assert page.url.endswith(f"/volunteer/opportunities/{fountain['id']}")
    expect(page.get_by_text("Sturdy shoes")).to_be_visible()
    expect(page.get_by_text("4 of 4 left")).to_be_visible()
    expect(page.get_by_text("Clean water", exact=True)).to_be_visible()  # the cause's name
    assert serious_violations(page) == []
    opened.screenshot("volunteer-opportunity-desktop")
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("volunteer-opportunity-phone")
    page.set_viewport_size(DESKTOP)

    # The required question left blank: refused in the page, the keyboard put on it.
    why = page.get_by_label(WHY)
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_text("Please answer this question.")).to_be_visible()
    expect(why).to_be_focused()
    why.fill("I fixed pumps for ten years.")
    page.get_by_label(ALLERGIES).fill("None")
    page.get_by_label("A message to the organization").fill("I can bring tools.")
    page.get_by_label("I am 16 or older").check()
    page.get_by_role("group", name="Which shift").get_by_role("radio").nth(1).check()
    with page.expect_response(lambda r: r.url.endswith("/applications")) as sent:
        page.get_by_role("button", name="Send my application").click()
    assert sent.value.status == 201
    application = sent.value.json()
    assert application["status"] == "pending"
    assert {a["text"] for a in application["answers"]} == {"I fixed pumps for ten years.", "None"}
    assert application["meets_minimum_age"] is True
    assert application["slot_id"] == fountain["slots"][1]["id"]  # the second shift, as chosen
    mine = page.get_by_role("region", name="Your application")
    expect(mine).to_contain_text("Pending")

    page.get_by_role("link", name="See all my applications").click()
    expect(title).to_have_text("My applications")
    card = page.get_by_role("listitem").filter(has_text="Fountain repair day")
    expect(card).to_contain_text("Pending")
    expect(card.get_by_role("link", name="Eaux de Fourvière")).to_be_visible()

    # The organization's admin accepts it through the API; a reload shows it.
    accepted = ok(curl, "POST", f"{gw}/applications/{application['id']}/accept", owner)
    assert accepted["status"] == "accepted"
    opened.open("/my/applications")
    expect(card).to_contain_text("Accepted")
    # (the organization's name read too, before leaving: a request cut short counts as failed)
    expect(card.get_by_role("link", name="Eaux de Fourvière")).to_be_visible()
    opened.open(f"/volunteer/opportunities/{fountain['id']}")
    expect(mine).to_contain_text("Accepted")
    expect(page.get_by_role("button", name="Send my application")).to_have_count(0)

    # Another application, withdrawn from my applications after a confirmation.
    opened.open(f"/volunteer/opportunities/{birds['id']}")
    expect(title).to_have_text("Heron count")
    expect(
        page.get_by_text("Every Saturday, Sunday, 09:00\u201312:00 (Europe/Paris time),")
    ).to_be_visible()
    expect(page.get_by_text("from Mar 1, 2031 to Jun 30, 2031.")).to_be_visible()
    page.get_by_role("button", name="Send my application").click()
    expect(mine).to_contain_text("Pending")
    page.get_by_role("link", name="See all my applications").click()
    herons = page.get_by_role("listitem").filter(has_text="Heron count")
    expect(herons).to_contain_text("Pending")
    herons.get_by_role("button", name="Withdraw my application to Heron count").click()
    with page.expect_response(lambda r: r.url.endswith("/withdraw")) as withdrawn:
        herons.get_by_role("button", name="Yes, withdraw").click()
    assert withdrawn.value.json()["status"] == "withdrawn"
    expect(herons).to_contain_text("Withdrawn")
    # One the organization declined, with its reason (applied through the API here).
    pending = ok(curl, "POST", f"{gw}/opportunities/{pond['id']}/applications", login, {})
    ok(curl, "POST", f"{gw}/applications/{pending['id']}/decline", owner, {
        "reason": "no_places", "text": "All the boats are taken, sorry.",
    })  # fmt: skip
    opened.open("/my/applications")
    expect(herons).to_contain_text("Withdrawn")
    ponds = page.get_by_role("listitem").filter(has_text="Pond survey")
    expect(ponds).to_contain_text("Declined")
    expect(ponds).to_contain_text("There were no places left. — All the boats are taken, sorry.")
    expect(herons.get_by_role("button")).to_have_count(0)  # a final state: nothing to withdraw
    expect(
        card.get_by_role("button", name="Withdraw my application to Fountain repair day")
    ).to_be_visible()
    assert serious_violations(page) == []
    opened.screenshot("volunteer-applications-desktop")
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("volunteer-applications-phone")

    # In French: the page, the states, the dates.
    page.get_by_label("Language").select_option("fr")
    expect(title).to_have_text("Mes candidatures")
    expect(card).to_contain_text("Acceptée")
    expect(herons).to_contain_text("Retirée")
    expect(ponds).to_contain_text("Il ne restait plus de place.")
    expect(card).to_contain_text("envoyée le")
    page.get_by_role("button", name="Menu").click()  # a phone's entries, behind the menu
    expect(
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Trouver"
        )
    ).to_be_visible()
    page.set_viewport_size(DESKTOP)
    assert serious_violations(page) == []
    opened.screenshot("volunteer-applications-desktop-fr")
    page.get_by_label("Langue").select_option("en")

    # A paused opportunity takes no application; an unknown one is not found.
    ok(curl, "POST", f"{gw}/opportunities/{pond['id']}/pause", owner)
    opened.open(f"/volunteer/opportunities/{pond['id']}")
    expect(title).to_have_text("Pond survey")
    expect(page.get_by_text("Paused", exact=True)).to_be_visible()
    expect(page.get_by_text("This opportunity is not taking applications now.")).to_be_visible()
    expect(page.get_by_role("button", name="Send my application")).to_have_count(0)
    unknown = "0" * 32
    opened.open(f"/volunteer/opportunities/{unknown}")
    expect(title).to_have_text("Page not found")
    expect(
        page.get_by_text("This opportunity does not exist or is no longer shown.")
    ).to_be_visible()
    missing = (404, f"/opportunities/{unknown}")
    assert opened.watched.problems((*SIGNED_OUT_REFRESH, missing)) == []


def test_an_invited_volunteer_accepts_one_invitation_and_declines_another(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    owner, org = verified_org(curl, other_curl, system, infra, "Jardins Partagés")
    soon = {  # check-in opens an hour before a shift starts: this one is open now
        "starts_at": in_(timedelta(minutes=30)), "ends_at": in_(timedelta(hours=3)), "places": 2,
    }  # fmt: skip
    garden = publish(
        curl, system, owner, org, title="Garden build", questions=[{"text": WHY}],
        commitment={"kind": "one_off", "slots": [soon]},
    )  # fmt: skip
    compost = publish(curl, system, owner, org, title="Compost day")
    user, login = person(curl, system)
    ok(curl, "PATCH", f"{gw}/users/me", login, {"findable": True, "skills": ["carpentry"]})

    def invite(opp: Any, message: str) -> Any:  # once orgs has heard the person is findable
        url = f"{gw}/opportunities/{opp['id']}/invitations"
        body = {"volunteer_id": login["user"]["id"], "message": message}
        answer = call(curl, "POST", url, owner, body)
        return answer.json() if answer.status == 201 else None

    eventually(lambda: invite(garden, "Your carpentry would help us a lot."), "an invitation")
    declined = invite(compost, "Come and turn the heaps.")
    assert declined is not None

    opened = open_page(bypass_csp=True)  # axe is injected below
    page = opened.page
    title = page.get_by_role("heading", level=1)
    sign_in_again(opened, user, "/my/applications")
    invitations = page.get_by_role("region", name="Invitations for you")
    gardens = invitations.get_by_role("listitem").filter(has_text="Garden build")
    expect(gardens).to_contain_text("Your carpentry would help us a lot.")
    expect(gardens).to_contain_text("Jardins Partagés")
    composts = invitations.get_by_role("listitem").filter(has_text="Compost day")
    expect(composts).to_contain_text("Come and turn the heaps.")
    assert serious_violations(page) == []
    opened.screenshot("volunteer-invitations-desktop")
    with page.expect_response(lambda r: r.url.endswith("/decline")) as answered:
        composts.get_by_role("button", name="Decline the invitation to Compost day").click()
    assert answered.value.json()["status"] == "declined"
    expect(composts).to_contain_text("You declined this invitation.")

    gardens.get_by_role("link", name="Answer and accept the invitation to Garden build").click()
    expect(title).to_have_text("Garden build")
    form = page.get_by_role("form", name="Accept the invitation")
    expect(form).to_contain_text("Jardins Partagés invites you.")
    form.get_by_label(WHY).fill("I build sheds.")
    with page.expect_response(lambda r: r.url.endswith("/accept")) as accepted:
        form.get_by_role("button", name="Accept and join").click()
    assert accepted.value.json()["application"]["status"] == "accepted"
    expect(page.get_by_role("region", name="Your application")).to_contain_text("Accepted")
    page.get_by_role("link", name="See all my applications").click()
    expect(title).to_have_text("My applications")
    expect(page.get_by_role("region", name="Invitations for you")).to_have_count(0)  # answered
    card = page.get_by_role("listitem").filter(has_text="Garden build")
    expect(card).to_contain_text("Accepted")
    expect(card.get_by_role("link", name="Jardins Partagés")).to_be_visible()

    # On arrival: the code to show, which the organization types in to check them in.
    with page.expect_response(lambda r: r.url.endswith("/check-in-code")) as issued:
        card.get_by_role("button", name="Show my check-in code").click()
    code = issued.value.json()["code"]
    expect(card.get_by_role("status")).to_contain_text(f"Show this code when you arrive: {code}")
    check_in = ok(
        curl, "POST", f"{gw}/opportunities/{garden['id']}/check-ins", owner, {"code": code}
    )
    assert (check_in["via"], check_in["volunteer_id"]) == ("code", login["user"]["id"])
    mine = ok(curl, "GET", f"{gw}/opportunities/invitations", login)["items"]
    assert sorted(i["status"] for i in mine) == ["accepted", "declined"]
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []
