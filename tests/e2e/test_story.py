"""Issue 12's story, end to end, through the gateway only: an NGO admin signs up with Facebook,
creates an organization, a moderator verifies it, the admin links the organization's Facebook
Page, posts news and publishes an opportunity and an event; a volunteer signs up (opting in to
share on Facebook), Jumo's Page shows that they joined, they join a cause, follow the
organization and a friend, see the post and the opportunity in their feed with reasons, get it
recommended with reasons, apply; the admin accepts; the volunteer is notified in the app, live
and by email, the organization's Page shows that they volunteer there; they RSVP to the event
and get the reminder; they are checked in, hours attested, the record exported and verified;
they review the organization with the "volunteered here" badge; then they delete their account
and, within 60 seconds, a scan of every service's database finds none of their values.

The steps are in ``e2e_story.py``; the leftovers the erasure keeps on purpose are ``ALLOWED``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_processes import SystemUnderTest
from e2e_story import (
    Allowed,
    Platform,
    Traces,
    accept,
    apply,
    befriend_on_facebook,
    check_in_and_attest,
    create_organization,
    delete_account,
    describe_myself,
    described,
    feed_reasons,
    follow_org,
    follow_person,
    join_cause,
    link_facebook_page,
    listening,
    move_event_to_tomorrow,
    notification,
    post_news,
    publish_opportunity,
    recommendation,
    review,
    rsvp,
    schedule_event,
    suggestions,
    unusual,
    verified_record,
    verify,
)

from jumo_common.testing.plugin import InfraUrls

ORG, NEWS, OPPORTUNITY = "Rives Propres", "Ten new fountains", "Riverbank clean-up"
EVENT = "Clean-up briefing"

# What the erasure keeps of the volunteer on purpose: their opaque user id only, never their
# name, email, Facebook id or words — "inside ids and tombstones", as orgs' test_erasure.py puts
# the project's rule — and only at these places.
ALLOWED = (
    Allowed(
        ("identity.users",),
        ("._id", ".facebook_id", "._outbox"),
        "identity's tombstone: facebook_id 'deleted:<id>' holds the unique index's place, "
        "and user.deleted stays in its _outbox (the relay never rewrites a producer's "
        "document; it would leave at the next write, which a tombstone never gets)",
    ),
    Allowed(
        ("feed.people", "notifier.people", "orgs.people"),
        ("._id",),
        "each consumer's tombstone {_id, erased|deleted}: late and redelivered events of "
        "the person bring nothing back",
    ),
    Allowed(
        ("identity.write_claims", "orgs.write_claims"),
        ("._id",),
        "write claims '<collection>:<document id>:<version>[:fate]' (jumo_common.mongo."
        "claims): ids and a time only, deleted by housekeeping after CLAIM_RETENTION (a day)",
    ),
    Allowed(
        ("orgs.cause_members", "orgs.org_follows"),
        ("._id", ".user_id", "._outbox"),
        "orgs' erasure tombstones carrying cause.left / org.unfollowed until the relay sent "
        "them; deleted by orgs' housekeeping (hourly, or at the next erasure)",
    ),
    Allowed(
        ("orgs.reviews",),
        ("._id", "._outbox"),
        "the deleted review's tombstone '<org>:<user>' {org_id, state: deleted, version} "
        "with its review.deleted (author_id): never purged — reported to the lead",
    ),
    Allowed(
        ("orgs.applications",),
        ("._outbox",),
        "the anonymous application (the organization's figures) keeps its sent "
        "application.withdrawn (volunteer_id, erased: true) in _outbox until its next "
        "write, which never comes — reported to the lead",
    ),
)


# About 100 s of calls on a quiet machine (the session's system starts in 20-40 s more); on a
# machine shared by several test sessions it has taken three times that: more than the suite's
# default of 300 s for one test.
@pytest.mark.timeout(900)
def test_the_story_from_sign_up_to_erasure(
    system: SystemUnderTest, infra: InfraUrls, tmp_path: Path
) -> None:
    jumo = Platform(system, infra, tmp_path)
    olga = jumo.person("Olga Rhône").sign_up()  # runs the organization
    org = create_organization(olga, ORG)
    assert verify(jumo.moderator(), org) == "verified"
    org_page = link_facebook_page(jumo, olga, org)
    post_news(olga, org, NEWS)
    opportunity = publish_opportunity(olga, org, OPPORTUNITY)
    event = schedule_event(olga, org, opportunity, EVENT)

    ann = jumo.person(f"{unusual('Zephyrine')} {unusual('Quillfeather')}")
    ann.sign_up(share_joins=True)  # the volunteer, opting in to show their joins on Facebook
    bio, answer = unusual("Retired lock keeper "), unusual("I grew up by the river ")
    message, opinion = unusual("I have boots "), unusual("Kind people, muddy boots ")
    traces = Traces(system, infra).of(ann, bio=bio, answer=answer, message=message, review=opinion)
    jumo.jumo_page_shows(f"{ann.name} joined Jumo")
    describe_myself(ann, bio)
    assert join_cause(ann, "clean-water")
    follow_org(ann, org)
    bo = jumo.person("Bo Ami").sign_up()
    befriend_on_facebook(ann, bo)
    bo.log_in_again()  # identity reads Facebook friends at login
    assert bo.id in suggestions(ann)
    follow_person(ann, bo)
    reasons = feed_reasons(ann, {NEWS, OPPORTUNITY})
    assert (reasons[NEWS], reasons[OPPORTUNITY]) == ([f"You follow {ORG}"], [f"You follow {ORG}"])
    recommended = recommendation(ann, opportunity)
    assert "skill" in recommended["why"], recommended["why"]
    assert all(t["sentence"] for t in recommended["terms"] if t["points"] > 0)
    application = apply(ann, opportunity, answer, message)

    with listening(ann) as live:
        assert accept(olga, application) == "accepted"
        accepted = live.next("application_accepted")
    assert accepted["text"] == f"{ORG} accepted you for {OPPORTUNITY}"
    assert notification(ann, "application_accepted")["text"] == accepted["text"]
    assert accepted["text"] in jumo.email_to(ann, OPPORTUNITY)["Text"]
    jumo.page_shows(org_page.id, org_page.token, f"{ann.name} now volunteers with {ORG}")

    assert rsvp(ann, event) == "going"
    move_event_to_tomorrow(olga, event)
    assert notification(ann, "event_tomorrow")["text"] == f"Tomorrow: {EVENT}"
    assert EVENT in jumo.email_to(ann, f"Tomorrow: {EVENT}")["Text"]

    check_in_and_attest(olga, opportunity, application, hours=2.5)
    assert ann.get("/users/me/volunteering")["totals"]["by_cause"] == {"clean-water": 2.5}
    record = verified_record(jumo, ann)
    assert [(e["opportunity_id"], e["hours"]) for e in record["engagements"]] == [
        (opportunity["id"], 2.5)]  # fmt: skip
    assert review(ann, org, opinion)["volunteered"] is True  # the "volunteered here" badge

    delete_account(ann)
    left = traces.left_after_erasure(ALLOWED, timeout=60.0)
    assert not left, described(left)
