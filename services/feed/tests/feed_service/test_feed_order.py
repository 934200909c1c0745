"""Idempotence and order: events arrive out of order and more than once, and the feeds come out
as if each had arrived once, in order.

A scenario of 16 events (follows of people and organizations, posts, an edit, a deletion, cause
joins, an unfollow of a person and of an organization) is delivered once in order to one world,
and three times each, shuffled (seeded), to fresh worlds of the same shape; the feeds of three
readers must read the same. Every copy has an event id of its own: the kit's claims skip a
redelivered id, so only fresh ids show whether the handlers themselves are idempotent (that is
the redelivery after a crash between a handler's effect and its claim being marked done).
The worlds differ only in their ids, so feeds are compared by what they show.

Then the cases a shuffle reaches only by chance, each on its own: an edit (of a post, of a hidden
organization's post, of a person's review), a deletion, a hide, a cause left, an unfollow, a
profile update — each overtaking the event it follows, or arriving after a newer one.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from jumo_common.events import Envelope, EventData, make_event
from jumo_common.events.identity import UserFollowed, UserUnfollowed, UserUpdated
from jumo_common.events.orgs import (
    CauseJoined,
    CauseLeft,
    FollowSettings,
    OrgCard,
    OrgFollowed,
    OrgHidden,
    OrgUnfollowed,
    PostDeleted,
    PostHidden,
    PostPublished,
    PostUpdated,
    ReviewPosted,
    ReviewUpdated,
)
from jumo_common.testing.tokens import TestKeys

from .conftest import (
    Client,
    Person,
    follow,
    follow_org,
    minutes_ago,
    new_org,
    open_feed,
    person,
    post,
    publish,
    read_feed,
    reasons,
    send,
    timeline,
    titles,
)

SEEDS = (1, 2, 3, 4)
Shown = dict[str, tuple[list[str], list[list[str]], list[str]]]


@dataclass
class World:
    """The readers whose feeds are compared, and the events of the scenario."""

    readers: dict[str, Person]
    events: list[Envelope[Any]]


def event(data: EventData, at: datetime, producer: str = "orgs") -> Envelope[Any]:
    """An event as its producer publishes it, at ``at``."""
    return make_event(data, producer=producer, occurred_at=at)


def edited(published: PostPublished, title: str) -> PostUpdated:
    """The post, edited (its next version)."""
    return PostUpdated(post_id=published.post_id, org=published.org, title=title,
                       excerpt=f"{title}…", version=published.version + 1)  # fmt: skip


def followed(who: Person, org: OrgCard, seq: int = 1) -> OrgFollowed:
    """``who`` follows ``org``."""
    return OrgFollowed(org_id=org.org_id, user_id=who.user_id, settings=FollowSettings(), seq=seq)


async def world(client: Client, keys: TestKeys) -> World:
    """Fresh people and organizations (known to feed, the readers' feeds open), and the
    scenario's events, not sent yet. Every world has the same names and times."""
    ann, bo, eve = [await person(client, keys, n) for n in ("Ann", "Bo", "Eve")]
    cy, dee = await person(client, keys, "Cy"), await person(client, keys, "Dee")
    for reader in (ann, bo, eve):
        await open_feed(client, reader)
    water, food = await new_org(client, "Water for All"), await new_org(client, "Food Bank")
    t0 = datetime.fromisoformat("2026-01-05T09:00:00+00:00")
    at = [t0 + timedelta(minutes=m) for m in range(30)]
    wells = post(water, "Wells dug", at[10])
    pumps = post(water, "Pumps fixed", at[12])

    def follows(a: Person, b: Person) -> UserFollowed:
        return UserFollowed(follower_id=a.user_id, followee_id=b.user_id, seq=1)

    def unfollows(a: Person, b: Person) -> UserUnfollowed:
        return UserUnfollowed(follower_id=a.user_id, followee_id=b.user_id, seq=2)

    events = [
        event(follows(ann, cy), at[1], "identity"),
        event(follows(bo, cy), at[2], "identity"),
        event(follows(ann, dee), at[3], "identity"),
        event(follows(ann, bo), at[4], "identity"),
        event(followed(ann, water), at[5]),
        event(followed(bo, food), at[6]),  # Ann sees that Bo followed Food Bank
        event(followed(bo, water), at[7]),
        event(wells, at[10]),
        event(edited(wells, "Wells dug: twelve"), at[11]),
        event(pumps, at[12]),
        event(PostDeleted(post_id=pumps.post_id, org_id=water.org_id), at[13]),
        event(post(food, "Food drive", at[14]), at[14]),
        event(CauseJoined(cause="clean-water", user_id=cy.user_id, seq=1), at[16]),
        event(CauseJoined(cause="education", user_id=dee.user_id, seq=1), at[18]),
        event(unfollows(ann, dee), at[20], "identity"),
        event(OrgUnfollowed(org_id=water.org_id, user_id=bo.user_id, seq=2), at[21]),
    ]
    return World({"Ann": ann, "Bo": bo, "Eve": eve}, events)


def copy(envelope: Envelope[Any]) -> Envelope[Any]:
    """The same event under a fresh id (its claim lost: the handlers run again)."""
    return envelope.model_copy(update={"id": uuid.uuid4()})


async def shown(client: Client, readers: dict[str, Person]) -> Shown:
    """What each reader's feed shows: titles, reasons, excerpts."""
    found: Shown = {}
    for name, reader in readers.items():
        feed = await read_feed(client, reader)
        excerpts = [str(item["snapshot"].get("excerpt", "")) for item in feed["items"]]
        found[name] = (titles(feed), reasons(feed), excerpts)
    return found


async def test_each_event_three_times_shuffled_reads_as_each_once_in_order(
    client: Client, keys: TestKeys
) -> None:
    in_order = await world(client, keys)
    for envelope in in_order.events:
        await send(client, envelope)
    expected = await shown(client, in_order.readers)
    assert expected["Ann"][:2] == (
        ["cause_joined:clean-water", "post:Wells dug: twelve", "org_followed:org_followed",
         "org_followed:org_followed"],
        [["Cy, whom you follow, joined the cause Clean Water"], ["You follow Water for All"],
         ["Bo, whom you follow, followed Water for All"],
         ["Bo, whom you follow, followed Food Bank"]],
    )  # fmt: skip
    assert expected["Bo"][:2] == (
        ["cause_joined:clean-water", "post:Food drive"],
        [["Cy, whom you follow, joined the cause Clean Water"], ["You follow Food Bank"]],
    )
    assert expected["Eve"] == ([], [], [])

    for seed in SEEDS:
        shuffled = await world(client, keys)
        deliveries = [e for envelope in shuffled.events for e in (envelope, copy(envelope),
                                                                   copy(envelope))]  # fmt: skip
        random.Random(seed).shuffle(deliveries)
        for envelope in deliveries:
            await send(client, envelope)
        assert await shown(client, shuffled.readers) == expected, f"seed {seed}"


# -- one overtaking at a time -------------------------------------------------------------------


@pytest.fixture
async def reader(client: Client, keys: TestKeys) -> Person:
    """A person whose feed is open."""
    found = await person(client, keys, "Ann")
    await open_feed(client, found)
    return found


async def test_an_edit_that_overtakes_its_publication_leaves_the_newest_snapshot(
    client: Client, reader: Person
) -> None:
    org = await new_org(client)
    await follow_org(client, reader, org)
    published = post(org, "Wells dug", minutes_ago(5))
    newer = edited(published, "Wells dug: twelve")

    await publish(client, newer)
    await publish(client, published)
    await publish(client, newer.model_copy(update={"title": "stale", "version": 1}))

    feed = await read_feed(client, reader)
    assert titles(feed) == ["post:Wells dug: twelve"]
    assert feed["items"][0]["snapshot"]["excerpt"] == "Wells dug: twelve…"
    assert feed["items"][0]["org"]["name"] == "Water for All"


async def test_a_deletion_that_overtakes_its_publication_keeps_the_post_out(
    client: Client, reader: Person, redis: Redis
) -> None:
    org = await new_org(client)
    await follow_org(client, reader, org)
    published = post(org, "Wells dug", minutes_ago(5))

    await publish(client, PostDeleted(post_id=published.post_id, org_id=org.org_id))
    await publish(client, published)
    await publish(client, edited(published, "Wells dug: twelve"))

    assert (await read_feed(client, reader))["items"] == []
    assert await timeline(client, redis, reader) == {}


async def test_a_hide_that_overtakes_its_publication_shows_the_post_once_shown_again(
    client: Client, reader: Person
) -> None:
    org = await new_org(client)
    await follow_org(client, reader, org)
    published = post(org, "Wells dug", minutes_ago(5))

    await publish(client, PostHidden(post_id=published.post_id, org_id=org.org_id))
    await publish(client, published)
    assert (await read_feed(client, reader))["items"] == []
    await publish(client, PostHidden(post_id=published.post_id, org_id=org.org_id, hidden=False))

    feed = await read_feed(client, reader)
    assert titles(feed) == ["post:Wells dug"]
    assert reasons(feed) == [["You follow Water for All"]]
    assert feed["items"][0]["org"]["name"] == "Water for All"


async def test_leaving_a_cause_before_the_join_arrives_keeps_the_join_out(
    client: Client, keys: TestKeys, reader: Person
) -> None:
    bo = await person(client, keys, "Bo")
    await follow(client, reader, bo)

    await publish(client, CauseLeft(cause="clean-water", user_id=bo.user_id, seq=2),
                  occurred_at=minutes_ago(1))  # fmt: skip
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(2))  # fmt: skip

    assert (await read_feed(client, reader))["items"] == []


