"""The relay: publishes the pending events of a service's outbox, with confirms, and marks them.

A pass over each collection:

1. reads, in pages of ``batch_size`` sorted by ``(_outbox_due, _id)``, the documents written
   since the relay's watermark minus ``slack`` (every ``deep_every_s`` minus ``deep_slack``
   instead, for writes that committed later than the time they carry), at most ``pass_limit``
   of them; a pass cut short there carries on from where it stopped at the next pass, at once.
   Where the server pushes equalities down but not ranges (FerretDB on PostgreSQL,
   ``jumo_common.mongo.pushdown``) the range alone would read every document of the
   collection at each pass (3.8 s for identity's 2,051 users under the demo's load): there the
   relay reads the window's ten-second buckets (``_outbox_bucket``, indexed) one equality each,
   in order, the range applied within each, each bucket in ONE query (the server reads all of
   it before it sorts and limits, so a second page would read it again). A window of more
   than ``MAX_BUCKETS`` (the relay was away an hour), and a collection's first pass since
   start (documents written before buckets existed), read the range alone. A deep pass reads
   every document written in the last ``deep_slack`` (five minutes) again: every 30 s, it read
   each one ten times, most of the relay's reads while the demo loads; every minute, five.
   A window starts at the watermark, or at the start of the last complete pass that left
   nothing unconfirmed if that is later (so that a collection nobody writes to is not read
   ever further back);
2. drops the events already marked sent; publishes the others with confirms, many in flight,
   in document order;
3. inserts a sent marker for each confirmed event. An event the broker did not confirm (a nack,
   a timeout, the broker down) holds the watermark back, so it is tried again. The watermark
   otherwise moves to the latest ``_outbox_due`` seen and is saved for the next start.

An event no queue is bound for is NOT a failure: the events exchange's alternate exchange
(``jumo.unrouted``) takes and confirms it, so it is marked sent and the outbox moves on; it
waits there, counted, until ``python -m jumo_common.bus.replay`` hands it to a consumer.

When a pass fails (broker or database away, a refusal), the relay backs off — 0.5 s doubling to
``backoff_cap_s``, without answering ``notify`` meanwhile — and logs the failure once per
``log_every_s`` with a count, not once per event or per pass. Every ``purge_every_s`` it
deletes the sent markers no pass can need any more (older than a day and than the watermark
minus the deep slack; see ``pending``).

Lag (``lag_seconds``, the gauge ``jumo_outbox_lag_seconds``) is kept by the relay from its
passes, not queried at scrape time: the age of the earliest document whose events the last
complete pass left unconfirmed (or, for a pass cut short at ``pass_limit``, where it stopped);
0 when that pass confirmed everything. While passes fail (database away) or one has run longer
than ``STALLED_PASS_S``, every write since the start of the last complete pass counts as
possibly unsent, so the lag grows with the outage instead of reading 0. It is this process's
view: with several replicas, take the maximum.

Crash safety: a crash before the publish delays the event; a crash between the confirm and the
marker publishes it again, a duplicate that idempotent consumers absorb. Two relays on one
collection may both publish an event (duplicates again) but cannot lose one. Residual risk: a
write that commits more than ``deep_slack`` after the time it carries (a stalled producer,
clock skew) is missed; keep clocks in sync. Events of one document go out in the order they were
written; across documents there is no order (use per-key sequences where order matters).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from pymongo.errors import BulkWriteError

from jumo_common.mongo import Collection, Document, as_utc
from jumo_common.mongo.pushdown import FilterMode
from jumo_common.outbox.pending import (
    OUTBOX_BUCKET_FIELD,
    OUTBOX_DUE_FIELD,
    OUTBOX_FIELD,
    Outbox,
    buckets_between,
    sent_key,
)

if TYPE_CHECKING:  # the bus imports the outbox: only the type comes from there
    from jumo_common.bus.publisher import Publisher

DUPLICATE_KEY = 11000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MARKER_RETENTION = timedelta(days=1)
PAGE_SORT = [(OUTBOX_DUE_FIELD, 1), ("_id", 1)]
PAGE_FIELDS = {OUTBOX_FIELD: 1, OUTBOX_DUE_FIELD: 1}
MAX_BUCKETS = 360  # an hour of ten-second buckets; a longer window is read as one range
SAVE_EVERY_S = 1.0
STALLED_PASS_S = 5.0  # a pass running longer than this counts as not keeping up (lag)

log = structlog.get_logger(__name__)


@dataclass
class _Pass:
    """What one pass over a collection saw, and how far its watermark may move."""

    blocked: datetime | None = None  # the earliest document with an unconfirmed event
    last_due: datetime | None = None  # the latest document seen
    last_key: tuple[datetime, Any] | None = None  # where a cut-short pass goes on from
    published: int = 0
    failures: list[BaseException] = field(default_factory=list)
    read: int = 0

    def advance(self, page: list[Document], failed: list[Document]) -> None:
        """Take in one page of documents and those of them with an unconfirmed event."""
        last = page[-1]
        self.last_due = as_utc(last[OUTBOX_DUE_FIELD])
        self.last_key = (last[OUTBOX_DUE_FIELD], last["_id"])
        self.read += len(page)
        if failed:
            earliest = min(as_utc(doc[OUTBOX_DUE_FIELD]) for doc in failed)
            self.blocked = min(earliest, self.blocked) if self.blocked else earliest


class OutboxRelay:
    """Publishes the pending events of one service's ``Outbox``; see the module doc."""

    def __init__(
        self,
        publisher: Publisher,
        outbox: Outbox,
        *,
        poll_interval: float = 1.0,
        batch_size: int = 200,
        pass_limit: int = 2000,
        deep_every_s: float = 60.0,
        backoff_cap_s: float = 30.0,
        log_every_s: float = 30.0,
        purge_every_s: float = 3600.0,
    ) -> None:
        self.publisher = publisher
        self.outbox = outbox
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.pass_limit = pass_limit
        self.deep_every_s = deep_every_s
        self.backoff_cap_s = backoff_cap_s
        self.log_every_s = log_every_s
        self.purge_every_s = purge_every_s
        self._since: dict[str, datetime] = {}
        self._resume: dict[str, tuple[datetime, Any]] = {}
        self._saved_at: dict[str, float] = {}
        self._modes: dict[str, FilterMode] = {}  # by collection, once it has had a range pass
        self._bucket_indexed: set[str] = set()
        self._read_until: dict[str, datetime] = {}
        self._last_deep = self._last_purge = time.monotonic()
        self._unlogged = 0
        self._first_unlogged: BaseException | None = None
        self._last_log: float | None = None  # never yet: the first failure is logged at once
        self.backoff_s = 0.0
        self._unsent_since: datetime | None = None  # earliest unconfirmed, as the last pass saw
        self._complete_start = datetime.now(UTC)  # start of the last pass that ran to its end
        self._pass_start: datetime | None = None  # the pass running now

    def lag_seconds(self) -> float:
        """Age in seconds of the oldest event not yet published, as far as the relay knows."""
        now = datetime.now(UTC)
        oldest = self._unsent_since
        running = self._pass_start
        if running is not None and (now - running).total_seconds() > STALLED_PASS_S:
            oldest = min(oldest or now, self._complete_start)
        return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0

    def notify(self) -> None:
        """Wake the relay now."""
        self.outbox.notify()

    async def run(self) -> None:
        """Relay until cancelled: on notify, else every ``poll_interval``; back off on failure."""
        while True:
            try:
                _, failures, more = await self._pass()
            except Exception as exc:  # the database is away: keep trying, never die
                failures, more = [exc], False
            self._note(failures)
            if failures:
                self.backoff_s = min(self.backoff_cap_s, max(0.5, self.backoff_s * 2))
                await asyncio.sleep(self.backoff_s)
            elif not more:
                self.backoff_s = 0.0
                await self.outbox.wait(self.poll_interval)

    async def relay_once(self) -> int:
        """One pass over every collection; the number of events confirmed by the broker."""
        published, _, _ = await self._pass()
        return published

    async def _pass(self) -> tuple[int, list[BaseException], bool]:
        self._pass_start = started = datetime.now(UTC)
        try:
            result, unsent = await self._pass_over_collections()
        except BaseException:
            # What this pass would have seen is unknown: anything written since the last
            # complete pass began may be unsent.
            self._unsent_since = min(self._unsent_since or started, self._complete_start)
            raise
        finally:
            self._pass_start = None
        self._unsent_since, self._complete_start = unsent, started
        return result

    async def _pass_over_collections(
        self,
    ) -> tuple[tuple[int, list[BaseException], bool], datetime | None]:
        deep = time.monotonic() - self._last_deep >= self.deep_every_s
        if deep:
            self._last_deep = time.monotonic()
        published, failures, more = 0, [], False
        unsent: list[datetime] = []
        for collection in self.outbox.collections:
            seen = await self._relay_collection(collection, deep)
            published += seen.published
            failures.extend(seen.failures)
            resume = self._resume.get(collection.name)
            more = more or resume is not None
            if seen.blocked:
                unsent.append(seen.blocked)
            if resume is not None:  # cut short: what it did not read yet is not sent yet
                unsent.append(as_utc(resume[0]))
        await self._purge_now_and_then()
        return (published, failures, more), min(unsent, default=None)

    async def _relay_collection(self, collection: Collection, deep: bool) -> _Pass:
        started = datetime.now(UTC)
        saved = await self._watermark(collection)
        # A complete pass with nothing left unconfirmed read everything written before it
        # started: the next one need not look further back, even if nothing was written since.
        read_until = self._read_until.pop(collection.name, EPOCH)
        seen = _Pass()
        start = self._resume.pop(collection.name, None)
        slack = self.outbox.deep_slack if deep else self.outbox.slack
        begin = as_utc(start[0]) if start else max(saved, read_until) - slack
        flt = _after(start) if start else _since(begin)
        for bucket in await self._buckets(collection, begin, started):
            relayed = (
                self._relay_pages(collection, flt, seen)
                if bucket is None
                else self._relay_bucket(collection, flt, bucket, seen)
            )
            if not await relayed:
                if seen.last_key is not None:
                    self._resume[collection.name] = seen.last_key  # cut short: go on from here
                break
            flt = _after(seen.last_key) if seen.last_key else flt
        else:
            if start is None and seen.blocked is None:
                self._read_until[collection.name] = started
        new_since = seen.blocked or seen.last_due or saved
        if new_since != saved:
            await self._save_watermark(collection, new_since)
        return seen

    async def _buckets(
        self, collection: Collection, begin: datetime, until: datetime
    ) -> Sequence[str | None]:
        """The buckets to read one by one, or ``[None]``: the range alone (module doc)."""
        mode = self._modes.get(collection.name)
        if mode is None:  # the first pass since start
            self._modes[collection.name] = FilterMode(collection)
            return [None]
        if await mode.get() != "equalities":
            return [None]
        buckets = buckets_between(begin, until, MAX_BUCKETS)
        if buckets is None:
            return [None]
        if collection.name not in self._bucket_indexed:
            await collection.create_index([(OUTBOX_BUCKET_FIELD, 1)], name="outbox_bucket")
            self._bucket_indexed.add(collection.name)
        return buckets

    async def _relay_pages(self, collection: Collection, flt: Document, seen: _Pass) -> bool:
        """Relay the documents of ``flt``, page by page (an index serves the sort and the limit
        where ranges are pushed down); False when the pass limit cut it short."""
        while seen.read < self.pass_limit:
            page = await (
                collection.find(flt, PAGE_FIELDS).sort(PAGE_SORT).limit(self.batch_size)
            ).to_list()
            if page:
                await self._relay_page(page, seen)
                flt = _after(seen.last_key) if seen.last_key else flt
            if len(page) < self.batch_size:
                return True
        return False

    async def _relay_bucket(
        self, collection: Collection, flt: Document, bucket: str, seen: _Pass
    ) -> bool:
        """Relay the documents of ``flt`` in ``bucket``, read in ONE query and published in
        pages of ``batch_size``; False when the pass limit cut it short.

        Where buckets are read, the server reads the whole bucket and applies the range, the
        sort and the limit itself afterwards: a second page would read the bucket again."""
        room = self.pass_limit - seen.read
        if room <= 0:
            return False
        scoped = {OUTBOX_BUCKET_FIELD: bucket, **flt}
        docs = await collection.find(scoped, PAGE_FIELDS).sort(PAGE_SORT).limit(room).to_list()
        for start in range(0, len(docs), self.batch_size):
            await self._relay_page(docs[start : start + self.batch_size], seen)
        return len(docs) < room

    async def _relay_page(self, page: list[Document], seen: _Pass) -> None:
        events = [(doc, event) for doc in page for event in doc.get(OUTBOX_FIELD) or []]
        done = await self.outbox.sent_among([sent_key(e) for _, e in events])
        todo = [(doc, e) for doc, e in events if sent_key(e) not in done]
        outcomes = await self.publisher.publish_many([e for _, e in todo])
        results = list(zip(todo, outcomes, strict=True))
        confirmed = [sent_key(e) for (_, e), failed in results if not failed]
        await self.mark_sent(confirmed)
        self.outbox.remember_sent(confirmed)
        seen.published += len(confirmed)
        seen.failures.extend(o for o in outcomes if o is not None)
        seen.advance(page, [doc for (doc, _), failed in results if failed])

    async def mark_sent(self, keys: list[str]) -> None:
        """Record confirmed events (a duplicate key means another relay recorded it first)."""
        if not keys:
            return
        now = datetime.now(UTC)
        try:
            await self.outbox.sent.insert_many([{"_id": k, "at": now} for k in keys], ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(err.get("code") != DUPLICATE_KEY for err in errors):
                raise

    async def _watermark(self, collection: Collection) -> datetime:
        if collection.name not in self._since:
            saved = await self.outbox.watermark(collection)
            self._since[collection.name] = saved or EPOCH
            await collection.create_index(PAGE_SORT, name="outbox_due_id")
        return self._since[collection.name]

    async def _save_watermark(self, collection: Collection, at: datetime) -> None:
        self._since[collection.name] = at
        self.outbox.note_watermark(collection, at)
        # Saved at most once a second: a saved watermark that lags only makes a restarted
        # relay re-read a little more (its markers skip what was sent).
        if time.monotonic() - self._saved_at.get(collection.name, -SAVE_EVERY_S) < SAVE_EVERY_S:
            return
        self._saved_at[collection.name] = time.monotonic()
        await self.outbox.watermarks.update_one(
            {"_id": collection.name}, {"$set": {"at": at}}, upsert=True
        )

    async def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._last_purge < self.purge_every_s:
            return
        self._last_purge = time.monotonic()
        # A collection without a watermark has never had an event relayed: it needs no marker.
        marks = [m for c in self.outbox.collections if (m := await self.outbox.watermark(c))]
        if not marks:
            return
        oldest = min(marks) - self.outbox.deep_slack
        cutoff = min(datetime.now(UTC) - MARKER_RETENTION, oldest)
        purged = await self.outbox.sent.delete_many({"at": {"$lt": cutoff}})
        if purged.deleted_count:
            log.info("old sent markers deleted", count=purged.deleted_count)

    def _note(self, failures: Sequence[BaseException]) -> None:
        """Log failures at most once per ``log_every_s``, with how many there were."""
        if failures and self._first_unlogged is None:
            self._first_unlogged = failures[0]
        self._unlogged += len(failures)
        last = self._last_log
        if not self._unlogged or (last is not None and time.monotonic() - last < self.log_every_s):
            return
        log.warning(
            "outbox events not confirmed; will retry",
            count=self._unlogged,
            first=repr(self._first_unlogged),
            backoff_s=self.backoff_s,
        )
        self._unlogged, self._first_unlogged = 0, None
        self._last_log = time.monotonic()


def _since(moment: datetime) -> Document:
    return {OUTBOX_DUE_FIELD: {"$gte": moment}}


def _after(key: tuple[datetime, Any]) -> Document:
    due, doc_id = key
    return {
        "$or": [{OUTBOX_DUE_FIELD: {"$gt": due}}, {OUTBOX_DUE_FIELD: due, "_id": {"$gt": doc_id}}]
    }
