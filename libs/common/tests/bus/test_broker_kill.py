"""The broker SIGKILLed in the middle of 2,000 outbox events: nothing lost, nothing twice.

Uses a PRIVATE RabbitMQ node (own port, own data folder) and kills that one by pid.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

from jumo_common.bus import PROCESSED_COLLECTION, Bus, Subscriptions, on, queue_names
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserRegistered
from jumo_common.mongo import WRITE_CLAIMS
from jumo_common.outbox import Outbox, VersionedDocuments
from jumo_common.testing.wait import wait_until
from jumo_devstack import RabbitNode, free_port, scratch_dir

from .conftest import FAST_BACKOFF, SERVICE, make_settings, queue_depth

if TYPE_CHECKING:
    from jumo_common.testing.plugin import InfraUrls, TestNames

TOTAL = 2000


@pytest.fixture
async def rabbit() -> AsyncIterator[RabbitNode]:
    """A private RabbitMQ node, stopped and removed after the test."""
    base = scratch_dir("jumo-bus-kill-")
    node = RabbitNode(base, free_port())
    await asyncio.to_thread(node.start)
    try:
        yield node
    finally:
        await asyncio.to_thread(node.stop)
        shutil.rmtree(base, ignore_errors=True)


class Effects:
    """A deliberately non-idempotent effect: only the consumer's claims keep it exact."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.applied = 0

    async def handle(self, event: Envelope[UserRegistered]) -> None:
        await self.db.effects.update_one({"_id": str(event.id)}, {"$inc": {"n": 1}}, upsert=True)
        self.applied += 1

    def reached(self, n: int) -> Any:
        async def probe() -> bool:
            return self.applied >= n

        return probe


async def produce(users: VersionedDocuments) -> None:
    """2,000 users registered, 100 at a time, each write waking the relay."""

    async def register(i: int) -> None:
        event = make_event(
            UserRegistered(user_id=f"u{i}", display_name=f"User {i}"), producer="identity"
        )
        await users.create({"_id": f"u{i}"}, [event])

    for start in range(0, TOTAL, 100):
        await asyncio.gather(*(register(i) for i in range(start, start + 100)))
        await asyncio.sleep(0.02)  # a steady stream rather than one burst


@contextlib.asynccontextmanager
async def background(coro: Any) -> AsyncIterator[asyncio.Task[Any]]:
    task = asyncio.create_task(coro)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _explain(db: Any, effects: Effects, url: str, queue: str) -> None:
    """What is stuck, printed when the test times out."""
    from jumo_common.outbox import SENT_COLLECTION

    sent = await db[SENT_COLLECTION].count_documents({})
    claims = await db[PROCESSED_COLLECTION].count_documents({"state": "running"})
    depth = await queue_depth(url, queue)
    print(
        f"\nSTUCK: applied={effects.applied} sent={sent}"
        f" running claims={claims} queue (ready, consumers)={depth}"
    )


@pytest.mark.slow
async def test_broker_sigkilled_mid_stream_loses_nothing_and_repeats_nothing(
    rabbit: RabbitNode, infra: InfraUrls, names: TestNames, mongo_db: Any
) -> None:
    settings = make_settings(infra, names, amqp_url=rabbit.url, publish_timeout_s=3.0)
    effects = Effects(mongo_db)
    lost: list[float] = []
    outbox = Outbox(mongo_db, ["users"])
    bus = await Bus.start(
        settings,
        service=SERVICE,
        subscriptions=Subscriptions(on(UserRegistered, effects.handle)),
        processed=mongo_db[PROCESSED_COLLECTION],
        outbox=outbox,
        backoff=FAST_BACKOFF,
        watchdog_interval=1.0,
        on_consumer_lost=lambda: lost.append(time.monotonic()),
    )
    users = VersionedDocuments(mongo_db.users, outbox, mongo_db[WRITE_CLAIMS])
    queue, _ = queue_names(settings, SERVICE)
    try:
        started = time.monotonic()
        async with background(produce(users)):
            await wait_until(effects.reached(TOTAL // 4), timeout=60, what="a quarter handled")
            killed_at = time.monotonic()
            await asyncio.to_thread(rabbit.kill)
            applied_at_kill = effects.applied
            await asyncio.to_thread(rabbit.restart)
            up_at = time.monotonic()

            async def consumer_back() -> bool:
                with contextlib.suppress(Exception):
                    return (await queue_depth(rabbit.url, queue))[1] >= 1
                return False

            await wait_until(consumer_back, timeout=10, interval=0.1, what="consumer back")
            back_at = time.monotonic()
            await wait_until(effects.reached(applied_at_kill + 1), timeout=10, what="progress")
            flowing_at = time.monotonic()
            try:
                await wait_until(effects.reached(TOTAL), timeout=120, what="all 2,000 effects")
            except AssertionError:
                await _explain(mongo_db, effects, rabbit.url, queue)
                raise
            done_at = time.monotonic()
    finally:
        await bus.close()

    counts = [doc["n"] async for doc in mongo_db.effects.find({})]
    print(
        f"\nbroker SIGKILLed after {applied_at_kill} effects ({killed_at - started:.1f} s);"
        f" down+boot {up_at - killed_at:.1f} s;"
        f" consumer back {back_at - up_at:.2f} s after the broker was up;"
        f" effects flowing again {flowing_at - up_at:.2f} s after;"
        f" all {TOTAL} done {done_at - up_at:.1f} s after;"
    )
    assert len(counts) == TOTAL
    assert set(counts) == {1}
    assert await mongo_db[PROCESSED_COLLECTION].count_documents({"state": "done"}) == TOTAL
    assert back_at - up_at < 10
    assert lost == []


async def _ignore(_event: Envelope[UserRegistered]) -> None:
    return None


@pytest.mark.slow
async def test_publish_times_out_under_a_broker_alarm_instead_of_blocking(
    rabbit: RabbitNode, infra: InfraUrls, names: TestNames, mongo_db: Any
) -> None:
    settings = make_settings(infra, names, amqp_url=rabbit.url, publish_timeout_s=1.0)
    bus = await Bus.start(
        settings,
        service=SERVICE,
        subscriptions=Subscriptions(on(UserRegistered, _ignore)),
        processed=mongo_db[PROCESSED_COLLECTION],
    )
    try:
        alarm = await asyncio.to_thread(rabbit.ctl, "set_vm_memory_high_watermark", "0")
        assert alarm.returncode == 0, alarm.stderr
        event = make_event(UserRegistered(user_id="u1", display_name="U"), producer="identity")
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await bus.publisher.publish(event)
        waited = time.monotonic() - started
        print(f"\npublish under a memory alarm gave up after {waited:.2f} s")
        assert waited < 3
        await asyncio.to_thread(rabbit.ctl, "set_vm_memory_high_watermark", "0.4")
        await bus.publisher.publish(event)  # the alarm cleared: publishing works again
    finally:
        await bus.close()
