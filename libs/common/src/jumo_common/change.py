"""What a use case decides: the fields a document gets, the fields it loses, the events it causes.

Domain code returns a ``Change`` and never builds a database update itself; the store turns it
into ONE document write that carries the events (the outbox) and wakes the relay::

    def rename(doc: Document) -> Change | None:
        if doc["name"] == new_name:
            return None                                   # nothing to write, nothing to publish
        return Change(set={"name": new_name}, events=(renamed_event,))

``events`` may also be a function of the version the write will have, for events that carry a
per-document sequence (a follow edge's ``seq``): the store claims the version first, then asks.
No I/O here; this module imports neither aiohttp nor pymongo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jumo_common.events import Envelope

EventsAt = Callable[[int], Sequence[Envelope[Any]]]


@dataclass(frozen=True)
class Change:
    """One write of one document: fields set, fields removed, and the events it publishes."""

    set: Mapping[str, Any] = field(default_factory=dict)
    unset: frozenset[str] = frozenset()
    events: Sequence[Envelope[Any]] | EventsAt = ()
    # A deletion: the document's earlier events that are still unsent are dropped with it, so
    # none of the personal data they carry outlives the person (the new events replace them).
    forget_pending: bool = False
    # An erasure that keeps the document and its unsent events (they must still go out: an
    # opportunity's publication outlives its creator): those events lose the person's id as
    # their actor or subject, so the document holds none of it once they are sent.
    scrub_actor: str | None = None

    def events_at(self, version: int) -> list[Envelope[Any]]:
        """The events of this change, for the version it is written as."""
        return list(self.events(version) if callable(self.events) else self.events)
