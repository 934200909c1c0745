"""Hybrid fan-out: a source with more followers than ``large_source_followers`` is not fanned
out but merged into its followers' feeds when they read (in order among the fanned-out items,
with its reason, cursors stable while new items arrive above); a larger audience than one
batch goes through feed's work queue (``feed.fanout_batch``), its batches a partition of the
followers, and every follower gets the entry exactly once; a batch message that does not parse
is dead-lettered with its reason while the consumer goes on.

Each test sets its own fan-out settings (``overrides``, parametrized).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import aio_pika
import orjson
import pytest
from redis.asyncio import Redis

from jumo_common.bus import BUS_KEY, DEAD_REASON_HEADER, queue_names
from jumo_common.events import Envelope, make_event
from jumo_common.events.feed import FanoutBatch
from jumo_common.events.orgs import FollowSettings, OrgCard, OrgFollowed
from jumo_common.testing.bus import EventTap, wait_handled
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until
from jumo_feed.model import REASON_ORG, member
from jumo_feed.settings import FeedSettings

from .conftest import (
    HANDLED_WITHIN_S,
    Client,
    Person,
    activity_member,
    drain,
    follow_org,
    minutes_ago,
    new_org,
    open_feed,
    person,
    post,
    publish,
    read_feed,
    reasons,
    service,
    timeline,
    titles,
)


def fanout(**values: int) -> pytest.MarkDecorator:
    """Parametrize a test's settings."""
    return pytest.mark.parametrize("overrides", [values], ids=[str(values)])


# -- the read-time merge of a large source --------------------------------------------------------


async def posts(client: Client, big: OrgCard, small: OrgCard, numbers: range, at: Any) -> None:
    """The two organizations take turns: big n, then small n, each a minute after the last."""
    for n in numbers:
        await publish(client, post(big, f"Big {n}", at(2 * n)))
        await publish(client, post(small, f"Small {n}", at(2 * n + 1)))


@fanout(large_source_followers=3, fanout_batch=10)
async def test_a_large_source_is_merged_at_read_time_in_order_with_stable_cursors(
    client: Client, keys: TestKeys, redis: Redis
) -> None:
    ann, bo, cy, dee, eve = [await person(client, keys, n) for n in ("Ann", "Bo", "Cy", "Dee",
                                                                     "Eve")]  # fmt: skip
    big, small = await new_org(client, "Water for All"), await new_org(client, "Food Bank")
    for who in (ann, bo, cy, dee, eve):
        await open_feed(client, who)
    for who in (ann, bo, cy, dee):  # four followers: more than 3, so big is large
        await follow_org(client, who, big)
    await follow_org(client, ann, small)
    start = minutes_ago(60)

    def at(minute: int) -> datetime:
        return start + timedelta(minutes=minute)

    await posts(client, big, small, range(4), at)

    timelines = service(client).deps.timelines
    assert await timelines.large_sources() == {f"o:{big.org_id}"}
    for who in (ann, bo, cy, dee):  # big's posts are in nobody's timeline key
        held = await timeline(client, redis, who) or {}
        assert {m % 8 for m in held} <= {REASON_ORG}
        assert len(held) == (4 if who is ann else 0)
    expected = [f"post:{kind} {n}" for n in (3, 2, 1, 0) for kind in ("Small", "Big")]
    feed = await read_feed(client, ann)
    assert titles(feed) == expected
    assert reasons(feed) == [[f"You follow {'Food Bank' if n % 2 == 0 else 'Water for All'}"]
                             for n in range(8)]  # fmt: skip
    assert titles(await read_feed(client, bo)) == [f"post:Big {n}" for n in (3, 2, 1, 0)]
    assert (await read_feed(client, eve))["items"] == []

    # Pages of 3, while both organizations keep posting above the first page.
    seen: list[str] = []
    page = await read_feed(client, ann, limit=3)
    for later in (range(4, 5), range(5, 6), range(6, 7)):
        seen += titles(page)
        await posts(client, big, small, later, at)
        if not page["next_cursor"]:
            break
        page = await read_feed(client, ann, limit=3, cursor=page["next_cursor"])
    assert seen == expected
    assert page["next_cursor"] is None
    assert titles(await read_feed(client, ann, limit=4)) == [
        "post:Small 6",
        "post:Big 6",
        "post:Small 5",
        "post:Big 5",
    ]


# -- batches on the work queue --------------------------------------------------------------------


async def seed_followers(client: Client, org: OrgCard, count: int) -> list[str]:
    """``count`` people follow ``org`` and read recently: the follow graph's own use case
    (``Graph.on_org_followed``, as its consumer calls it) and an opened timeline each — a
    thousand org.followed events through FerretDB would take most of a minute."""
    feed = service(client)
    user_ids = [uuid.uuid4().hex for _ in range(count)]
    start = minutes_ago(60)

    async def one(index: int, user_id: str) -> None:
        data = OrgFollowed(org_id=org.org_id, user_id=user_id, settings=FollowSettings(), seq=1)
        at = start + timedelta(milliseconds=index)
        await feed.graph.on_org_followed(make_event(data, producer="orgs", occurred_at=at))
        await feed.deps.timelines.open_timeline(user_id)

    for first in range(0, count, 20):
        await asyncio.gather(
            *(one(first + i, u) for i, u in enumerate(user_ids[first : first + 20]))
        )
    return user_ids


async def holding(redis: Redis, client: Client, user_ids: list[str], value: int) -> int:
    """How many of these timelines hold ``value``."""
    timelines = service(client).deps.timelines
    async with redis.pipeline(transaction=False) as pipe:
        for user_id in user_ids:
            pipe.zscore(timelines.timeline_key(user_id), value)
        scores = await pipe.execute()
    return sum(score is not None for score in scores)


