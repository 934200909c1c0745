"""An organization's side in the browser, part three: publishing an opportunity with a slot and
a question (/manage/:id/opportunities/new), the applications inbox (three volunteers
apply through the API; the admin accepts one, declines one with a reason and puts the third
on the waiting list — what each volunteer's GET /applications then says), checking the
accepted one in and recording hours, scheduling an event; pausing, resuming and closing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from e2e_orgs import eventually, ok  # type: ignore[import-not-found]
from organization_support import (
    SIGNED_OUT,
    SLOW,
    check_page,
    moderator,
    person,
    publish,
    sign_in_again,
    verified_org,
)
from playwright.sync_api import Page, expect


def local_time(page: Page, minutes: int) -> str:
    """A datetime-local value ``minutes`` from now in the browser's own time zone."""
    return str(
        page.evaluate(
            """(minutes) => {
                const d = new Date(Date.now() + minutes * 60000);
                const p = (n) => String(n).padStart(2, "0");
                return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}` +
                    `T${p(d.getHours())}:${p(d.getMinutes())}`;
            }""",
            minutes,
        )
    )


def test_publish_an_opportunity_answer_applications_check_in_and_record_hours(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    user, owner = person(curl, system)
    _, mod = moderator(other_curl, system, infra)
    org = verified_org(curl, system, owner, mod, "Les Restos du Cœur de Lyon")
    _, ann = person(other_curl, system)
    _, bob = person(other_curl, system)
    _, cat = person(other_curl, system)

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, f"/manage/{org['id']}/opportunities/new")
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Publish an opportunity")
    page.get_by_label("Title").fill("Evening food distribution")
    page.get_by_label("What volunteers will do").fill("Hand out hot meals at Perrache.")
    expect(page.get_by_role("checkbox", name="Clean water")).to_be_checked()  # the org's cause
    slot = page.get_by_role("group", name="Slot 1")
    # It starts in 30 minutes: check-in opens an hour before a session.
    slot.get_by_label("Starts").fill(local_time(page, 30))
    slot.get_by_label("Ends").fill(local_time(page, 210))
    slot.get_by_label("Places in this slot").fill("1")  # one place: a second one waits
    page.get_by_role("button", name="Add a question").click()
    question = page.get_by_role("group", name="Question 1")
    question.get_by_label("Question 1").fill("Have you handled food before?")
    question.get_by_label("An answer is required").check()
    check_page(opened, "opportunity-new")
    page.get_by_role("button", name="Publish the opportunity").click()

    expect(title).to_have_text("Opportunities")
    row = page.locator("li", has_text="Evening food distribution")
    expect(row.get_by_text("Open", exact=True)).to_be_visible()
    expect(row.get_by_text("1 of 1 place left")).to_be_visible()
    opps = ok(curl, "GET", f"{gw}/orgs/{org['id']}/opportunities", owner)["items"]
    assert [(o["title"], o["status"]) for o in opps] == [("Evening food distribution", "open")]
    opp = opps[0]
    assert [(q["text"], q["required"]) for q in opp["questions"]] == [
        ("Have you handled food before?", True)
    ]
    assert [s["places"] for s in opp["slots"]] == [1]
    check_page(opened, "opportunities")
    # Paused, no one can apply; resumed, it is open again.
    row.get_by_role("button", name="Pause Evening food distribution").click()
    expect(row.get_by_text("Paused", exact=True)).to_be_visible()
    assert ok(curl, "GET", f"{gw}/opportunities/{opp['id']}", owner)["status"] == "paused"
    row.get_by_role("button", name="Resume Evening food distribution").click()
    expect(row.get_by_text("Open", exact=True)).to_be_visible()
    assert ok(curl, "GET", f"{gw}/opportunities/{opp['id']}", owner)["status"] == "open"

    # Three volunteers apply through the API, answering the question.
    answers = ((ann, "Yes, two winters at a soup kitchen."), (bob, "Not yet."), (cat, "At home."))
    for login, answer in answers:
        ok(other_curl, "POST", f"{gw}/opportunities/{opp['id']}/applications", login, {
            "slot_id": opp["slots"][0]["id"],
            "answers": [{"question_id": opp["questions"][0]["id"], "text": answer}],
        })  # fmt: skip

    page.get_by_role("link", name="Applications", exact=True).click()
    expect(title).to_have_text("Applications")
    ann_name, bob_name = ann["user"]["display_name"], bob["user"]["display_name"]
    ann_item = page.locator("li.application").filter(has_text="two winters")
    bob_item = page.locator("li.application").filter(has_text="Not yet.")
    expect(ann_item.get_by_text("Have you handled food before?")).to_be_visible()
    expect(ann_item.get_by_text("Waiting for an answer")).to_be_visible()
    expect(bob_item).to_be_visible()
    check_page(opened, "applications")
    ann_item.get_by_role("button", name=f"Accept {ann_name}").click()
    expect(ann_item.get_by_text("Accepted", exact=True)).to_be_visible()
    bob_item.get_by_role("button", name=f"Decline {bob_name}").click()
    bob_item.get_by_label("Reason (the volunteer sees it)").select_option("no_places")
    bob_item.get_by_label("A word for the volunteer").fill("Full tonight: next week?")
    bob_item.get_by_role("button", name="Decline the application").click()
    expect(bob_item.get_by_text("Declined", exact=True)).to_be_visible()
    expect(bob_item.get_by_text("No places left — Full tonight: next week?")).to_be_visible()
    cat_item = page.locator("li.application").filter(has_text="At home.")
    cat_item.get_by_role("button", name=f"Waiting list {cat['user']['display_name']}").click()
    expect(cat_item.get_by_text("On the waiting list #1")).to_be_visible()

    # What each volunteer now reads.
    [ann_app] = ok(other_curl, "GET", f"{gw}/applications", ann)["items"]
    assert ann_app["status"] == "accepted"
    [bob_app] = ok(other_curl, "GET", f"{gw}/applications", bob)["items"]
    assert bob_app["status"] == "declined"
    assert bob_app["decline"] == {"reason": "no_places", "text": "Full tonight: next week?"}
    [cat_app] = ok(other_curl, "GET", f"{gw}/applications", cat)["items"]
    assert cat_app["status"] == "waitlisted"

    # The filter by state reads the inbox again: the accepted one alone.
    page.get_by_label("Status").select_option("accepted")
    expect(page.locator("li.application")).to_have_count(1)
    expect(page.locator("li.application").get_by_text("two winters")).to_be_visible()

    # Check-in and hours, on the opportunity's own page.
    page.get_by_role("link", name="Opportunities").click()
    page.get_by_role("link", name="Evening food distribution").click()
    expect(title).to_have_text("Evening food distribution")
    page.get_by_role("button", name=f"Check in {ann_name}").click()
    expect(page.get_by_role("status").filter(has_text="Checked in.")).to_be_visible()
    accepted = page.locator("li", has_text=ann_name).filter(has_text="Checked in")
    expect(accepted.get_by_text("Checked in", exact=True)).to_be_visible()  # once per slot
    expect(page.get_by_role("button", name=f"Check in {ann_name}")).to_have_count(0)
    checkins = page.locator("section", has=page.get_by_role("heading", name="Check-in and hours"))
    checkins.get_by_label("Hours").fill("3.5")
    with page.expect_response(lambda r: r.url.endswith("/hours")) as saved:
        checkins.get_by_role("button", name="Record the hours").click()
    assert saved.value.status == 200
    recorded = ok(curl, "GET", f"{gw}/opportunities/{opp['id']}/check-ins", owner)["items"]
    assert [(c["application_id"], c["hours"]) for c in recorded] == [(ann_app["id"], 3.5)]
    expect(page.get_by_role("heading", name="Volunteers who could help")).to_be_visible()
    check_page(opened, "opportunity")

    # An event, online.
    page.get_by_role("link", name="Events").click()
    expect(title).to_have_text("Events")
    page.get_by_label("Title").fill("Volunteers' welcome evening")
    page.get_by_label("Starts").fill(local_time(page, 3 * 24 * 60))
    page.get_by_label("Ends").fill(local_time(page, 3 * 24 * 60 + 120))
    page.get_by_label("Capacity").fill("40")
    page.get_by_label("Address").fill("")  # online only
    page.get_by_label("Online link").fill("https://meet.example/restos")
    page.get_by_role("button", name="Schedule the event").click()
    expect(page.get_by_role("status").filter(has_text="Scheduled.")).to_be_visible()
    event_row = page.locator("li", has_text="Volunteers' welcome evening")
    expect(event_row.get_by_text("0 going of 40", exact=False)).to_be_visible()
    events = ok(curl, "GET", f"{gw}/orgs/{org['id']}/events", owner)["items"]
    assert [(e["title"], e["capacity"], e["online_url"]) for e in events] == [
        ("Volunteers' welcome evening", 40, "https://meet.example/restos")
    ]
    check_page(opened, "events")
    event_row.get_by_role("button", name="Cancel the event Volunteers' welcome evening").click()
    expect(event_row.get_by_text("Cancelled")).to_be_visible()
    [cancelled] = ok(curl, "GET", f"{gw}/orgs/{org['id']}/events", owner)["items"]
    assert cancelled["status"] == "cancelled"

    # Its one place taken, it is filled; then closed for good.
    page.get_by_role("link", name="Opportunities").click()
    row = page.locator("li", has_text="Evening food distribution")
    expect(row.get_by_text("Filled", exact=True)).to_be_visible()
    row.get_by_role("button", name="Close Evening food distribution").click()
    expect(row.get_by_text("Closed", exact=True)).to_be_visible()
    assert ok(curl, "GET", f"{gw}/opportunities/{opp['id']}", owner)["status"] == "closed"

    # The figures, counted from all that: 3 applications, 1 accepted, 3.5 hours.
    page.get_by_role("link", name="Overview").click()
    figures = page.locator("dl.figures")
    for label, value in (
        ("Applications", "3"), ("Volunteers accepted", "1"), ("Hours attested", "3.5"),
        ("Acceptance rate", "33%"),
    ):  # fmt: skip
        expect(figures.locator(".figure", has_text=label).locator("dd")).to_have_text(value)
    # By month (applications by the month they were sent: this one, in UTC).
    month = page.get_by_role("row", name=datetime.now(UTC).strftime("%B %Y"))
    expect(month.get_by_role("cell").first).to_have_text("3")
    check_page(opened, "dashboard-figures")
    assert opened.watched.problems(SIGNED_OUT) == []


