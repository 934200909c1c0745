"""Fixtures for the bus tests: per-test settings and topology cleanup, recorders, raw access."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage

from jumo_common.bus import (
    PROCESSED_COLLECTION,
    Backoff,
    Bus,
    Subscriptions,
    dead_exchange_name,
    queue_names,
    unrouted_name,
)
from jumo_common.events import Envelope
from jumo_common.settings import ServiceSettings
from jumo_common.testing.plugin import InfraUrls, TestNames

SERVICE = "svc"
FAST_BACKOFF = Backoff(base=0.02, cap=0.1)


def make_settings(infra: InfraUrls, names: TestNames, **extra: Any) -> ServiceSettings:
    """Settings of service 'svc' on this test's names (own exchange, queue prefix, database)."""
    base: dict[str, Any] = {"service_name": SERVICE, "delivery_limit": 3, "publish_timeout_s": 5.0}
    return ServiceSettings(**(base | names.settings_overrides(infra) | extra))


async def delete_topology(settings: ServiceSettings, queues: set[str]) -> None:
    """Remove this test's queues and exchanges from the broker."""
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        names = [n for q in sorted(queues) for n in queue_names(settings, SERVICE, q)]
        for name in [*names, unrouted_name(settings)]:
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)
        for name in (
            settings.events_exchange,
            dead_exchange_name(settings),
            unrouted_name(settings),
        ):
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.exchange_delete(name)


class Topology:
    """The queues a test made (short names), so that they are deleted after it."""

    def __init__(self) -> None:
        self.queues: set[str] = {"events"}


@pytest.fixture
def topology() -> Topology:
    """What this test declared on the broker."""
    return Topology()


@pytest.fixture
async def settings(
    infra: InfraUrls, names: TestNames, topology: Topology
) -> AsyncIterator[ServiceSettings]:
    """ServiceSettings of service 'svc' on this test's own names; its topology deleted after."""
    value = make_settings(infra, names)
    yield value
    await delete_topology(value, topology.queues)


class Recorder:
    """A handler that records the events it receives (and can fail on demand)."""

    def __init__(
        self, fail_when: Callable[[Envelope[Any]], bool] = lambda _e: False, name: str = "record"
    ) -> None:
        self.events: list[Envelope[Any]] = []
        self.fail_when = fail_when
        self.calls = 0
        self.__name__ = name

    async def __call__(self, event: Envelope[Any]) -> None:
        self.calls += 1
        if self.fail_when(event):
            raise RuntimeError(f"poisoned {event.id}")
        self.events.append(event)

    def reached(self, n: int = 1) -> Callable[[], Awaitable[bool]]:
        """A probe for wait_until: at least ``n`` events were handled."""

        async def probe() -> bool:
            return len(self.events) >= n

        return probe


StartBus = Callable[..., Awaitable[Bus]]


@pytest.fixture
async def start_bus(mongo_db: Any, topology: Topology) -> AsyncIterator[StartBus]:
    """Start buses (``Bus.start`` arguments; claims in this test's database; fast backoff)."""
    buses: list[Bus] = []

    async def start(settings: ServiceSettings, *subscriptions: Any, **kwargs: Any) -> Bus:
        kwargs.setdefault("backoff", FAST_BACKOFF)
        kwargs.setdefault("service", SERVICE)
        if subscriptions:
            kwargs["subscriptions"] = Subscriptions(*subscriptions)
            kwargs.setdefault("processed", mongo_db[PROCESSED_COLLECTION])
            topology.queues.update(s.queue for s in subscriptions)
        bus = await Bus.start(settings, **kwargs)
        buses.append(bus)
        return bus

    yield start
    for bus in buses:
        await bus.close()


async def drain(url: str, queue: str, timeout: float = 5.0) -> list[AbstractIncomingMessage]:
    """Every message now in ``queue`` (removed from it)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        messages = []
        async with asyncio.timeout(timeout):
            while (message := await declared.get(no_ack=True, fail=False)) is not None:
                messages.append(message)
        return messages


async def queue_depth(url: str, queue: str) -> tuple[int, int]:
    """(messages ready, consumers) of ``queue`` as the broker sees them."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        result = declared.declaration_result
        return int(result.message_count or 0), int(result.consumer_count or 0)
