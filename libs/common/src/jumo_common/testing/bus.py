"""Test helpers for the bus: a tap that records what a service publishes, and waiting until a
service has finished handling an event (nameko's ``entrypoint_waiter`` idea).

::

    async with EventTap.open(settings, "user.#") as tap:      # bound before anyone publishes
        ...
        [registered] = await tap.wait_for("user.registered")

    await wait_handled(app, event.id)                         # the app's consumers are done
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import orjson
from aio_pika.abc import AbstractIncomingMessage
from aiohttp import web

from jumo_common.bus import BUS_KEY, Outcome, declare_events_exchange
from jumo_common.settings import ServiceSettings
from jumo_common.testing.wait import wait_until


@dataclass
class EventTap:
    """Every event published on an exchange under a binding pattern, in arrival order."""

    received: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        """The events of one type received so far."""
        return [e for e in self.received if e["type"] == event_type]

    async def wait_for(
        self, event_type: str, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until ``count`` events of ``event_type`` arrived; return them."""

        async def enough() -> list[dict[str, Any]] | None:
            found = self.of_type(event_type)
            return found if len(found) >= count else None

        found = await wait_until(enough, timeout=timeout, what=f"{count} x {event_type}")
        assert found is not None
        return found

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, settings: ServiceSettings, pattern: str = "#") -> AsyncIterator[EventTap]:
        """A tap on ``settings.events_exchange`` (declared as the services declare it)."""
        tap = cls()
        connection = await aio_pika.connect(settings.amqp_url)
        try:
            channel = await connection.channel()
            exchange = await declare_events_exchange(channel, settings)
            queue = await channel.declare_queue(exclusive=True, auto_delete=True)
            await queue.bind(exchange, routing_key=pattern)

            async def record(message: AbstractIncomingMessage) -> None:
                async with message.process():
                    tap.received.append(orjson.loads(message.body))

            await queue.consume(record)
            yield tap
        finally:
            await connection.close()
            await asyncio.sleep(0)  # let aio-pika finish its close callbacks on this loop


async def wait_handled(app: web.Application, event_id: Any, timeout: float = 10.0) -> Outcome:
    """Wait until ``app``'s consumers have finished the event (handled or dead-lettered)."""
    return await app[BUS_KEY].wait_handled(event_id, timeout)
