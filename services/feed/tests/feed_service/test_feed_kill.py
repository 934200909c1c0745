"""A fan-out in progress survives a SIGKILL of its worker: feed runs as its own process
(``python -m jumo_feed`` on a free port, this test's database, exchange, queues and Redis
prefix, ``FANOUT_BATCH=200``), an organization has 20,000 followers who all read recently, its
post is published, the process is killed with SIGKILL once some but not all of their timelines
hold the post, a second process is started, and every one of the 20,000 timelines ends up
holding it exactly once.

The followers are seeded into Redis directly, through feed's ``Timelines`` (their follower set
and their open timelines), not by 20,000 org.followed events and first reads: those would take
minutes on FerretDB and are not what is under test — the fan-out of one activity is, and it
reads nothing else. How followers come by events is tested in test_feed_fanout.py.

The whole fan-out takes a fraction of a second, most of it while the post.published handler is
still publishing its batches: the kill nearly always lands before that handler is done, so the
second process takes the event over once its claim's lease (30 s) has run out and publishes
every batch again (those the first process wrote are written twice: one entry each); a kill
after it is done leaves the unacknowledged batches, which the broker redelivers at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import aio_pika
import aiohttp
from redis.asyncio import Redis

from jumo_common.bus import SHARED_QUEUE, connect, queue_names
from jumo_common.bus.runtime import open_publisher
from jumo_common.events import make_event
from jumo_common.testing.wait import wait_until
from jumo_devstack import free_port
from jumo_feed.model import REASON_ORG, SENTINEL, activity_number, member, org_source
from jumo_feed.settings import FeedSettings
from jumo_feed.timelines import Timelines

from .conftest import minutes_ago, org_card, post

FOLLOWERS = 20_000
BATCH = 200
INHERITED = ("PATH", "HOME", "LANG", "TZ", "PYTHONPATH")
QUEUES = (SHARED_QUEUE, "activities", "fanout", "erasure")


class FeedProcess:
    """feed as a child process of this test, logging to a file."""

    def __init__(self, settings: FeedSettings, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.env = {
            **{k: os.environ[k] for k in INHERITED if k in os.environ},
            "PORT": str(self.port), "MONGO_URL": settings.mongo_url,
            "MONGO_DATABASE": settings.mongo_database, "AMQP_URL": settings.amqp_url,
            "EVENTS_EXCHANGE": settings.events_exchange, "QUEUE_PREFIX": settings.queue_prefix,
            "REDIS_URL": settings.redis_url, "REDIS_PREFIX": settings.redis_prefix,
            "JWKS_URL": settings.jwks_url, "FANOUT_BATCH": str(BATCH), "LOG_JSON": "true",
            "PYTHONUNBUFFERED": "1",  # its log survives the SIGKILL
        }  # fmt: skip
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start it and wait until /readyz answers 200 (its consumers are up)."""
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "jumo_feed", env=self.env, stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        await wait_until(self._ready, timeout=60, what=f"feed ready:\n{self.tail()}")

    async def _ready(self) -> bool:
        assert self.process is not None
        assert self.process.returncode is None, self.tail()
        try:
            async with aiohttp.ClientSession() as session:
                url = f"http://127.0.0.1:{self.port}/readyz"
                async with session.get(url) as answer:
                    return answer.status == 200
        except aiohttp.ClientError:
            return False

    async def kill(self) -> None:
        """SIGKILL by pid, and wait until it is gone."""
        if self.process is not None and self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM (SIGKILL after 15 s)."""
        if self.process is None or self.process.returncode is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            await self.kill()

    def tail(self) -> str:
        """The end of its log."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-30:])