async def test_a_late_leaving_does_not_take_a_newer_join_out(
    client: Client, keys: TestKeys, reader: Person
) -> None:
    bo = await person(client, keys, "Bo")
    await follow(client, reader, bo)

    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(3))  # fmt: skip
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=3),
                  occurred_at=minutes_ago(1))  # fmt: skip
    await publish(client, CauseLeft(cause="clean-water", user_id=bo.user_id, seq=2),
                  occurred_at=minutes_ago(2))  # fmt: skip

    feed = await read_feed(client, reader)
    assert reasons(feed) == [["Bo, whom you follow, joined the cause Clean Water"]]


async def test_an_unfollow_that_overtakes_its_follow_wins(
    client: Client, keys: TestKeys, reader: Person, redis: Redis
) -> None:
    bo, org = await person(client, keys, "Bo"), await new_org(client)
    await publish(client, UserUnfollowed(follower_id=reader.user_id, followee_id=bo.user_id,
                                         seq=2), producer="identity")  # fmt: skip
    await follow(client, reader, bo, seq=1)
    await publish(client, OrgUnfollowed(org_id=org.org_id, user_id=reader.user_id, seq=2))
    await follow_org(client, reader, org, seq=1)

    await publish(client, post(org, "Wells dug", minutes_ago(2)))
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1))

    assert (await read_feed(client, reader))["items"] == []
    assert await timeline(client, redis, reader) == {}


