"""What takes entries out of feeds: unfollowing a person or an organization, muting one
(``in_feed: false``, and unmuting brings its newest back), a deleted, hidden, closed or
cancelled activity (in every feed that holds it; shown again, it comes back), leaving a cause,
and erasure: after ``user.deleted`` nothing in feed's MongoDB database or under its Redis
prefix names the person but the tombstone that keeps late events out.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from jumo_common.events.calendar import CalendarEventCard, EventCancelled, EventScheduled
from jumo_common.events.identity import UserDeleted, UserFollowed, UserUnfollowed
from jumo_common.events.opportunities import OpportunityClosed, OpportunityPublished
from jumo_common.events.orgs import (
    CauseJoined,
    CauseLeft,
    FollowSettings,
    OrgFollowChanged,
    OrgHidden,
    OrgUnfollowed,
    PostDeleted,
    PostHidden,
    ReviewDeleted,
    ReviewHidden,
    ReviewPosted,
)
from jumo_common.testing.plugin import TestNames as Names
from jumo_common.testing.tokens import TestKeys
from jumo_feed.model import REASON_ORG

from .conftest import (
    Client,
    activity_member,
    follow,
    follow_org,
    minutes_ago,
    new_org,
    open_feed,
    opportunity,
    person,
    post,
    prefixed_keys,
    publish,
    read_feed,
    reasons,
    service,
    timeline,
    titles,
)


async def test_unfollowing_a_person_or_an_organization_takes_their_entries_out(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann, bo = await person(client, keys, "Ann"), await person(client, keys, "Bo")
    await open_feed(client, ann)
    org = await new_org(client)
    await follow_org(client, ann, org)
    await follow(client, ann, bo)
    wells = await publish(client, post(org, "Wells dug", minutes_ago(3)))
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(2))  # fmt: skip
    assert titles(await read_feed(client, ann)) == ["cause_joined:clean-water", "post:Wells dug"]

    await publish(client, UserUnfollowed(follower_id=ann.user_id, followee_id=bo.user_id,
                                         seq=2), producer="identity")  # fmt: skip

    assert titles(await read_feed(client, ann)) == ["post:Wells dug"]
    wells_member = await activity_member(client, f"post:{wells.data.post_id}", REASON_ORG)
    assert set(await timeline(client, redis, ann) or {}) == {wells_member}  # out of Redis too

    await publish(client, OrgUnfollowed(org_id=org.org_id, user_id=ann.user_id, seq=2))

    assert (await read_feed(client, ann))["items"] == []
    assert await timeline(client, redis, ann) == {}
    await publish(client, post(org, "Pumps fixed", minutes_ago(1)))
    assert (await read_feed(client, ann))["items"] == []


async def test_muting_takes_an_organization_out_at_once_and_unmuting_brings_it_back(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann = await person(client, keys, "Ann")
    await open_feed(client, ann)
    org = await new_org(client)
    await follow_org(client, ann, org)
    for minutes, title in ((5, "Wells dug"), (4, "Pumps fixed")):
        await publish(client, post(org, title, minutes_ago(minutes)))
    assert titles(await read_feed(client, ann)) == ["post:Pumps fixed", "post:Wells dug"]

    muted = OrgFollowChanged(org_id=org.org_id, user_id=ann.user_id,
                             settings=FollowSettings(in_feed=False), seq=2)  # fmt: skip
    await publish(client, muted)

    assert (await read_feed(client, ann))["items"] == []
    assert await timeline(client, redis, ann) == {}
    await publish(client, post(org, "Taps open", minutes_ago(3)))  # while muted
    assert (await read_feed(client, ann))["items"] == []

    await publish(client, muted.model_copy(update={"settings": FollowSettings(), "seq": 3}))

    feed = await read_feed(client, ann)
    assert titles(feed) == ["post:Taps open", "post:Pumps fixed", "post:Wells dug"]
    assert reasons(feed) == [["You follow Water for All"]] * 3


def calendar_event(org: Any, title: str) -> CalendarEventCard:
    """An organization's calendar event, three days ahead."""
    start = datetime.now(UTC) + timedelta(days=3)
    return CalendarEventCard(event_id=uuid.uuid4().hex, org=org, title=title, starts_at=start,
                             ends_at=start + timedelta(hours=2), time_zone="Europe/Paris",
                             capacity=30, url="/events/x")  # fmt: skip


