"""Notifications for a post to an organization with 10,000 followers (``notify: all``), and
live delivery over the stream — notifier in-process on the running stack's FerretDB and
RabbitMQ, under names of its own (database ``bench_notifier_<token>``, exchange and queues
``bench.<token>.*``), removed at the end.

    uv run --frozen python bench/notifier_notifications.py [--followers 10000] [--posts 5]
        [--streams 200]

Seeding: the followers' people and follow documents are inserted straight into notifier's
collections (as its projections leave them), because that is what a post's notices read;
publishing 10,000 registrations and follows through the bus would measure the projections.
Per post (``post.published`` published to the bench's exchange): the time from the publish to
the moment every handler of notifier had finished it (``wait_handled``: the notices were built,
the chain ran for every follower, the notifications were written) and the count of
notifications stored (must equal the followers); notifications per second = followers / that
time. Meanwhile ``--streams`` of the followers hold ``GET /notifications/stream`` open over
HTTP (aiohttp server and client in this process); each stream's delay is from the publish to
its ``notification`` event arriving. Medians over the posts, p50/p99 of every stream delay.
Then FerretDB's floor in the same run (``ceiling``): the follows read alone, and as many
notification-shaped inserts alone; ``created_over_ceiling`` is the median creation time over
their sum. Saves bench/notifier_notifications.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
from aiohttp import ClientSession, ClientTimeout, TCPConnector
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from jumo_common.bus import BUS_KEY
from jumo_common.events import make_event
from jumo_common.events.orgs import OrgCard, PostPublished
from jumo_common.logging import configure_logging
from jumo_common.testing.tokens import TestKeys
from jumo_facebook import FacebookSettings
from jumo_notifier.app import create_app
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import INDEXES
from jumo_notifier.typedefs import NOTIFIER

HERE = Path(__file__).resolve().parent
KEY = base64.b64encode(os.urandom(32)).decode()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def seed(app: Any, org: OrgCard, followers: int) -> list[str]:
    """People and their follows of ``org`` (notify: all), inserted in bulk writes of 200."""
    store = app[NOTIFIER].store
    ids = [uuid.uuid4().hex for _ in range(followers)]
    await store.orgs.insert_one({"_id": org.org_id, "name": org.name, "version": 1})
    for start in range(0, followers, 200):
        chunk = ids[start : start + 200]
        await store.people.insert_many([{"_id": i, "name": f"Person {i[:6]}", "version": 1}
                                        for i in chunk])  # fmt: skip
        follows = [{"_id": f"{org.org_id}|{i}", "org": org.org_id, "user": i, "active": True,
                    "notify": "all", "digest": "weekly", "seq": 1} for i in chunk]  # fmt: skip
        await store.follows.insert_many(follows)
    return ids


async def open_stream(session: ClientSession, url: str, token: str, got: dict[str, float],
                      ready: asyncio.Event) -> None:  # fmt: skip
    """Hold a stream open; record when each notification event arrives (by its data)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{url}/notifications/stream", headers=headers) as response:
        ready.set()
        async for raw in response.content:
            line = raw.decode()
            if line.startswith("data: "):
                got[json.loads(line[6:])["id"]] = time.perf_counter()


async def all_arrived(got: dict[str, float], expected: int, timeout: float) -> None:
    """Wait until every stream got the post's notification (or the timeout)."""
    deadline = time.perf_counter() + timeout
    while len(got) < expected and time.perf_counter() < deadline:  # noqa: ASYNC110 - polled
        await asyncio.sleep(0.01)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    token = uuid.uuid4().hex[:8]
    keys = TestKeys()
    mongo_url = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017/")
    amqp_url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    async with keys.serve() as jwks_url:
        settings = NotifierSettings(
            mongo_url=mongo_url, amqp_url=amqp_url, mongo_database=f"bench_notifier_{token}",
            events_exchange=f"bench.{token}.events", queue_prefix=f"bench.{token}.",
            jwks_url=jwks_url, unsubscribe_key=SecretStr(KEY), page_token_key=SecretStr(KEY),
            facebook=FacebookSettings(app_id="1", app_secret=SecretStr("s")),
            log_level="WARNING",
        )  # fmt: skip
        configure_logging(settings)
        app = create_app(settings)
        server = TestServer(app)
        await server.start_server()
        url = str(server.make_url("")).rstrip("/")
        org = OrgCard(org_id=uuid.uuid4().hex, slug="bench", name="Water for All", initials="WA",
                      colour="#2266aa", verified=True)  # fmt: skip
        try:
            started = time.perf_counter()
            ids = await seed(app, org, args.followers)
            seeded_s = time.perf_counter() - started
            print(f"seeded {len(ids)} followers in {seeded_s:.1f} s", flush=True)
            result = await measure(app, url, keys, org, ids, args)
            result["seeding_s"] = round(seeded_s, 2)
            result["ceiling"] = await ceiling(app, org, len(ids))
            floor = result["ceiling"]["read_follows_s"] + result["ceiling"]["insert_s"]
            result["created_over_ceiling"] = round(result["created_s_median"] / floor, 2)
        finally:
            await server.close()
            await cleanup(mongo_url, amqp_url, settings)
    return result


