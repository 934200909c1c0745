"""Fan-out on write, hybrid: an activity's member is written into the timeline of every active
follower of each of its audiences; a source with more followers than ``large_source_followers``
is not fanned out but merged when its followers read (``reading.py``).

A small audience (one batch) is written at once, inside the handler of the event; a larger one
is cut into batches of ``fanout_batch`` followers by follow order and published on feed's work
queue (``feed.fanout_batch``), so that every feed process shares it. A batch is idempotent by
nature: a SIGKILL mid-batch redelivers it, and writing it again leaves one entry per timeline.
"""

from __future__ import annotations

from jumo_common.events import Envelope, make_event
from jumo_common.events.feed import FanoutBatch
from jumo_common.logging import get_logger
from jumo_common.mongo import Document
from jumo_feed.deps import Deps
from jumo_feed.model import member
from jumo_feed.sources import add_to_source

log = get_logger(__name__)
BEFORE_FIRST = -1.0  # follow orders are times, never negative


class Fanout:
    """Spreads activities into timelines."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def spread(self, document: Document) -> None:
        """Deliver a stored activity to every audience it has."""
        number = int(document["number"])
        for audience in document.get("audiences", []):
            source, reason = str(audience["source"]), int(audience["reason"])
            value = member(number, reason)
            await add_to_source(self.deps, source, value, number)
            await self._to_followers(source, number, value, reason)

    async def _to_followers(self, source: str, number: int, value: int, reason: int) -> None:
        settings, timelines = self.deps.settings, self.deps.timelines
        count = await timelines.follower_count(source)
        if count > settings.large_source_followers:
            await timelines.mark_large(source)  # its followers merge it when they read
            return
        if count <= settings.fanout_batch:
            await timelines.fan_out(source, BEFORE_FIRST, None, number, value)
            return
        bounds = await timelines.batch_bounds(source, settings.fanout_batch)
        edges = [BEFORE_FIRST, *bounds]
        ranges = [(edges[i], edges[i + 1] if i + 1 < len(edges) else None)
                  for i in range(len(edges))]  # fmt: skip
        batches = [batch_event(number, reason, source, after, upto) for after, upto in ranges]
        await self.deps.publish_batches(batches)
        log.info("fan-out queued", source=source, followers=count, batches=len(batches))

    async def deliver(self, event: Envelope[FanoutBatch]) -> None:
        """One batch off the work queue."""
        batch = event.data
        await self.deps.timelines.fan_out(
            batch.source, batch.after, batch.upto, batch.number, member(batch.number, batch.reason)
        )


def batch_event(
    number: int, reason: int, source: str, after: float, upto: float | None
) -> Envelope[FanoutBatch]:
    """One fan-out batch as a message of feed's work queue."""
    data = FanoutBatch(number=number, reason=reason, source=source, after=after, upto=upto)
    return make_event(data, producer="feed")