async def test_deleted_hidden_closed_and_cancelled_activities_leave_every_feed(
    client: Client, keys: TestKeys
) -> None:
    ann, cy, bo = [await person(client, keys, n) for n in ("Ann", "Cy", "Bo")]
    org = await new_org(client)
    for reader in (ann, cy):
        await open_feed(client, reader)
        await follow_org(client, reader, org)
        await follow(client, reader, bo)
    deleted = await publish(client, post(org, "Wells dug", minutes_ago(6)))
    hidden = await publish(client, post(org, "Pumps fixed", minutes_ago(5)))
    opening = opportunity(org, "Dig a well")
    await publish(client, OpportunityPublished(opportunity=opening, published_at=minutes_ago(4),
                                               version=1))  # fmt: skip
    cleanup = calendar_event(org, "Beach clean-up")
    await publish(client, EventScheduled(event=cleanup, by=bo.user_id, version=1),
                  occurred_at=minutes_ago(3))  # fmt: skip
    review = ReviewPosted(review_id=uuid.uuid4().hex, org=org, author_id=bo.user_id, stars=5,
                          excerpt="Great", version=1)  # fmt: skip
    await publish(client, review, occurred_at=minutes_ago(2))
    everything = ["review:review", "event:Beach clean-up", "opportunity:Dig a well",
                  "post:Pumps fixed", "post:Wells dug"]  # fmt: skip
    for reader in (ann, cy):
        assert titles(await read_feed(client, reader)) == everything

    await publish(client, PostDeleted(post_id=deleted.data.post_id, org_id=org.org_id))
    await publish(client, PostHidden(post_id=hidden.data.post_id, org_id=org.org_id))
    await publish(client, ReviewHidden(review_id=review.review_id, org_id=org.org_id))
    await publish(client, OpportunityClosed(opportunity=opening, reason="closed",
                                            closed_at=minutes_ago(1), version=2))  # fmt: skip
    await publish(client, EventCancelled(event=cleanup, by=bo.user_id, version=2))

    for reader in (ann, cy):
        assert (await read_feed(client, reader))["items"] == []

    await publish(client, PostHidden(post_id=hidden.data.post_id, org_id=org.org_id,
                                     hidden=False))  # fmt: skip
    await publish(client, ReviewHidden(review_id=review.review_id, org_id=org.org_id,
                                       hidden=False))  # fmt: skip
    for reader in (ann, cy):
        assert titles(await read_feed(client, reader)) == ["review:review", "post:Pumps fixed"]

    await publish(client, OrgHidden(org_id=org.org_id))  # the review names it: it goes too
    for reader in (ann, cy):
        assert (await read_feed(client, reader))["items"] == []
    await publish(client, OrgHidden(org_id=org.org_id, hidden=False))
    for reader in (ann, cy):
        assert titles(await read_feed(client, reader)) == ["review:review", "post:Pumps fixed"]


async def test_leaving_a_cause_takes_the_join_out(client: Client, keys: TestKeys) -> None:
    ann, bo = await person(client, keys, "Ann"), await person(client, keys, "Bo")
    await open_feed(client, ann)
    await follow(client, ann, bo)
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(2))  # fmt: skip
    await publish(client, CauseJoined(cause="education", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(1))  # fmt: skip

    await publish(client, CauseLeft(cause="clean-water", user_id=bo.user_id, seq=2))

    assert reasons(await read_feed(client, ann)) == [
        ["Bo, whom you follow, joined the cause Education"]
    ]


# -- erasure ------------------------------------------------------------------------------------


def mentions(value: Any, text: str) -> Iterator[str]:
    """Where ``text`` appears in a document (keys and values, at any depth)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if text in str(key):
                yield f"key {key}"
            yield from (f"{key}.{where}" for where in mentions(item, text))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from (f"{index}.{where}" for where in mentions(item, text))
    elif text in str(value):
        yield repr(value)


async def mongo_traces(client: Client, user_id: str) -> list[str]:
    """Every document of feed's database that names ``user_id`` (the tombstone left out, once
    checked to hold nothing else)."""
    db = service(client).deps.store.db
    found = []
    for name in await db.list_collection_names():
        async for document in db[name].find({}):
            if name == "people" and document == {"_id": user_id, "erased": True}:
                continue
            found += [f"{name} {document['_id']}: {w}" for w in mentions(document, user_id)]
    return found


async def redis_traces(redis: Redis, names: Names, user_id: str) -> list[str]:
    """Every key under this test's prefix whose name or content names ``user_id``."""
    found = []
    for key in await prefixed_keys(redis, names):
        kind: Any = await redis.type(key)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "zset":
            content: Any = await redis.zrange(key, 0, -1)
        elif kind == "set":
            content = await redis.smembers(key)
        else:
            content = await redis.get(key)
        if user_id in key.decode() or user_id in repr(content):
            found.append(f"{key.decode()} ({kind})")
    return found