async def measure(app: Any, url: str, keys: TestKeys, org: OrgCard, ids: list[str],
                  args: argparse.Namespace) -> dict[str, Any]:  # fmt: skip
    store = app[NOTIFIER].store
    watchers = ids[: args.streams]
    handled: list[float] = []
    delays: list[float] = []
    timeout = ClientTimeout(total=None, sock_read=None)
    # No connection limit: every stream holds one (aiohttp's default is 100).
    async with ClientSession(timeout=timeout, connector=TCPConnector(limit=0)) as session:
        got: dict[str, float] = {}
        readies = [asyncio.Event() for _ in watchers]
        tasks = [asyncio.create_task(open_stream(session, url, keys.mint(user), got, ready))
                 for user, ready in zip(watchers, readies, strict=True)]  # fmt: skip
        await asyncio.gather(*(ready.wait() for ready in readies))
        await asyncio.sleep(1.0)  # every stream has read its high-water mark
        for n in range(args.posts):
            got.clear()
            post = PostPublished(post_id=uuid.uuid4().hex, org=org, author_id=uuid.uuid4().hex,
                                 title=f"Post {n}", excerpt="x", important=False,
                                 published_at=datetime.now(UTC), version=1)  # fmt: skip
            event = make_event(post, producer="orgs")
            sent = time.perf_counter()
            await app[BUS_KEY].publisher.publish(event)
            await app[BUS_KEY].wait_handled(event.id, timeout=300)
            took = time.perf_counter() - sent
            stored = await store.notifications.count_documents({"event_id": str(event.id)})
            assert stored == len(ids), (stored, len(ids))
            handled.append(took)
            await all_arrived(got, len(watchers), timeout=30)
            delays += [at - sent for at in got.values()]
            print(
                f"post {n}: {len(ids)} notifications in {took:.3f} s "
                f"({len(ids) / took:,.0f}/s); {len(got)}/{len(watchers)} streams, "
                f"p99 {percentile([a - sent for a in got.values()], 99):.3f} s",
                flush=True,
            )
            await asyncio.sleep(1.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    median = statistics.median(handled)
    return {
        "followers": len(ids),
        "posts": args.posts,
        "streams": len(watchers),
        "created_s": [round(t, 3) for t in handled],
        "created_s_median": round(median, 3),
        "notifications_per_s_median": round(len(ids) / median),
        "stream_delay_p50_s": round(percentile(delays, 50), 3),
        "stream_delay_p99_s": round(percentile(delays, 99), 3),
        "stream_deliveries": len(delays),
        "goal_created_s": 2.0,
    }


async def ceiling(app: Any, org: OrgCard, count: int) -> dict[str, float]:
    """FerretDB's floor for one such post, in the same run: reading the organization's follows
    (the fields the chain reads) and inserting as many notification-shaped documents into a
    collection with notifications' indexes, four bulk writes of 200 at a time — notifier's own
    path without the chain, the bus or the streams."""
    store = app[NOTIFIER].store
    started = time.perf_counter()
    follows = await store.followers(org.org_id)
    read_s = time.perf_counter() - started
    scratch = store.db["ceiling_notifications"]
    for spec in INDEXES:
        if spec.collection == "notifications":
            await scratch.create_index(list(spec.keys))
    event_id = str(uuid.uuid4())
    template = (await store.notifications.find_one({})) or {}
    docs = [{**template, "_id": f"x:{event_id}:{f['user']}", "recipient": f["user"],
             "event_id": event_id} for f in follows[:count]]  # fmt: skip
    gate = asyncio.Semaphore(4)

    async def insert(chunk: list[dict[str, Any]]) -> None:
        async with gate:
            await scratch.insert_many(chunk, ordered=False)

    started = time.perf_counter()
    await asyncio.gather(*(insert(docs[i : i + 200]) for i in range(0, len(docs), 200)))
    insert_s = time.perf_counter() - started
    print(f"ceiling: read {len(follows)} follows {read_s:.3f} s, insert {len(docs)} "
          f"{insert_s:.3f} s", flush=True)  # fmt: skip
    return {"read_follows_s": round(read_s, 3), "insert_s": round(insert_s, 3)}


async def cleanup(mongo_url: str, amqp_url: str, settings: NotifierSettings) -> None:
    """Drop the bench's database and delete its queues and exchange."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    await client.drop_database(settings.mongo_database)
    await client.close()
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in ("people", "orgs", "notices", "erasure", "email", "facebook"):
            for suffix in ("", ".dead"):
                try:
                    await channel.queue_delete(f"{settings.queue_prefix}notifier.{name}{suffix}")
                except Exception:  # a queue this version did not declare
                    channel = await connection.channel()
        for exchange in (settings.events_exchange, f"{settings.events_exchange}.dead"):
            try:
                await channel.exchange_delete(exchange)
            except Exception:  # already gone
                channel = await connection.channel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=5)
    parser.add_argument("--streams", type=int, default=200)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    result["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["load_average"] = os.getloadavg()
    result["python"] = platform.python_version()
    print(json.dumps(result, indent=2))
    (HERE / "notifier_notifications.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
