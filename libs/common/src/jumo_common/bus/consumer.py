"""Consuming one queue: manual acks, prefetch, idempotent handlers, dead letters, retries.

What happens to a delivery:

- it does not parse (bad JSON, unknown type or version, missing id, …), or no subscription on
  this queue takes its type: published at once to the queue's dead-letter queue with the header
  ``x-jumo-dead-reason``, then acked — retrying could never help;
- otherwise each subscription of its type runs, in declaration order, through ``run_once``
  (skipped when that handler already completed this event id);
- a handler raises: the message is held for a backoff delay and requeued (``nack``); the quorum
  queue counts deliveries in ``x-delivery-count``. The attempt that reaches
  ``settings.delivery_limit`` publishes it to the dead-letter queue with the reason and acks.
  The broker's own ``x-delivery-limit`` (same number) remains the backstop for messages whose
  handling kills the process: the broker dead-letters those with ``x-death`` reason
  ``delivery_limit``. Handlers that already completed are not run again by the retry;
- every handler returned: acked.

Nothing a message contains can stop the consumer: every outcome is caught and logged. Each
finished delivery is recorded in ``Outcomes``, which ``Bus.wait_handled`` waits on.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import aiormq
import orjson
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel, AbstractRobustConnection

from jumo_common.bus.idempotency import run_once
from jumo_common.bus.metrics import BusMetrics, type_of_key
from jumo_common.bus.outcomes import DEAD, HANDLED, Outcomes
from jumo_common.bus.subscriptions import Subscription
from jumo_common.bus.topology import QueueTopology, declare_queue_topology, queue_names
from jumo_common.events import Envelope, EventData, EventParseError, parse_event
from jumo_common.mongo import Collection
from jumo_common.settings import ServiceSettings

DEAD_REASON_HEADER = "x-jumo-dead-reason"
DEAD_QUEUE_HEADER = "x-jumo-dead-from"
DEAD_AT_HEADER = "x-jumo-dead-at"  # when (ISO 8601, UTC): `bus.deadletters list` shows it
DELIVERY_COUNT_HEADER = "x-delivery-count"

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


class _Undeliverable(Exception):
    """A message no retry can help: dead-letter it with this reason."""


class Consumer:
    """The consumer of one queue of one service (``<service>.events`` or an isolated one)."""

    def __init__(
        self,
        connection: AbstractRobustConnection,
        settings: ServiceSettings,
        service: str,
        subscriptions: list[Subscription[Any]],
        processed: Collection,
        *,
        backoff: Backoff | None = None,
        outcomes: Outcomes | None = None,
        metrics: BusMetrics | None = None,
    ) -> None:
        self.connection = connection
        self.settings = settings
        self.service = service
        self.subscriptions = list(subscriptions)
        self.queue_short = self.subscriptions[0].queue
        self.processed = processed
        self.backoff = backoff or Backoff()
        self.metrics = metrics or BusMetrics()
        self.outcomes = outcomes or Outcomes()
        self.channel: AbstractRobustChannel | None = None
        self.topology: QueueTopology | None = None
        self.consumer_tag: str | None = None
        self.stopped = False  # stop() was called: not consuming on purpose
        self._in_flight = 0
        self._running: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def queue_name(self) -> str:
        """The broker-side name of the queue."""
        return queue_names(self.settings, self.service, self.queue_short)[0]

    def routing_keys(self) -> list[str]:
        """Every binding of this queue."""
        return sorted({key for s in self.subscriptions for key in s.routing_keys()})

    async def start(self) -> None:
        """Declare the topology and start consuming."""
        channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
        await channel.set_qos(prefetch_count=self.settings.prefetch_count)
        self.channel = channel
        names = queue_names(self.settings, self.service, self.queue_short)
        self.topology = await declare_queue_topology(
            channel, self.settings, names, self.routing_keys()
        )
        self.outcomes.bind(self.queue_name, self.routing_keys())
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
            events = self._parse(message)
        except _Undeliverable as exc:
            await self.dead_letter(message, str(exc))
            return
        first = next(iter(events.values()))
        with structlog.contextvars.bound_contextvars(
            event_id=str(first.id), trace_id=first.trace_id, event_type=first.type
        ):
            try:
                for subscription in self._matching(first.type):
                    await self._run(subscription, events[subscription.model])
            except Exception as exc:
                await self._retry_or_dead(message, exc, first)
                return
            await message.ack()
        self.metrics.consumed.labels(self.queue_name, type_of_key(message.routing_key)).inc()
        self.outcomes.record(str(first.id), self.queue_name, message.routing_key or "", HANDLED)

    async def _run(self, subscription: Subscription[Any], event: Envelope[Any]) -> None:
        """One handler on one delivery (at most once per event id unless unclaimed), timed."""
        started = time.perf_counter()
        try:
            if not subscription.claimed:
                await subscription.handler(event)
            else:
                await run_once(self.processed, self.claim_name(subscription), event,
                               subscription.handler)  # fmt: skip
        finally:
            self.metrics.handler_seconds.labels(self.queue_name, subscription.name).observe(
                time.perf_counter() - started
            )

    def claim_name(self, subscription: Subscription[Any]) -> str:
        """The idempotency key prefix of a handler: ``<service>.<handler name>``."""
        return f"{self.service}.{subscription.name}"

    def _matching(self, event_type: str) -> list[Subscription[Any]]:
        return [s for s in self.subscriptions if s.event_type == event_type]

    def _parse(self, message: AbstractIncomingMessage) -> dict[type[EventData], Envelope[Any]]:
        """The message as each subscribed model of its type (upcast as each needs)."""
        try:
            event_type = _peek_type(message.body)
            wanted = {s.model for s in self._matching(event_type)}
            if not wanted:
                raise _Undeliverable(f"no handler for {event_type} in {self.queue_name}")
            return {model: parse_event(message.body, into=model) for model in wanted}
        except EventParseError as exc:
            raise _Undeliverable(f"invalid: {exc}") from None

    async def _retry_or_dead(
        self, message: AbstractIncomingMessage, exc: Exception, event: Envelope[Any]
    ) -> None:
        attempt = delivery_attempt(message)
        if attempt >= self.settings.delivery_limit:
            log.error("handler failed for the last time", attempt=attempt, error=repr(exc))
            await self.dead_letter(message, f"handler failed {attempt} times: {exc!r}", event)
            return
        delay = self.backoff.delay(attempt)
        log.warning("handler failed; will retry", attempt=attempt, delay=delay, error=repr(exc))
        self.metrics.retried.labels(self.queue_name, type_of_key(message.routing_key)).inc()
        # Holding the message keeps the others flowing (prefetch > 1) and spaces the retries.
        await asyncio.sleep(delay)
        await message.nack(requeue=True)

    async def dead_letter(
        self, message: AbstractIncomingMessage, reason: str, event: Envelope[Any] | None = None
    ) -> None:
        """Publish ``message`` to this queue's dead-letter queue with ``reason``, then ack it."""
        assert self.topology is not None
        log.error("dead-lettering message", message_id=message.message_id, reason=reason)
        headers = dict(message.headers or {})
        headers[DEAD_REASON_HEADER] = reason[:1000]
        headers[DEAD_QUEUE_HEADER] = self.topology.queue.name
        headers[DEAD_AT_HEADER] = datetime.now(UTC).isoformat()
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
        cause = "failed" if event else "invalid"  # only a handler's last failure has its event
        key = type_of_key(message.routing_key)
        self.metrics.dead_lettered.labels(self.queue_name, key, cause).inc()
        event_id = str(event.id) if event else message.message_id
        if event_id:
            self.outcomes.record(event_id, self.queue_name, message.routing_key or "", DEAD)


def _peek_type(body: bytes) -> str:
    """The envelope's ``type``, read before choosing which models to validate it as."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise EventParseError(f"body is not JSON: {exc}") from exc
    name = doc.get("type") if isinstance(doc, dict) else None
    if not isinstance(name, str):
        raise EventParseError("envelope lacks a valid type/version")
    return name


def delivery_attempt(message: AbstractIncomingMessage) -> int:
    """1 for the first delivery; the quorum queue's x-delivery-count counts earlier ones."""
    count = (message.headers or {}).get(DELIVERY_COUNT_HEADER, 0)
    return (count if isinstance(count, int) else 0) + 1
