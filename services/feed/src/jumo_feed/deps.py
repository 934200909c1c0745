"""What every area of feed works with: its settings, its MongoDB store, its Redis timelines,
and how it publishes its own work (fan-out batches)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from jumo_common.events import Envelope
from jumo_common.events.feed import FanoutBatch
from jumo_feed.settings import FeedSettings
from jumo_feed.store import FeedStore
from jumo_feed.timelines import Timelines

PublishBatches = Callable[[Sequence[Envelope[FanoutBatch]]], Awaitable[None]]


@dataclass
class Deps:
    """The shared dependencies of feed's areas."""

    settings: FeedSettings
    store: FeedStore
    timelines: Timelines
    publish_batches: PublishBatches
