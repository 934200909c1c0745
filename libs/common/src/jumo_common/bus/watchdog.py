"""Notices a consumer that reconnection did not restore, and re-subscribes it (or gives up).

aio-pika's robust connection restores consumers after a reconnect, but there are open reports
of consumers silently not coming back (aio-pika issues #231, #626, #334): the process then
looks healthy and consumes nothing. The watchdog asks, every ``interval`` while the connection
is up, whether our consumer tag is registered on the channel and whether the broker sees a
consumer on the queue. A consumer missing on two checks in a row (one check of grace: the
robust connection may be restoring it right now) is re-subscribed; after ``max_failures``
failed re-subscriptions in a row ``on_fatal`` runs, by default exiting the process with
status 70 so that its supervisor restarts it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import cast

import aiormq
import structlog

from jumo_common.bus.consumer import Consumer

EXIT_CONSUMER_LOST = 70
log = structlog.get_logger(__name__)


def exit_process() -> None:
    """The default when the consumer cannot be restored: exit non-zero, let the supervisor act."""
    log.critical("consumer lost and not restorable; exiting", status=EXIT_CONSUMER_LOST)
    os._exit(EXIT_CONSUMER_LOST)


async def consumer_present(consumer: Consumer, timeout: float = 5.0) -> bool | None:
    """True/False whether ``consumer`` consumes; None while the connection is down."""
    if not consumer.connection.connected.is_set():
        return None
    channel, topology = consumer.channel, consumer.topology
    if channel is None or topology is None or channel.is_closed:
        return False
    async with asyncio.timeout(timeout):
        underlay = cast(aiormq.Channel, await channel.get_underlay_channel())
        if consumer.consumer_tag not in underlay.consumers:
            return False
        # A throw-away channel: a failed passive declare closes the channel it runs on.
        probe = await underlay.connection.channel(publisher_confirms=False)
        try:
            declared = await probe.queue_declare(topology.queue.name, passive=True)
        finally:
            await probe.close()
    return bool(declared.consumer_count)


class ConsumerWatchdog:
    """Re-subscribes a consumer that went missing; see the module docstring."""

    def __init__(
        self,
        consumer: Consumer,
        *,
        interval: float = 1.5,
        max_failures: int = 5,
        on_fatal: Callable[[], None] = exit_process,
    ) -> None:
        self.consumer = consumer
        self.interval = interval
        self.max_failures = max_failures
        self.on_fatal = on_fatal
        self.resubscriptions = 0

    async def run(self) -> None:
        """Check every ``interval`` until cancelled."""
        misses = failures = 0
        while True:
            await asyncio.sleep(self.interval)
            if self.consumer.stopped:
                return  # stopped on purpose: nothing to watch
            try:
                present = await consumer_present(self.consumer)
            except Exception as exc:  # the connection broke mid-check: ask again next time
                log.info("consumer check failed", error=repr(exc))
                continue
            misses = misses + 1 if present is False else 0
            if misses < 2:
                continue
            if await self._resubscribe():
                misses = failures = 0
                continue
            failures += 1
            if failures >= self.max_failures:
                self.on_fatal()
                return

    async def _resubscribe(self) -> bool:
        log.warning("consumer missing after reconnect; re-subscribing", queue=self._queue())
        try:
            async with asyncio.timeout(10):
                await self.consumer.recover()
        except Exception as exc:
            log.error("re-subscribing failed", error=repr(exc))
            return False
        self.resubscriptions += 1
        return True

    def _queue(self) -> str:
        topology = self.consumer.topology
        return topology.queue.name if topology else "?"
