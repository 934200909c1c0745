"""feed's own event contracts (``feed.*``), edited by feed's owners.

``feed.fanout_batch`` is feed's work queue, not a domain event other services consume: one
message asks a feed worker to push one activity into the timelines of the followers of one
source whose follow order lies in ``(after, upto]``. Several workers share a large fan-out
that way, and a batch cut off by a crash is redelivered and simply done again (a timeline is a
sorted set: writing the same member twice leaves one entry).
"""

from __future__ import annotations

from pydantic import Field

from jumo_common.events.envelope import EventData, event_type


@event_type("feed.fanout_batch", 1)
class FanoutBatch(EventData):
    """Deliver activity ``number`` (with reason ``reason``) to ``source``'s followers in
    ``(after, upto]`` of their follow order (``upto`` None: to the end)."""

    number: int = Field(gt=0, lt=2**53)
    reason: int = Field(ge=0, le=7)  # a timeline member is number * 8 + reason
    source: str
    after: float
    upto: float | None = None