def chunks(values: list[str], size: int = 5000) -> Iterator[list[str]]:
    """``values`` a few thousand at a time (one pipeline each)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def seed(timelines: Timelines, source: str, user_ids: list[str]) -> None:
    """``user_ids`` follow ``source`` (in this order) and read recently: their timelines exist."""
    await timelines.load_followers({source: [(u, float(i)) for i, u in enumerate(user_ids, 1)]})
    redis = timelines.redis
    for part in chunks(user_ids):
        async with redis.pipeline(transaction=False) as pipe:
            for user_id in part:
                pipe.zadd(timelines.timeline_key(user_id), {SENTINEL: 0})
                pipe.expire(timelines.timeline_key(user_id), timelines.ttl_s)
            await pipe.execute()


async def scores(timelines: Timelines, user_ids: list[str], value: int) -> list[float | None]:
    """The score of ``value`` in each of these timelines (None: not there)."""
    found: list[float | None] = []
    for part in chunks(user_ids):
        async with timelines.redis.pipeline(transaction=False) as pipe:
            for user_id in part:
                pipe.zscore(timelines.timeline_key(user_id), value)
            found += await pipe.execute()
    return found


async def sizes(timelines: Timelines, user_ids: list[str]) -> list[int]:
    """ZCARD of each of these timelines."""
    found: list[int] = []
    for part in chunks(user_ids):
        async with timelines.redis.pipeline(transaction=False) as pipe:
            for user_id in part:
                pipe.zcard(timelines.timeline_key(user_id))
            found += await pipe.execute()
    return found


async def delete_queues(settings: FeedSettings) -> None:
    """The child's queues (the test plugin deletes only those this process declared)."""
    with contextlib.suppress(Exception):
        connection = await aio_pika.connect(settings.amqp_url, timeout=5)
        async with connection:
            for queue in QUEUES:
                for name in queue_names(settings, "feed", queue):
                    with contextlib.suppress(Exception):
                        channel = await connection.channel()
                        await channel.queue_delete(name)
                        await channel.close()


async def test_a_fan_out_of_20000_survives_a_sigkill_of_its_worker(
    settings: FeedSettings, redis: Redis, tmp_path: Path
) -> None:
    timelines = Timelines(redis, settings.redis_prefix, settings.timeline_cap,
                          settings.active_days * 86_400)  # fmt: skip
    org = org_card()
    user_ids = [uuid.uuid4().hex for _ in range(FOLLOWERS)]
    await seed(timelines, org_source(org.org_id), user_ids)
    sample = user_ids[:: FOLLOWERS // 100]  # every 200th: one per batch
    published = post(org, "Wells dug", minutes_ago(1))
    value = member(activity_number(published.published_at, f"post:{published.post_id}"),
                   REASON_ORG)  # fmt: skip
    first = FeedProcess(settings, tmp_path / "feed-1.log")
    second = FeedProcess(settings, tmp_path / "feed-2.log")
    connection = await connect(settings)
    try:
        await first.start()
        publisher = await open_publisher(connection, settings)
        await publisher.publish(make_event(published, producer="orgs"))

        async def partly() -> int:
            held = sum(s is not None for s in await scores(timelines, sample, value))
            return held if 0 < held < len(sample) else 0

        held_at_kill = await wait_until(partly, timeout=30, interval=0.001,
                                        what=f"a fan-out under way:\n{first.tail()}")  # fmt: skip
        await first.kill()
        print(f"\nkilled with {held_at_kill} of {len(sample)} sampled timelines written")
        assert 0 < held_at_kill < len(sample)
        await second.start()

        async def everyone() -> bool:
            return all(s is not None for s in await scores(timelines, user_ids, value))

        await wait_until(everyone, timeout=60, interval=0.2,
                         what=f"the post in every timeline:\n{second.tail()}")  # fmt: skip
        await second.stop()
    finally:
        await first.kill()
        await second.kill()
        await connection.close()
        await delete_queues(settings)
    assert set(await scores(timelines, user_ids, value)) == {float(value // 8)}
    assert set(await sizes(timelines, user_ids)) == {2}  # the sentinel and the post, once