async def test_an_erased_person_leaves_nothing_behind(
    client: Client, keys: TestKeys, redis: Redis, names: Names
) -> None:
    ann, bo, cy = [await person(client, keys, n) for n in ("Ann", "Bo", "Cy")]
    org = await new_org(client)
    for reader in (bo, cy):
        await open_feed(client, reader)
    answer = await client.put("/feed/preferences", json={"cause_opportunities": True},
                              headers=bo.auth)  # fmt: skip
    assert answer.status == 200
    await follow_org(client, bo, org)  # an edge, a follower set, an activity
    await follow_org(client, cy, org)
    await follow(client, bo, ann)
    await follow(client, cy, bo)
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(3))  # fmt: skip
    await publish(client, CauseLeft(cause="education", user_id=bo.user_id, seq=2))
    await publish(client, ReviewPosted(review_id=uuid.uuid4().hex, org=org, author_id=bo.user_id,
                                       stars=4, excerpt="Kind", version=1),
                  occurred_at=minutes_ago(2))  # fmt: skip
    wells = await publish(client, post(org, "Wells dug", minutes_ago(1)))
    assert titles(await read_feed(client, cy)) == [
        "org_followed:org_followed", "post:Wells dug", "review:review", "cause_joined:clean-water"
    ]  # fmt: skip
    assert (await client.post("/feed/seen", headers=bo.auth)).status == 200
    assert await mongo_traces(client, bo.user_id) != []  # the scans see what there is
    assert await redis_traces(redis, names, bo.user_id) != []

    await publish(client, UserDeleted(user_id=bo.user_id), producer="identity")

    assert titles(await read_feed(client, cy)) == ["post:Wells dug"]
    wells_member = await activity_member(client, f"post:{wells.data.post_id}", REASON_ORG)
    assert set(await timeline(client, redis, cy) or {}) == {wells_member}
    assert await mongo_traces(client, bo.user_id) == []
    assert await redis_traces(redis, names, bo.user_id) == []

    # Late and redelivered events about them bring nothing back.
    await follow(client, cy, bo, seq=3)
    await follow_org(client, bo, org, seq=3)
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=3))
    await publish(client, UserFollowed(follower_id=bo.user_id, followee_id=ann.user_id, seq=3),
                  producer="identity")  # fmt: skip
    # orgs' own erasure comes after: Bo leaves his causes, his reviews are deleted.
    await publish(client, CauseLeft(cause="clean-water", user_id=bo.user_id, seq=4))
    await publish(client, ReviewDeleted(review_id=f"{org.org_id}:{bo.user_id}",
                                        org_id=org.org_id, author_id=bo.user_id))  # fmt: skip
    assert titles(await read_feed(client, cy)) == ["post:Wells dug"]
    assert await mongo_traces(client, bo.user_id) == []
    assert await redis_traces(redis, names, bo.user_id) == []
    assert set(await timeline(client, redis, cy) or {}) == {wells_member}


@pytest.mark.parametrize("overrides", [{"large_source_followers": 1}], ids=["large>1"])
async def test_an_erased_person_who_was_a_large_source_leaves_nothing_behind(
    client: Client, keys: TestKeys, redis: Redis, names: Names
) -> None:
    ann, bo, cy = [await person(client, keys, n) for n in ("Ann", "Bo", "Cy")]
    for reader in (ann, cy):
        await open_feed(client, reader)
        await follow(client, reader, bo)  # two followers: Bo is merged when they read
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1))
    assert titles(await read_feed(client, ann)) == ["cause_joined:clean-water"]
    assert await service(client).deps.timelines.large_sources() == {f"u:{bo.user_id}"}

    await publish(client, UserDeleted(user_id=bo.user_id), producer="identity")

    for reader in (ann, cy):
        assert (await read_feed(client, reader))["items"] == []
    assert await mongo_traces(client, bo.user_id) == []
    assert await redis_traces(redis, names, bo.user_id) == []
