"""Pending events inside the documents that cause them, and when they count as sent.

FerretDB has neither multi-document transactions nor change streams, so a state change and the
events it causes are ONE document write: the pending events travel inside the document that
changes, in the array ``_outbox`` (envelope dicts), and ``_outbox_due`` (indexed) records when
they were written; ``_outbox_bucket`` names the ten seconds that time falls in (see
``outbox_fields``). The relay publishes them and records each confirmed one by INSERTING
``{_id: "<event id>:v<version>"}`` into ``outbox_sent`` (inserts are exclusive on FerretDB too);
it never rewrites a producer's document, because FerretDB applies an update as an unlocked
read-modify-write (FerretDB issue #3040) and a relay edit could erase the producer's concurrent
write.

So the document sheds its sent events at the producer's own next write, which is already
serialised by its write claim (``VersionedDocuments``): that write keeps only the events still
``pending`` and adds its own. A deletion keeps none of the earlier ones. A document therefore
holds at most the events of its last write plus those the relay has not confirmed yet; its size
no longer grows with its history.

An event counts as sent when its marker exists, or when its document was last written before
the relay's saved watermark minus ``deep_slack`` — every relay pass that moved the watermark
past a document had every event of it confirmed. That second rule lets markers be purged after
a day without ever making an old event look unsent.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.mongo import Collection, Database, Document, as_utc, is_ferretdb

OUTBOX_FIELD = "_outbox"
OUTBOX_DUE_FIELD = "_outbox_due"
OUTBOX_BUCKET_FIELD = "_outbox_bucket"
OUTBOX_FIELDS = (OUTBOX_FIELD, OUTBOX_DUE_FIELD, OUTBOX_BUCKET_FIELD)
BUCKET_S = 10
SENT_COLLECTION = "outbox_sent"
WATERMARKS_COLLECTION = "outbox_watermarks"
WATERMARK_CACHE_S = 1.0
RECENT_MAX = 100_000


def sent_key(event: Mapping[str, Any]) -> str:
    """A stored event's sent marker ``_id``: one per (event id, version), since an event may be
    published in two versions side by side during a breaking change."""
    return f"{event['id']}:v{event['version']}"


def _bucket_start(moment: datetime) -> int:
    return int(as_utc(moment).timestamp()) // BUCKET_S * BUCKET_S


def _bucket_name(start: int) -> str:
    return datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def bucket_of(moment: datetime) -> str:
    """The ten seconds ``moment`` falls in, as a string (``2026-12-04T19:05:10``)."""
    return _bucket_name(_bucket_start(moment))


def buckets_between(start: datetime, end: datetime, most: int) -> list[str] | None:
    """Every bucket from the one of ``start`` to the one of ``end``, in order; None when there
    would be more than ``most``."""
    first, last = _bucket_start(start), _bucket_start(end)
    if (last - first) // BUCKET_S + 1 > most:
        return None
    return [_bucket_name(m) for m in range(first, last + 1, BUCKET_S)]


def outbox_fields(events: list[dict[str, Any]], now: datetime) -> Document:
    """The fields a write sets to carry ``events``. The bucket is there for the relay: FerretDB
    on PostgreSQL pushes an equality down to an index but not a range, so the relay reads the
    recent buckets one equality each instead of every document (``relay``)."""
    return {OUTBOX_FIELD: events, OUTBOX_DUE_FIELD: now, OUTBOX_BUCKET_FIELD: bucket_of(now)}


class Outbox:
    """A service's outbox: the collections whose documents carry events, and the relay's bell.

    The store rings ``notify`` after a write that carries events; the relay (started by
    ``jumo_common.bus.bus_context``) wakes up and publishes. ``slack_s`` and ``deep_slack_s``
    are the relay's look-back windows (see ``relay``), kept here because "sent" depends on them.
    """

    def __init__(
        self,
        db: Database,
        collections: Sequence[str],
        *,
        slack_s: float = 2.0,
        deep_slack_s: float = 300.0,
    ) -> None:
        self.db = db
        self.collections: list[Collection] = [db[name] for name in collections]
        self.sent: Collection = db[SENT_COLLECTION]
        self.watermarks: Collection = db[WATERMARKS_COLLECTION]
        self.slack = timedelta(seconds=slack_s)
        self.deep_slack = timedelta(seconds=deep_slack_s)
        self._wake = asyncio.Event()
        self._ferretdb: bool | None = None
        # What this process already knows, so that a write next to its relay asks the
        # database nothing: the markers its relay inserted, and each watermark (a second old
        # at most; an older one only makes fewer events count as sent).
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._watermarks: dict[str, tuple[datetime | None, float]] = {}

    def notify(self) -> None:
        """Wake the relay now (called by the store after a write that carries events)."""
        self._wake.set()

    async def wait(self, timeout: float) -> None:
        """Sleep until ``notify`` or ``timeout`` seconds, whichever comes first (the relay)."""
        try:
            async with asyncio.timeout(timeout):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    async def ferretdb(self) -> bool:
        """Whether the store is FerretDB (asked once)."""
        if self._ferretdb is None:
            self._ferretdb = await is_ferretdb(self.db)
        return self._ferretdb

    async def watermark(self, collection: Collection) -> datetime | None:
        """The relay's saved watermark of ``collection`` (None before the first pass)."""
        cached = self._watermarks.get(collection.name)
        if cached is not None and time.monotonic() - cached[1] < WATERMARK_CACHE_S:
            return cached[0]
        saved = await self.watermarks.find_one({"_id": collection.name})
        value = as_utc(saved["at"]) if saved else None
        self._watermarks[collection.name] = (value, time.monotonic())
        return value

    def note_watermark(self, collection: Collection, at: datetime) -> None:
        """The relay of this process saved ``at`` as the watermark of ``collection``."""
        self._watermarks[collection.name] = (at, time.monotonic())

    def remember_sent(self, keys: list[str]) -> None:
        """The relay of this process marked these events sent."""
        for key in keys:
            self._recent[key] = None
        while len(self._recent) > RECENT_MAX:
            self._recent.popitem(last=False)

    async def pending(self, collection: Collection, doc: Document) -> list[dict[str, Any]]:
        """The events in ``doc`` that the relay has not confirmed yet (see the module doc)."""
        events: list[dict[str, Any]] = doc.get(OUTBOX_FIELD) or []
        if not events:
            return []
        due, watermark = doc.get(OUTBOX_DUE_FIELD), await self.watermark(collection)
        if due is not None and watermark is not None and as_utc(due) < watermark - self.deep_slack:
            return []
        sent = await self.sent_among([sent_key(e) for e in events])
        return [e for e in events if sent_key(e) not in sent]

    async def sent_among(self, keys: list[str]) -> set[str]:
        """Which of ``keys`` have a sent marker (this process's relay's are known without I/O)."""
        known = {k for k in keys if k in self._recent}
        unknown = [k for k in keys if k not in known]
        if not unknown:
            return known
        if not await self.ferretdb():
            found = await self.sent.find({"_id": {"$in": unknown}}, {"_id": 1}).to_list()
            return known | {str(doc["_id"]) for doc in found}
        # FerretDB uses an index only for a filter that is exactly {_id: <string>}; an $in would
        # scan every marker, so ask one id at a time, concurrently.
        each = await asyncio.gather(*(self.sent.find_one({"_id": k}, {"_id": 1}) for k in unknown))
        return known | {str(doc["_id"]) for doc in each if doc is not None}
