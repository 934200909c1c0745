"""Consuming events: manual acks, prefetch, dead-lettering with a reason, retry with backoff.

What happens to a delivery:

- it does not parse (bad JSON, unknown type or version, missing id, …), or no handler takes
  its type: published at once to the dead-letter queue with the header ``x-jumo-dead-reason``,
  then acked — retrying could never help;
- its handler raises: the message is held for a backoff delay and requeued (``nack``); the
  quorum queue counts deliveries in ``x-delivery-count``. The attempt that reaches
  ``settings.delivery_limit`` publishes it to the dead-letter queue with the reason and acks.
  The broker's own ``x-delivery-limit`` (same number) remains the backstop for messages whose
  handling kills the process: the broker dead-letters those with ``x-death`` reason
  ``delivery_limit``;
- its handler returns: acked.

Nothing a message contains can stop the consumer: every outcome is caught and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aio_pika
import aiormq
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel, AbstractRobustConnection

from jumo_common.bus.topology import ConsumerTopology, declare_consumer_topology
from jumo_common.events import Envelope, EventParseError, parse_event
from jumo_common.settings import ServiceSettings

DEAD_REASON_HEADER = "x-jumo-dead-reason"
DEAD_QUEUE_HEADER = "x-jumo-dead-from"
DELIVERY_COUNT_HEADER = "x-delivery-count"

Handler = Callable[[Envelope[Any]], Awaitable[None]]
Handlers = Mapping[str, Handler]
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Delay before retry n (1-based): base·factor^(n-1), capped, with ±jitter."""

    base: float = 0.2
    factor: float = 2.0
    cap: float = 10.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        """Seconds to hold a failed message before requeueing it."""
        raw = min(self.cap, self.base * self.factor ** max(0, attempt - 1))
        return raw * (1 + random.uniform(-self.jitter, self.jitter))


class Consumer:
    """One service's consumer on its ``<service>.events`` queue with a handler map."""

    def __init__(
        self,
        connection: AbstractRobustConnection,
        settings: ServiceSettings,
        service: str,
        handlers: Handlers,
        *,
        backoff: Backoff | None = None,
    ) -> None:
        self.connection = connection
        self.settings = settings
        self.service = service
        self.handlers = dict(handlers)
        self.backoff = backoff or Backoff()
        self.channel: AbstractRobustChannel | None = None
        self.topology: ConsumerTopology | None = None
        self.consumer_tag: str | None = None
        self.stopped = False  # stop() was called: not consuming on purpose
        self._in_flight = 0
        self._running: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        """Declare the topology and start consuming."""
        channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
        await channel.set_qos(prefetch_count=self.settings.prefetch_count)
        self.channel = channel
        self.topology = await declare_consumer_topology(
            channel, self.settings, self.service, self.handlers
        )
        await self.subscribe()

    async def recover(self) -> None:
        """Consume again: re-subscribe, or start over on a new channel if ours is closed."""
        if self.channel is None or self.channel.is_closed:
            self.consumer_tag = None
            await self.start()
        else:
            await self.subscribe()

    async def subscribe(self) -> None:
        """(Re)register the consumer callback; drops the previous subscription first."""
        assert self.topology is not None, "start() first"
        queue = self.topology.queue
        if self.consumer_tag is not None:
            with contextlib.suppress(Exception):  # it may be gone already: that is why we are here
                await queue.cancel(self.consumer_tag)
        self.consumer_tag = await queue.consume(self._on_message, no_ack=False)

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Stop taking messages, let in-flight handlers finish (bounded), close the channel.

        Messages still unacked when the channel closes are redelivered by the broker.
        """
        self.stopped = True
        if self.channel is None or self.channel.is_closed:
            return
        if self.topology is not None and self.consumer_tag is not None:
            with contextlib.suppress(Exception):
                await self.topology.queue.cancel(self.consumer_tag)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(drain_timeout):
                await self._idle.wait()
        await self.channel.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        # aiormq cancels its consumer tasks when the channel closes (a broker restart). A handler
        # cut off between its effect and its bookkeeping would run again on redelivery, so it
        # runs in a task of its own that the channel cannot cancel; only the ack is lost then.
        task = asyncio.create_task(self._guarded(message))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)

    async def _guarded(self, message: AbstractIncomingMessage) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            await self._handle(message)
        except aiormq.exceptions.ChannelInvalidStateError as exc:
            # The channel died under us (broker restart, shutdown): the broker redelivers.
            log.warning("channel gone before ack", message_id=message.message_id, error=str(exc))
        except Exception:
            # Last line of defence: whatever went wrong, the consumer keeps consuming; the
            # unacked message is redelivered.
            log.exception("consuming a message failed", message_id=message.message_id)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _handle(self, message: AbstractIncomingMessage) -> None:
        try:
            event = parse_event(message.body)
        except EventParseError as exc:
            await self.dead_letter(message, f"invalid: {exc}")
            return
        handler = self.handlers.get(event.type)
        if handler is None:
            await self.dead_letter(message, f"no handler for {event.type} in {self.service}")
            return
        with structlog.contextvars.bound_contextvars(
            event_id=str(event.id), trace_id=event.trace_id, event_type=event.type
        ):
            await self._run(handler, event, message)

    async def _run(
        self, handler: Handler, event: Envelope[Any], message: AbstractIncomingMessage
    ) -> None:
        try:
            await handler(event)
        except Exception as exc:
            await self._retry_or_dead(message, exc)
            return
        await message.ack()

    async def _retry_or_dead(self, message: AbstractIncomingMessage, exc: Exception) -> None:
        attempt = delivery_attempt(message)
        if attempt >= self.settings.delivery_limit:
            log.error("handler failed for the last time", attempt=attempt, error=repr(exc))
            await self.dead_letter(message, f"handler failed {attempt} times: {exc!r}")
            return
        delay = self.backoff.delay(attempt)
        log.warning("handler failed; will retry", attempt=attempt, delay=delay, error=repr(exc))
        # Holding the message keeps the others flowing (prefetch > 1) and spaces the retries.
        await asyncio.sleep(delay)
        await message.nack(requeue=True)

    async def dead_letter(self, message: AbstractIncomingMessage, reason: str) -> None:
        """Publish ``message`` to this service's dead-letter queue with ``reason``, then ack it."""
        assert self.topology is not None
        log.error("dead-lettering message", message_id=message.message_id, reason=reason)
        headers = dict(message.headers or {})
        headers[DEAD_REASON_HEADER] = reason[:1000]
        headers[DEAD_QUEUE_HEADER] = self.topology.queue.name
        dead = aio_pika.Message(
            message.body,
            headers=headers,
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message.message_id,
            type=message.type,
        )
        async with asyncio.timeout(self.settings.publish_timeout_s):
            await self.topology.dead_exchange.publish(
                dead, routing_key=self.topology.dead_queue.name, mandatory=True
            )
        await message.ack()


def delivery_attempt(message: AbstractIncomingMessage) -> int:
    """1 for the first delivery; the quorum queue's x-delivery-count counts earlier ones."""
    count = (message.headers or {}).get(DELIVERY_COUNT_HEADER, 0)
    return (count if isinstance(count, int) else 0) + 1
