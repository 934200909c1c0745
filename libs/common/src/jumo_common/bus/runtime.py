"""The bus of one process: a robust connection, a publisher, optionally a consumer and watchdog.

In an aiohttp service::

    HANDLERS: Handlers = {"user.followed": on_followed, "user.deleted": on_deleted}
    app.cleanup_ctx.append(bus_context(settings, service="feed", handlers=HANDLERS))
    # /readyz then checks the bus too (readiness check "amqp", registered by bus_context)

A producer without consumers passes no handlers and uses ``app[BUS_KEY].publisher``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
from aio_pika.abc import AbstractRobustConnection
from aiohttp import web

from jumo_common.bus.consumer import Backoff, Consumer, Handlers
from jumo_common.bus.publisher import Publisher
from jumo_common.bus.topology import declare_events_exchange
from jumo_common.bus.watchdog import ConsumerWatchdog, consumer_present, exit_process
from jumo_common.readiness import add_readiness_check, remove_readiness_check
from jumo_common.settings import ServiceSettings

READINESS_NAME = "amqp"
RECONNECT_INTERVAL_S = 1  # aio-pika's default of 5 s would add 4 s to every broker restart


class BusNotReady(RuntimeError):
    """The broker connection, the publisher channel or the consumer is not up."""


class Bus:
    """A started bus; build it with ``Bus.start``, end it with ``close``."""

    def __init__(
        self,
        connection: AbstractRobustConnection,
        publisher: Publisher,
        consumer: Consumer | None = None,
        watchdog: ConsumerWatchdog | None = None,
    ) -> None:
        self.connection = connection
        self.publisher = publisher
        self.consumer = consumer
        self.watchdog = watchdog
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    async def start(
        cls,
        settings: ServiceSettings,
        *,
        service: str | None = None,
        handlers: Handlers | None = None,
        backoff: Backoff | None = None,
        watchdog_interval: float = 1.5,
        on_consumer_lost: Callable[[], None] = exit_process,
    ) -> Bus:
        """Connect, declare the topology, start consuming ``handlers`` (if any) for ``service``."""
        connection = await connect(settings)
        try:
            bus = cls(connection, await open_publisher(connection, settings))
            if handlers:
                await bus._start_consumer(
                    settings, service or settings.service_name, handlers, backoff
                )
                bus._start_watchdog(watchdog_interval, on_consumer_lost)
        except BaseException:
            await connection.close()
            raise
        return bus

    async def _start_consumer(
        self,
        settings: ServiceSettings,
        service: str,
        handlers: Handlers,
        backoff: Backoff | None,
    ) -> None:
        self.consumer = Consumer(self.connection, settings, service, handlers, backoff=backoff)
        await self.consumer.start()

    def _start_watchdog(self, interval: float, on_fatal: Callable[[], None]) -> None:
        assert self.consumer is not None
        self.watchdog = ConsumerWatchdog(self.consumer, interval=interval, on_fatal=on_fatal)
        self._tasks.append(asyncio.create_task(self.watchdog.run(), name="bus-watchdog"))

    async def check_ready(self) -> None:
        """Return when the bus works; raise BusNotReady saying what is down (a readiness check)."""
        if not self.connection.connected.is_set():
            raise BusNotReady("not connected to the broker")
        if self.publisher.channel.is_closed:
            raise BusNotReady("publisher channel closed")
        if self.consumer is not None and self.consumer.stopped:
            raise BusNotReady("consumer stopped")
        if self.consumer is not None and not await consumer_present(self.consumer):
            raise BusNotReady("consumer not consuming")

    async def close(self) -> None:
        """Stop the watchdog and the consumer, close the connection."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.consumer is not None:
            with contextlib.suppress(Exception):
                await self.consumer.stop()
        await self.connection.close()


async def connect(settings: ServiceSettings) -> AbstractRobustConnection:
    """A robust connection that reconnects every second while the broker is away."""
    return await aio_pika.connect_robust(
        settings.amqp_url,
        reconnect_interval=RECONNECT_INTERVAL_S,
        client_properties={"connection_name": settings.service_name},
    )


async def open_publisher(
    connection: AbstractRobustConnection, settings: ServiceSettings
) -> Publisher:
    """A publisher on its own confirm channel that raises on returned (unroutable) messages."""
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    exchange = await declare_events_exchange(channel, settings)
    return Publisher(channel, exchange, settings.publish_timeout_s)


BUS_KEY = web.AppKey("jumo_bus", Bus)


def bus_context(
    settings: ServiceSettings,
    *,
    service: str | None = None,
    handlers: Handlers | None = None,
    **options: Any,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context that starts the bus into ``app[BUS_KEY]`` and closes it at shutdown.

    In an app made by ``jumo_common.web`` it also registers ``Bus.check_ready`` as the
    readiness check "amqp" (so ``/readyz`` fails while the broker or the consumer is away).

    ``options`` go to ``Bus.start`` (backoff, watchdog_interval, on_consumer_lost).
    """

    async def context(app: web.Application) -> AsyncIterator[None]:
        bus = await Bus.start(settings, service=service, handlers=handlers, **options)
        app[BUS_KEY] = bus
        add_readiness_check(app, READINESS_NAME, bus.check_ready)
        yield
        remove_readiness_check(app, READINESS_NAME)
        await bus.close()

    return context