async def check_partition(
    redis: Redis, client: Client, org: OrgCard, batches: list[dict[str, Any]], size: int
) -> None:
    """The batches cover the follow order from its start to its end, without overlap, and
    none holds more than ``size`` followers."""
    key = service(client).deps.timelines.followers_key(f"o:{org.org_id}")
    ranges = sorted((b["data"]["after"], b["data"]["upto"]) for b in batches)
    assert ranges[0][0] < 0
    assert ranges[-1][1] is None
    assert all(ranges[i][1] == ranges[i + 1][0] for i in range(len(ranges) - 1))
    counts = [await redis.zcount(key, f"({after}", "+inf" if upto is None else upto)
              for after, upto in ranges]  # fmt: skip
    assert sum(counts) == await redis.zcard(key)
    assert max(counts) <= size


@fanout(fanout_batch=100)
async def test_a_thousand_followers_get_the_post_once_through_the_work_queue(
    client: Client, settings: FeedSettings, redis: Redis
) -> None:
    org = await new_org(client)
    user_ids = await seed_followers(client, org, 1000)
    async with EventTap.open(settings, "feed.fanout_batch.#") as tap:
        published = await publish(client, post(org, "Wells dug", minutes_ago(1)))
        batches = await tap.wait_for("feed.fanout_batch", count=10, timeout=30)

    value = await activity_member(client, f"post:{published.data.post_id}", REASON_ORG)

    async def everyone() -> bool:
        return await holding(redis, client, user_ids, value) == len(user_ids)

    await wait_until(everyone, timeout=30, what="the post in every timeline")
    for user_id in user_ids[:: len(user_ids) // 50]:
        assert await timeline(client, redis, user_id) == {value: value // 8}
    assert len(tap.of_type("feed.fanout_batch")) == 10
    await check_partition(redis, client, org, batches, 100)


@fanout(fanout_batch=10)
async def test_followers_who_came_by_events_get_the_post_through_the_work_queue(
    client: Client, settings: FeedSettings, keys: TestKeys, redis: Redis
) -> None:
    org = await new_org(client)
    people = [Person(uuid.uuid4().hex, f"P{n}", "") for n in range(35)]
    follows = [make_event(OrgFollowed(org_id=org.org_id, user_id=p.user_id,
                                      settings=FollowSettings(), seq=1), producer="orgs")
               for p in people]  # fmt: skip
    await client.app[BUS_KEY].publisher.publish_many(follows)
    for event in follows:
        await wait_handled(client.app, event.id, timeout=HANDLED_WITHIN_S)
    readers = [Person(p.user_id, p.name, keys.mint(p.user_id)) for p in people]
    for reader in readers:
        await open_feed(client, reader)

    async with EventTap.open(settings, "feed.fanout_batch.#") as tap:
        published = await publish(client, post(org, "Wells dug", minutes_ago(1)))
        batches = await tap.wait_for("feed.fanout_batch", count=4, timeout=30)

    value = await activity_member(client, f"post:{published.data.post_id}", REASON_ORG)
    user_ids = [p.user_id for p in people]

    async def everyone() -> bool:
        return await holding(redis, client, user_ids, value) == len(user_ids)

    await wait_until(everyone, timeout=30, what="the post in every timeline")
    await check_partition(redis, client, org, batches, 10)
    for reader in readers[:3]:
        assert reasons(await read_feed(client, reader)) == [["You follow Water for All"]]


# -- feed.fanout_batch's contract -----------------------------------------------------------------


async def test_a_batch_that_does_not_parse_is_dead_lettered_and_the_next_one_delivered(
    client: Client, settings: FeedSettings, keys: TestKeys, redis: Redis
) -> None:
    ann = await person(client, keys, "Ann")
    await open_feed(client, ann)
    org = await new_org(client)
    await follow_org(client, ann, org)
    source, number = f"o:{org.org_id}", 123_456_789
    good = make_event(FanoutBatch(number=number, reason=REASON_ORG, source=source, after=-1.0),
                      producer="feed")  # fmt: skip
    wrong_type = good.to_dict() | {"id": str(uuid.uuid4())}
    wrong_type["data"] = {**wrong_type["data"], "number": "many"}
    missing = good.to_dict() | {"id": str(uuid.uuid4())}
    missing["data"] = {k: v for k, v in missing["data"].items() if k != "source"}
    bad = {
        orjson.dumps(wrong_type): ("number", wrong_type["id"]),
        orjson.dumps(missing): ("source", missing["id"]),
        b'{"type": "feed.fanout_batch", "version": 1, "data": [': ("not JSON", "not-json"),
    }
    publisher = client.app[BUS_KEY].publisher
    for body, (_, message_id) in bad.items():
        await publisher.publish_message(aio_pika.Message(body, message_id=message_id),
                                        "feed.fanout_batch.v1")  # fmt: skip
    await send_batch(client, good)

    assert await timeline(client, redis, ann) == {member(number, REASON_ORG): number}
    for _, message_id in bad.values():
        assert await wait_handled(client.app, message_id, HANDLED_WITHIN_S) == "dead-lettered"
    _, dead_queue = queue_names(settings, "feed", "fanout")
    dead = await drain(settings.amqp_url, dead_queue)
    why = {m.body: str((m.headers or {})[DEAD_REASON_HEADER]) for m in dead}
    assert why.keys() == bad.keys()
    for body, (field, _) in bad.items():
        assert why[body].startswith("invalid: ")
        assert field in why[body]


async def send_batch(client: Client, batch: Envelope[FanoutBatch]) -> None:
    """Publish a batch on feed's work queue and wait until it was delivered."""
    await client.app[BUS_KEY].publisher.publish(batch)
    assert await wait_handled(client.app, batch.id, HANDLED_WITHIN_S) == "handled"
