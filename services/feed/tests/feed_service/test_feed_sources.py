"""Every source type reaches the right timelines, with the right reasons, and no one else's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from jumo_common.events.calendar import CalendarEventCard, EventScheduled
from jumo_common.events.opportunities import OpportunityPublished
from jumo_common.events.orgs import (
    CauseJoined,
    ReviewPosted,
)
from jumo_common.events.record import VolunteeringAttested
from jumo_common.testing.tokens import TestKeys

from .conftest import (
    Client,
    follow,
    follow_org,
    minutes_ago,
    new_org,
    open_feed,
    opportunity,
    org_card,
    person,
    post,
    publish,
    read_feed,
    reasons,
    titles,
)


async def test_a_follower_sees_the_post_the_opportunity_and_friends_joins_with_reasons(
    client: Client, keys: TestKeys
) -> None:
    ann, bo, cy = [await person(client, keys, n) for n in ("Ann", "Bo", "Cy")]
    stranger = await person(client, keys, "Dee")
    org = org_card("Water for All")
    for who in (ann, stranger):
        await open_feed(client, who)
    await follow_org(client, ann, org)
    await follow(client, ann, bo)
    await follow(client, ann, cy)
    await publish(client, post(org, "Wells dug", minutes_ago(4)))
    await publish(client, OpportunityPublished(opportunity=opportunity(org, "Dig a well"),
                                               published_at=minutes_ago(3), version=1))  # fmt: skip
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(2))  # fmt: skip
    await publish(client, CauseJoined(cause="education", user_id=cy.user_id, seq=1),
                  occurred_at=minutes_ago(1))  # fmt: skip

    feed = await read_feed(client, ann)

    assert titles(feed) == [
        "cause_joined:education", "cause_joined:clean-water",
        "opportunity:Dig a well", "post:Wells dug",
    ]  # fmt: skip
    assert reasons(feed) == [
        ["Cy, whom you follow, joined the cause Education"],
        ["Bo, whom you follow, joined the cause Clean Water"],
        ["You follow Water for All"],
        ["You follow Water for All"],
    ]
    assert (await read_feed(client, stranger))["items"] == []


async def test_people_activities_reach_their_followers_only(client: Client, keys: TestKeys) -> None:
    ann, bo, cy = [await person(client, keys, n) for n in ("Ann", "Bo", "Cy")]
    for who in (ann, cy):
        await open_feed(client, who)
    await follow(client, ann, bo)
    org = await new_org(client, "Food Bank")
    await follow_org(client, bo, org)  # Bo followed an organization: Ann sees it
    await publish(client, VolunteeringAttested(
        check_in_id=uuid.uuid4().hex, volunteer_id=bo.user_id, org=org,
        opportunity_id=uuid.uuid4().hex, opportunity_title="Sort food", session="s1",
        hours=3.0, attested_at=datetime.now(UTC), visibility="followers", version=1))  # fmt: skip
    await publish(client, ReviewPosted(review_id=uuid.uuid4().hex, org=org,
                                       author_id=bo.user_id, stars=5, excerpt="Great",
                                       volunteered=True, version=1))  # fmt: skip

    feed = await read_feed(client, ann)

    assert [i["kind"] for i in feed["items"]] == ["review", "volunteered", "org_followed"]
    assert reasons(feed) == [
        ["Bo, whom you follow, reviewed Food Bank"],
        ["Bo, whom you follow, volunteered with Food Bank"],
        ["Bo, whom you follow, followed Food Bank"],
    ]
    assert all(i["actor"] == {"id": bo.user_id, "name": "Bo"} for i in feed["items"])
    assert (await read_feed(client, cy))["items"] == []


async def test_an_event_reaches_the_organizations_followers(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    await open_feed(client, ann)
    org = org_card()
    await follow_org(client, ann, org)
    start = datetime.now(UTC) + timedelta(days=3)
    card = CalendarEventCard(event_id=uuid.uuid4().hex, org=org, title="Beach clean-up",
                             starts_at=start, ends_at=start + timedelta(hours=2),
                             time_zone="Europe/Paris", capacity=30, url="/events/x")  # fmt: skip
    await publish(client, EventScheduled(event=card, by=uuid.uuid4().hex, version=1))

    feed = await read_feed(client, ann)

    assert titles(feed) == ["event:Beach clean-up"]
    assert reasons(feed) == [["You follow Water for All"]]
