"""The transactional outbox on single-document writes, and its relay.

FerretDB has neither multi-document transactions nor change streams, so a state change and
the events it causes are ONE document write: the pending events travel inside the document
that changes, in the array field ``_outbox`` (envelope dicts), and ``_outbox_due`` (indexed)
says when the relay should look at the document::

    await users.insert_one(outbox_insert({"_id": uid, ...}, registered_event))
    await users.update_one({"_id": uid}, outbox_update({"$set": {...}}, updated_event))
    relay.notify()  # publish now rather than at the next poll

The relay finds documents whose ``_outbox_due`` has come, publishes their events with
confirms (many in flight), then removes exactly the published ones with ``$pullAll`` of the
elements it read (FerretDB 1.24's ``$pull`` ignores conditions such as ``{id: {$in: …}}``;
``$pullAll`` of exact values works on both). An event the broker did not confirm (no queue
bound, a nack, a timeout, the broker down) stays in the document and is retried after
``retry_delay``.

Crash safety: a crash before the publish delays the event; a crash between the confirm and
the ``$pullAll`` publishes it again later, a duplicate that idempotent consumers absorb. Two
relays on the same collection may both publish a document's events (duplicates again) but can
never lose one: each removes only the elements it published, and events pushed meanwhile
stay. Events of one document are published in the order they were pushed; across documents
there is no order (consumers use per-key sequence numbers where order matters).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from aiohttp import web
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from jumo_common.bus.publisher import Publisher
from jumo_common.events import Envelope

OUTBOX_FIELD = "_outbox"
OUTBOX_DUE_FIELD = "_outbox_due"

Document = dict[str, Any]
log = structlog.get_logger(__name__)


def outbox_insert(document: Mapping[str, Any], *events: Envelope[Any]) -> Document:
    """A new document carrying ``events`` as pending, for ``insert_one``."""
    return {
        **document,
        OUTBOX_FIELD: [e.to_dict() for e in events],
        OUTBOX_DUE_FIELD: datetime.now(UTC),
    }


def outbox_update(update: Mapping[str, Any], *events: Envelope[Any]) -> Document:
    """``update`` (operators such as ``$set``) plus ``$push`` of ``events`` as pending."""
    merged: Document = {op: dict(fields) for op, fields in update.items()}
    merged.setdefault("$push", {})[OUTBOX_FIELD] = {"$each": [e.to_dict() for e in events]}
    merged.setdefault("$set", {})[OUTBOX_DUE_FIELD] = datetime.now(UTC)
    return merged


async def ensure_outbox_index(collection: AsyncCollection[Document]) -> None:
    """The index the relay's query uses (idempotent)."""
    await collection.create_index([(OUTBOX_DUE_FIELD, ASCENDING)], name="outbox_due")


class OutboxRelay:
    """Publishes the pending events of the registered collections; one per producing service."""

    def __init__(
        self,
        publisher: Publisher,
        collections: Sequence[AsyncCollection[Document]],
        *,
        poll_interval: float = 0.5,
        retry_delay: float = 1.0,
        batch_size: int = 500,
    ) -> None:
        self.publisher = publisher
        self.collections = list(collections)
        self.poll_interval = poll_interval
        self.retry_delay = retry_delay
        self.batch_size = batch_size
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """Wake the relay now (call after a local write that pushed events)."""
        self._wake.set()

    async def run(self) -> None:
        """Relay until cancelled: on notify, else every ``poll_interval`` as a backstop."""
        for collection in self.collections:
            await ensure_outbox_index(collection)
        while True:
            self._wake.clear()
            try:
                busy = await self.relay_once()
            except Exception:
                # The database or the broker is down: keep trying, never die.
                log.exception("outbox relay round failed")
                busy = 0
            if busy < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_interval):
                        await self._wake.wait()

    async def relay_once(self) -> int:
        """One pass over every collection; the number of documents that were due."""
        total = 0
        for collection in self.collections:
            total += await self._relay_collection(collection)
        return total

    async def _relay_collection(self, collection: AsyncCollection[Document]) -> int:
        now = datetime.now(UTC)
        cursor = collection.find(
            {OUTBOX_DUE_FIELD: {"$lte": now}}, {OUTBOX_FIELD: 1}, limit=self.batch_size
        )
        documents = await cursor.to_list()
        pending = [(doc, event) for doc in documents for event in doc.get(OUTBOX_FIELD) or []]
        outcomes = await self.publisher.publish_many([event for _, event in pending])
        for doc in documents:
            published = [
                event
                for (owner, event), failed in zip(pending, outcomes, strict=True)
                if owner is doc and failed is None
            ]
            unpublished = len(doc.get(OUTBOX_FIELD) or []) - len(published)
            await self._mark(collection, doc["_id"], published, unpublished, now)
        self._log_failures(collection, outcomes)
        return len(documents)

    async def _mark(
        self,
        collection: AsyncCollection[Document],
        doc_id: Any,
        published: list[Document],
        unpublished: int,
        now: datetime,
    ) -> None:
        if published:
            await collection.update_one({"_id": doc_id}, {"$pullAll": {OUTBOX_FIELD: published}})
        if unpublished:
            retry_at = now + timedelta(seconds=self.retry_delay)
            await collection.update_one(
                {"_id": doc_id, OUTBOX_DUE_FIELD: {"$lte": now}},
                {"$set": {OUTBOX_DUE_FIELD: retry_at}},
            )
            return
        # Atomic on the document: a write that pushed new events meanwhile keeps it due.
        await collection.update_one(
            {"_id": doc_id, OUTBOX_FIELD: {"$size": 0}},
            {"$unset": {OUTBOX_FIELD: "", OUTBOX_DUE_FIELD: ""}},
        )

    @staticmethod
    def _log_failures(
        collection: AsyncCollection[Document], outcomes: list[BaseException | None]
    ) -> None:
        failures = [o for o in outcomes if o is not None]
        if failures:
            log.warning(
                "outbox events not confirmed; will retry",
                collection=collection.name,
                count=len(failures),
                first=repr(failures[0]),
            )


RelaySource = Callable[[web.Application], tuple[Publisher, Sequence[AsyncCollection[Document]]]]
OUTBOX_RELAY_KEY = web.AppKey("jumo_outbox_relay", OutboxRelay)


def outbox_relay_context(
    source: RelaySource, *, poll_interval: float = 0.5
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context running the relay; ``source(app)`` gives its publisher and collections.

    Append it after the bus and MongoDB contexts, e.g.
    ``app.cleanup_ctx.append(outbox_relay_context(lambda app: (app[BUS_KEY].publisher,
    [app[DB_KEY].users])))``; handlers call ``app[OUTBOX_RELAY_KEY].notify()`` after a write.
    """

    async def context(app: web.Application) -> AsyncIterator[None]:
        publisher, collections = source(app)
        relay = OutboxRelay(publisher, collections, poll_interval=poll_interval)
        app[OUTBOX_RELAY_KEY] = relay
        task = asyncio.create_task(relay.run(), name="outbox-relay")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
