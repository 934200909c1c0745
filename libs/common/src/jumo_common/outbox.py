"""The transactional outbox on single-document writes, and its relay.

FerretDB has neither multi-document transactions nor change streams, so a state change and
the events it causes are ONE document write: the pending events travel inside the document
that changes, in the array field ``_outbox`` (envelope dicts), and ``_outbox_due`` (indexed)
records when they were written::

    await users.insert_one(outbox_insert({"_id": uid, ...}, registered_event))
    await users.update_one({"_id": uid}, outbox_update({"$set": {...}}, updated_event))
    relay.notify()  # publish now rather than at the next poll

The relay never rewrites a producer's document to mark its events sent. FerretDB 1.24 (SQLite)
applies an update as read-modify-write outside any transaction (FerretDB issue #3040): two
concurrent updates of one document lose one of them, conditions included — a relay marking
"sent" while the service pushes a new event could erase that event and the state change with
it. So "sent" is recorded by INSERTING ``{_id: event id}`` into ``outbox_sent`` (unique
``_id``; concurrent inserts are exclusive on FerretDB too). A pass:

1. reads the documents written since the relay's watermark
   (minus ``slack_s``, for writes that committed later than the time they carry; every
   ``deep_every_s`` the pass reaches ``deep_slack_s`` back instead);
2. drops the events already in ``outbox_sent``; publishes the others with confirms, many in
   flight, in document order;
3. inserts a sent marker for each confirmed event; an event the broker did not confirm (no
   queue bound, a nack, a timeout, the broker down) holds the watermark back, so it is tried
   again at the next pass until it goes through. The watermark otherwise moves to the latest
   ``_outbox_due`` seen and is saved in ``outbox_sent`` for the next start;
4. on MongoDB only (where a conditional update is atomic), unsets the outbox fields of a
   document whose events are all sent and that was not written for ``compact_after_s``,
   conditioned on ``_outbox_due`` being unchanged. On FerretDB sent events stay in their
   documents (a few hundred bytes each).

Crash safety: a crash before the publish delays the event; a crash between the confirm and
the marker publishes it again, a duplicate that idempotent consumers absorb. Two relays on one
collection may both publish an event (duplicates again) but cannot lose one. Residual risk: a
write that commits more than ``deep_slack_s`` after the time it carries (a stalled producer,
clock skew) is missed; keep clocks in sync. Events of one document go out in the order they
were pushed; across documents there is no order (use per-key ``seq`` where order matters).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from aiohttp import web
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from jumo_common.bus.publisher import Publisher
from jumo_common.events import Envelope
from jumo_common.mongo import Document, as_utc, is_ferretdb

OUTBOX_FIELD = "_outbox"
OUTBOX_DUE_FIELD = "_outbox_due"
SENT_COLLECTION = "outbox_sent"
DUPLICATE_KEY = 11000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RECENT_MAX = 100_000

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
    """The index the relay's scan uses (idempotent)."""
    await collection.create_index([(OUTBOX_DUE_FIELD, ASCENDING)], name="outbox_due")