def test_invite_a_findable_volunteer_among_the_candidates(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    user, owner = person(curl, system)
    _, mod = moderator(other_curl, system, infra)
    org = verified_org(curl, system, owner, mod, "Croix-Rouge Lyon Centre")
    place = {"address": "20 quai Claude Bernard", "city": "Lyon", "country": "FR",
             "lat": 45.7485, "lng": 4.8365}  # fmt: skip
    opp = publish(curl, system, owner, org, "First-aid post at the marathon",
                  skills_wanted=["First Aid"], place=place)  # fmt: skip
    _, zoe = person(other_curl, system)
    ok(other_curl, "PATCH", f"{gw}/users/me", zoe, {
        "skills": ["first aid"], "findable": True, "radius_km": 20,
        "location": {"city": "Lyon", "lat": 45.75, "lng": 4.85},
    })  # fmt: skip
    assert ok(other_curl, "PUT", f"{gw}/causes/clean-water/membership", zoe)["member"] is True

    def listed() -> bool | None:  # once orgs has heard of zoe's profile
        items = ok(curl, "GET", f"{gw}/opportunities/{opp['id']}/candidates", owner)["items"]
        return any(c["id"] == zoe["user"]["id"] for c in items) or None

    eventually(listed, "zoe among the opportunity's candidates", SLOW)

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, f"/manage/{org['id']}/opportunities/{opp['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("First-aid post at the marathon")
    candidates = page.locator(
        "section", has=page.get_by_role("heading", name="Volunteers who could help")
    )
    name = zoe["user"]["display_name"]
    candidates.get_by_role("button", name=f"Invite {name}").click()
    expect(candidates.get_by_text("Invited", exact=True)).to_be_visible()
    [invitation] = ok(other_curl, "GET", f"{gw}/opportunities/invitations", zoe)["items"]
    assert (invitation["opportunity_id"], invitation["status"]) == (opp["id"], "pending")
    assert opened.watched.problems(SIGNED_OUT) == []


def test_a_weekly_opportunity_saved_as_a_draft_then_published(
    open_page: Any, system: Any, curl: Any, other_curl: Any, infra: Any
) -> None:
    gw = system.gateway.url
    user, owner = person(curl, system)
    _, mod = moderator(other_curl, system, infra)
    org = verified_org(curl, system, owner, mod, "Soutien Scolaire Guillotière")
    first, last = date.today() + timedelta(days=7), date.today() + timedelta(days=60)

    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, f"/manage/{org['id']}/opportunities/new")
    page.get_by_label("Title").fill("Homework club")
    page.get_by_label("What volunteers will do").fill("Help pupils with their homework.")
    page.get_by_label("Every week").check()
    pattern = page.get_by_role("group", name="Weekly pattern")
    pattern.get_by_label("Wednesday").check()
    pattern.get_by_label("Monday").check()
    pattern.get_by_label("From").fill("17:00")
    pattern.get_by_label("To").fill("19:00")
    pattern.get_by_label("Hours per session").fill("2")
    pattern.get_by_label("First day").fill(first.isoformat())
    pattern.get_by_label("Last day").fill(last.isoformat())
    page.get_by_label("Places", exact=True).fill("5")
    page.get_by_label("Publish it now").uncheck()
    page.get_by_role("button", name="Save as a draft").click()

    row = page.locator("li", has_text="Homework club")
    expect(row.get_by_text("Draft", exact=True)).to_be_visible()
    [opp] = ok(curl, "GET", f"{gw}/orgs/{org['id']}/opportunities", owner)["items"]
    assert (opp["status"], opp["commitment"], opp["places"]) == ("draft", "recurring", 5)
    pattern_out = opp["pattern"]
    assert pattern_out["days"] == ["mon", "wed"]  # in the week's order, whatever the clicks'
    assert (pattern_out["start_time"][:5], pattern_out["end_time"][:5]) == ("17:00", "19:00")
    assert pattern_out["hours_per_session"] == 2
    assert (pattern_out["starts_on"], pattern_out["ends_on"]) == (
        first.isoformat(),
        last.isoformat(),
    )
    row.get_by_role("button", name="Publish Homework club").click()
    expect(row.get_by_text("Open", exact=True)).to_be_visible()
    assert ok(curl, "GET", f"{gw}/opportunities/{opp['id']}", owner)["status"] == "open"
    assert opened.watched.problems(SIGNED_OUT) == []