async def test_a_review_edit_that_overtakes_its_posting_still_names_its_author(
    client: Client, keys: TestKeys, reader: Person
) -> None:
    bo = await person(client, keys, "Bo")
    await follow(client, reader, bo)
    org = await new_org(client, "Food Bank")
    posted = ReviewPosted(review_id=uuid.uuid4().hex, org=org, author_id=bo.user_id, stars=3,
                          excerpt="Fine", version=1)  # fmt: skip
    newer = ReviewUpdated(**(posted.model_dump() | {"stars": 5, "excerpt": "Great", "version": 2}))

    await publish(client, newer)
    await publish(client, posted)

    feed = await read_feed(client, reader)
    assert reasons(feed) == [["Bo, whom you follow, reviewed Food Bank"]]
    assert feed["items"][0]["actor"] == {"id": bo.user_id, "name": "Bo"}
    assert feed["items"][0]["snapshot"]["stars"] == 5


async def test_an_edit_that_overtakes_a_hidden_organizations_post_keeps_it_hidden(
    client: Client, reader: Person, redis: Redis
) -> None:
    org = await new_org(client)
    await follow_org(client, reader, org)
    await publish(client, OrgHidden(org_id=org.org_id))
    published = post(org, "Wells dug", minutes_ago(5))

    await publish(client, edited(published, "Wells dug: twelve"))
    await publish(client, published)

    assert (await read_feed(client, reader))["items"] == []
    assert await timeline(client, redis, reader) == {}


async def test_a_late_unfollow_does_not_undo_a_newer_follow(client: Client, reader: Person) -> None:
    org = await new_org(client)
    await publish(client, post(org, "Wells dug", minutes_ago(2)))

    await follow_org(client, reader, org, seq=3)  # followed again after an unfollow
    await publish(client, OrgUnfollowed(org_id=org.org_id, user_id=reader.user_id, seq=2))
    await follow_org(client, reader, org, seq=1)

    assert titles(await read_feed(client, reader)) == ["post:Wells dug"]  # back-filled
    await publish(client, post(org, "Pumps fixed", minutes_ago(1)))
    assert titles(await read_feed(client, reader)) == ["post:Pumps fixed", "post:Wells dug"]


async def test_a_late_profile_update_does_not_undo_a_newer_one(
    client: Client, keys: TestKeys, reader: Person
) -> None:
    bo = await person(client, keys, "Bo")
    await follow(client, reader, bo)
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1))
    assert reasons(await read_feed(client, reader)) == [
        ["Bo, whom you follow, joined the cause Clean Water"]
    ]

    newer = UserUpdated(user_id=bo.user_id, display_name="Robert", version=4)
    await publish(client, newer, producer="identity")
    await publish(client, newer.model_copy(update={"display_name": "Bob", "version": 3}),
                  producer="identity")  # fmt: skip

    assert reasons(await read_feed(client, reader)) == [
        ["Robert, whom you follow, joined the cause Clean Water"]
    ]
    private = newer.model_copy(update={"visibility": "private", "version": 6})
    await publish(client, private, producer="identity")
    await publish(client, newer.model_copy(update={"version": 5}), producer="identity")
    assert (await read_feed(client, reader))["items"] == []
