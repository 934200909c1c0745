"""Timelines as Redis holds them: following back-fills the source's newest activities, a
timeline keeps only its newest ``timeline_cap`` entries, the whole store is a cache (flushed,
the next read rebuilds the same feed from MongoDB, reasons and all), and only people who read
get fan-out (the active rule): someone who never read has no timeline, and a full feed on
their first read.

Settings here: ``timeline_cap`` 20 (the smallest allowed) and ``backfill`` 5.
"""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from jumo_common.events.opportunities import OpportunityPublished
from jumo_common.events.orgs import CauseJoined
from jumo_common.testing.plugin import TestNames as Names
from jumo_common.testing.tokens import TestKeys
from jumo_feed.model import REASON_ORG

from .conftest import (
    Client,
    Person,
    activity_member,
    delete_keys,
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
    read_all,
    read_feed,
    reasons,
    service,
    timeline,
    titles,
)

CAP, BACKFILL = 20, 5


@pytest.fixture
def overrides() -> dict[str, Any]:
    """A small cap and back-fill, so that a test can go past them."""
    return {"timeline_cap": CAP, "backfill": BACKFILL}


async def test_following_back_fills_the_sources_newest_activities(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann, bo = await person(client, keys, "Ann"), await person(client, keys, "Bo")
    await open_feed(client, ann)
    org = await new_org(client)
    for n in range(8):
        await publish(client, post(org, f"News {n}", minutes_ago(60 - n)))
    for n in range(2):
        await publish(client, CauseJoined(cause=f"cause-{n}", user_id=bo.user_id, seq=1),
                      occurred_at=minutes_ago(30 - n))  # fmt: skip
    assert (await read_feed(client, ann))["items"] == []

    await follow_org(client, ann, org)

    assert titles(await read_feed(client, ann)) == [f"post:News {n}" for n in (7, 6, 5, 4, 3)]
    assert len(await timeline(client, redis, ann) or {}) == BACKFILL

    await follow(client, ann, bo)

    feed = await read_feed(client, ann)
    assert titles(feed)[:3] == ["cause_joined:cause-1", "cause_joined:cause-0", "post:News 7"]
    assert reasons(feed)[0] == ["Bo, whom you follow, joined the cause Cause 1"]
    assert len(await timeline(client, redis, ann) or {}) == BACKFILL + 2


async def test_a_timeline_keeps_its_newest_entries_up_to_the_cap(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann = await person(client, keys, "Ann")
    await open_feed(client, ann)
    org = await new_org(client)
    await follow_org(client, ann, org)
    ages = [(n * 7) % 26 for n in range(26)]  # every age once, out of order: older ones late

    for age in ages:
        await publish(client, post(org, f"{age} minutes ago", minutes_ago(age + 1)))

    key = service(client).deps.timelines.timeline_key(ann.user_id)
    assert await redis.zcard(key) == CAP + 1  # the newest CAP, and the sentinel
    newest = [f"post:{age} minutes ago" for age in range(CAP)]
    assert titles({"items": await read_all(client, ann)}) == newest
    page = await read_feed(client, ann, limit=100)
    assert titles(page) == newest
    assert page["next_cursor"] is None


async def world(client: Client, keys: TestKeys) -> tuple[Person, Person]:
    """Ann follows an organization and Bo, joined a cause and asked for its opportunities;
    Cy follows the organization only; both read. Activities of every kind of reason follow,
    one of them reaching Ann twice (her organization's opportunity in her cause)."""
    ann, bo, cy = [await person(client, keys, n) for n in ("Ann", "Bo", "Cy")]
    org = await new_org(client)
    for reader in (ann, cy):
        await open_feed(client, reader)
        await follow_org(client, reader, org)
    answer = await client.put("/feed/preferences", json={"cause_opportunities": True},
                              headers=ann.auth)  # fmt: skip
    assert answer.status == 200
    await publish(client, CauseJoined(cause="clean-water", user_id=ann.user_id, seq=1))
    await follow(client, ann, bo)
    await publish(client, post(org, "Wells dug", minutes_ago(5)))
    other = await new_org(client, "Rivers Trust")
    await publish(client, OpportunityPublished(
        opportunity=opportunity(other, "Count fish", ("clean-water",)),
        published_at=minutes_ago(4), version=1))  # fmt: skip
    await publish(client, OpportunityPublished(
        opportunity=opportunity(org, "Dig a well", ("education", "clean-water")),
        published_at=minutes_ago(3), version=1))  # fmt: skip
    await publish(client, CauseJoined(cause="education", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(2))  # fmt: skip
    return ann, cy


async def test_a_flushed_timeline_store_is_rebuilt_on_the_next_read(
    client: Client, keys: TestKeys, redis: Redis, names: Names
) -> None:
    ann, cy = await world(client, keys)
    before = {who.name: await read_feed(client, who) for who in (ann, cy)}
    assert titles(before["Ann"]) == ["cause_joined:education", "opportunity:Dig a well",
                                     "opportunity:Count fish", "post:Wells dug"]  # fmt: skip
    assert reasons(before["Ann"]) == [
        ["Bo, whom you follow, joined the cause Education"],
        ["You follow Water for All", "You joined the cause Clean Water"],
        ["You joined the cause Clean Water"],
        ["You follow Water for All"],
    ]
    assert titles(before["Cy"]) == ["opportunity:Dig a well", "post:Wells dug"]

    await delete_keys(redis, await prefixed_keys(redis, names, "tl:*"))  # the timelines

    for who in (ann, cy):
        assert await timeline(client, redis, who) is None
        assert await read_feed(client, who) == before[who.name]

    await delete_keys(redis, await prefixed_keys(redis, names))  # everything: Redis restarted
    await service(client).graph.load_followers()

    for who in (ann, cy):
        assert await read_feed(client, who) == before[who.name]
    org = before["Cy"]["items"][0]["org"]
    wells = await publish(client, post(org, "Pumps fixed", minutes_ago(1)))  # fan-out works
    pumps = await activity_member(client, f"post:{wells.data.post_id}", REASON_ORG)
    for who in (ann, cy):
        assert pumps in (await timeline(client, redis, who) or {})
        assert titles(await read_feed(client, who))[0] == "post:Pumps fixed"


async def test_someone_who_never_read_has_no_timeline_and_a_full_feed_on_first_read(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    dee, bo = await person(client, keys, "Dee"), await person(client, keys, "Bo")
    org = await new_org(client)
    await follow_org(client, dee, org)
    await follow(client, dee, bo)
    await publish(client, post(org, "Wells dug", minutes_ago(3)))
    await publish(client, CauseJoined(cause="clean-water", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(2))  # fmt: skip

    assert await timeline(client, redis, dee) is None  # fan-out skipped her

    feed = await read_feed(client, dee)
    assert titles(feed) == ["cause_joined:clean-water", "post:Wells dug"]
    assert reasons(feed) == [["Bo, whom you follow, joined the cause Clean Water"],
                             ["You follow Water for All"]]  # fmt: skip
    assert len(await timeline(client, redis, dee) or {}) == 2