class OutboxRelay:
    """Publishes the pending events of the registered collections; one per producing service."""

    def __init__(
        self,
        publisher: Publisher,
        collections: Sequence[AsyncCollection[Document]],
        *,
        poll_interval: float = 0.5,
        batch_size: int = 500,
        slack_s: float = 2.0,
        deep_every_s: float = 30.0,
        deep_slack_s: float = 300.0,
        compact_after_s: float = 60.0,
    ) -> None:
        self.publisher = publisher
        self.collections = list(collections)
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.slack = timedelta(seconds=slack_s)
        self.deep_slack = timedelta(seconds=deep_slack_s)
        self.deep_every_s = deep_every_s
        self.compact_after = timedelta(seconds=compact_after_s)
        self.ferretdb: bool | None = None  # found out on the first pass
        self._since: dict[str, datetime] = {}
        self._last_deep = time.monotonic()
        self._wake = asyncio.Event()
        self._recent: OrderedDict[str, None] = OrderedDict()  # ids this relay got confirmed

    def notify(self) -> None:
        """Wake the relay now (call after a local write that pushed events)."""
        self._wake.set()

    async def run(self) -> None:
        """Relay until cancelled: on notify, else every ``poll_interval`` as a backstop."""
        while True:
            self._wake.clear()
            try:
                await self.relay_once()
            except Exception:
                # The database or the broker is down: keep trying, never die.
                log.exception("outbox relay pass failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()

    async def relay_once(self) -> int:
        """One pass over every collection; the number of events confirmed by the broker."""
        deep = time.monotonic() - self._last_deep >= self.deep_every_s
        if deep:
            self._last_deep = time.monotonic()
        published = 0
        for collection in self.collections:
            published += await self._relay_collection(collection, deep)
        return published

    async def _relay_collection(self, collection: AsyncCollection[Document], deep: bool) -> int:
        since = await self._watermark(collection)
        if self.ferretdb is None:
            self.ferretdb = await is_ferretdb(collection.database)
        scan = _Scan()
        # No sort: FerretDB sorts in Go after reading every row (850 ms for 500 of 2,000
        # documents). Read the window at once rather than holding a cursor open while
        # publishing: a slow broker would outlive the cursor.
        window = await collection.find(
            {OUTBOX_DUE_FIELD: {"$gte": since - (self.deep_slack if deep else self.slack)}},
            {OUTBOX_FIELD: 1, OUTBOX_DUE_FIELD: 1},
        ).to_list()
        for start in range(0, len(window), self.batch_size):
            await self._relay_chunk(collection, window[start : start + self.batch_size], scan)
        new_since = scan.blocked or scan.last_due or since
        if new_since != since:
            await self._save_watermark(collection, new_since)
        return scan.published

    async def _relay_chunk(
        self, collection: AsyncCollection[Document], chunk: list[Document], scan: _Scan
    ) -> None:
        sent = _sent(collection)
        events = [(doc, event) for doc in chunk for event in doc.get(OUTBOX_FIELD) or []]
        done = await self._known_sent(sent, [str(e["id"]) for _, e in events])
        todo = [(doc, e) for doc, e in events if str(e["id"]) not in done]
        outcomes = await self.publisher.publish_many([e for _, e in todo])
        results = list(zip(todo, outcomes, strict=True))
        confirmed = [str(e["id"]) for (_, e), failed in results if not failed]
        await self.mark_sent(sent, confirmed)
        self._remember(confirmed)
        done.update(confirmed)
        scan.advance(chunk, [doc for (doc, _), failed in results if failed], len(confirmed))
        _log_failures(collection, outcomes)
        await self._compact(collection, chunk, done)

    async def _known_sent(self, sent: AsyncCollection[Document], event_ids: list[str]) -> set[str]:
        # Passes overlap (slack): most events seen again are ones this relay sent itself.
        unknown = [i for i in event_ids if i not in self._recent]
        done = await _already_sent(sent, unknown, bool(self.ferretdb))
        done.update(i for i in event_ids if i in self._recent)
        return done

    def _remember(self, event_ids: list[str]) -> None:
        for event_id in event_ids:
            self._recent[event_id] = None
        while len(self._recent) > RECENT_MAX:
            self._recent.popitem(last=False)

    async def mark_sent(self, sent: AsyncCollection[Document], event_ids: list[str]) -> None:
        """Record confirmed events (a duplicate key means another relay recorded it first)."""
        if not event_ids:
            return
        now = datetime.now(UTC)
        try:
            await sent.insert_many([{"_id": i, "at": now} for i in event_ids], ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(err.get("code") != DUPLICATE_KEY for err in errors):
                raise

    async def _compact(
        self, collection: AsyncCollection[Document], page: list[Document], done: set[str]
    ) -> None:
        if self.ferretdb:
            return  # its updates are not atomic: never rewrite a producer's document there
        quiet_before = datetime.now(UTC) - self.compact_after
        for doc in page:
            if as_utc(doc[OUTBOX_DUE_FIELD]) < quiet_before and _all_sent(doc, done):
                await collection.update_one(
                    {"_id": doc["_id"], OUTBOX_DUE_FIELD: doc[OUTBOX_DUE_FIELD]},
                    {"$unset": {OUTBOX_FIELD: "", OUTBOX_DUE_FIELD: ""}},
                )

    async def _watermark(self, collection: AsyncCollection[Document]) -> datetime:
        if collection.name not in self._since:
            saved = await _sent(collection).find_one({"_id": _watermark_id(collection)})
            self._since[collection.name] = as_utc(saved["at"]) if saved else EPOCH
            await ensure_outbox_index(collection)
        return self._since[collection.name]

    async def _save_watermark(self, collection: AsyncCollection[Document], at: datetime) -> None:
        self._since[collection.name] = at
        await _sent(collection).update_one(
            {"_id": _watermark_id(collection)}, {"$set": {"at": at}}, upsert=True
        )


class _Scan:
    """What one pass over a collection saw, and how far its watermark may move."""

    def __init__(self) -> None:
        self.blocked: datetime | None = None  # the earliest document with an unsent event
        self.last_due: datetime | None = None  # the latest document seen
        self.published = 0

    def advance(self, chunk: list[Document], failed: list[Document], published: int) -> None:
        """Take in one chunk: the latest document seen, the earliest failure, the count."""
        dues = [as_utc(doc[OUTBOX_DUE_FIELD]) for doc in chunk]
        self.last_due = max([*dues, self.last_due] if self.last_due else dues)
        if failed:
            earliest = min(as_utc(doc[OUTBOX_DUE_FIELD]) for doc in failed)
            self.blocked = min(earliest, self.blocked) if self.blocked else earliest
        self.published += published


def _all_sent(doc: Document, done: set[str]) -> bool:
    return all(str(e["id"]) in done for e in doc.get(OUTBOX_FIELD) or [])


def _sent(collection: AsyncCollection[Document]) -> AsyncCollection[Document]:
    return collection.database[SENT_COLLECTION]


def _watermark_id(collection: AsyncCollection[Document]) -> str:
    # Not a UUID, so it never collides with an event's marker.
    return f"watermark:{collection.name}"


async def _already_sent(
    sent: AsyncCollection[Document], event_ids: list[str], ferretdb: bool
) -> set[str]:
    if not event_ids:
        return set()
    if not ferretdb:
        found = await sent.find({"_id": {"$in": event_ids}}, {"_id": 1}).to_list()
        return {str(doc["_id"]) for doc in found}
    # FerretDB uses an index only for a filter that is exactly {_id: <string>}; an $in would
    # scan every marker ever written, so ask one id at a time, concurrently.
    found_each = await asyncio.gather(*(sent.find_one({"_id": i}, {"_id": 1}) for i in event_ids))
    return {str(doc["_id"]) for doc in found_each if doc is not None}


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
    source: RelaySource, **options: Any
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context running the relay; ``source(app)`` gives its publisher and collections.

    Append it after the bus and MongoDB contexts, e.g.
    ``app.cleanup_ctx.append(outbox_relay_context(lambda app: (app[BUS_KEY].publisher,
    [app[DB].users])))``; handlers call ``app[OUTBOX_RELAY_KEY].notify()`` after a write.
    ``options`` go to ``OutboxRelay`` (poll_interval, batch_size, …).
    """

    async def context(app: web.Application) -> AsyncIterator[None]:
        publisher, collections = source(app)
        relay = OutboxRelay(publisher, collections, **options)
        app[OUTBOX_RELAY_KEY] = relay
        task = asyncio.create_task(relay.run(), name="outbox-relay")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
