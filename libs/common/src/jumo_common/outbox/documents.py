"""Documents that change one claimed version at a time, each write carrying its events.

The one way a producer writes a document that causes events, on every store we support::

    users = VersionedDocuments(db["users"], outbox, db[WRITE_CLAIMS])
    await users.create({"_id": uid, "name": "Ada"}, [registered])        # version 1
    written = await users.change(uid, lambda doc: Change(set={"name": "Bo"}, events=[updated]))

A write (1) reads the document by ``_id``, (2) asks the caller's pure ``plan`` what changes
(``None``: nothing, no write, no event), (3) claims the next ``version`` by an exclusive insert
into the write claims (``jumo_common.mongo.claim_next``; a writer that loses the race reads
again), (4) seals the claim (``jumo_common.mongo.seal``: a claim that went stale while its
writer was slow may have been skipped by another writer, and then this one must not write; it
reads again), (5) writes the fields, the version, and the outbox — the earlier events still
pending plus this change's — in ONE update by ``_id`` and the version read, and (6) wakes the
relay. Because every writer of a document claims and seals first, two writes of one document
never overlap, which FerretDB (whose updates are unlocked read-modify-writes) needs; and
because the relay never writes producer documents, dropping the sent events at step 5 cannot
erase anything (see ``pending``). The update's filter on the version read is a second guard,
for a writer so slow that the claims of its version were purged meanwhile (a day later); the
``_id`` index serves it on MongoDB and FerretDB on PostgreSQL (on SQLite, only an exact
``{_id}`` filter is served by an index: there it reads the collection).

``jumo_common.testing.memory.MemoryDocuments`` behaves the same in memory, for use-case tests;
one contract suite runs over both.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from jumo_common.change import Change
from jumo_common.events import Envelope
from jumo_common.mongo import Collection, Document, claim_next, insert_once, seal
from jumo_common.outbox.pending import OUTBOX_FIELDS, Outbox, outbox_fields

VERSION_FIELD = "version"
# A write that loses this many claim races in a row is reported as a conflict.
MAX_WRITE_ATTEMPTS = 8

Plan = Callable[[Document], Change | None]
UpsertPlan = Callable[[Document | None], Change | None]
Visible = Callable[[Document], bool]


class WriteConflict(RuntimeError):
    """Too many concurrent changes to one document; the caller may retry."""


@dataclass(frozen=True)
class Written:
    """What a ``change`` did: the document before it, the change applied (None: nothing) and
    the version written (the unchanged version when nothing was written)."""

    before: Document | None
    change: Change | None
    version: int

    def after(self) -> Document:
        """The document as it is now (``before`` with the change applied)."""
        return apply(self.before or {}, self.change, self.version)


def apply(doc: Mapping[str, Any], change: Change | None, version: int) -> Document:
    """``doc`` with ``change``'s fields set and removed (outbox fields left out)."""
    result = {k: v for k, v in doc.items() if k not in OUTBOX_FIELDS}
    if change is None:
        return result
    for name in change.unset:
        result.pop(name, None)
    result.update(change.set)
    result[VERSION_FIELD] = version
    return result


def _everything(_doc: Document) -> bool:
    return True


class Documents(Protocol):
    """What a store needs of a collection of versioned documents; ``VersionedDocuments`` on
    MongoDB and ``jumo_common.testing.memory.MemoryDocuments`` both provide it."""

    async def get(self, doc_id: Any) -> Document | None:
        """The document with this ``_id``."""
        ...

    async def create(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]] = ()
    ) -> bool:
        """Insert as version 1; False when a unique key is taken."""
        ...

    async def change(
        self, doc_id: Any, plan: Plan, *, visible: Visible = _everything
    ) -> Written | None:
        """Apply ``plan`` to an existing, visible document."""
        ...

    async def upsert(self, doc_id: Any, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the document or to its absence."""
        ...


async def let_the_winner_write(attempt: int) -> None:
    """Back off after losing a claim race: the winner's write is landing meanwhile.

    Doubling from 10 ms with jitter, so that the attempts span about 2.5 s: a winner holds its
    claim for three round trips (seal, update, and the read before them), which on a loaded
    machine take longer than the 180 ms the attempts used to span (the demo's concurrent
    accepts of one opportunity's last places lost eight races in a row: a 500)."""
    await asyncio.sleep(0.01 * 2**attempt * random.uniform(0.5, 1.0))


class VersionedDocuments:
    """One collection of documents written only through claimed versions (module doc)."""

    def __init__(
        self,
        collection: Collection,
        outbox: Outbox,
        claims: Collection,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.collection = collection
        self.outbox = outbox
        self.claims = claims
        self._clock = clock or _now  # the time claims are taken and sealed at (tests move it)

    def _claim_key(self, doc_id: Any) -> str:
        return f"{self.collection.name}:{doc_id}"

    async def get(self, doc_id: Any) -> Document | None:
        """The document with this ``_id`` (read by ``_id`` alone: FerretDB's one fast lookup)."""
        return await self.collection.find_one({"_id": doc_id})

    async def create(
        self, document: Mapping[str, Any], events: Sequence[Envelope[Any]] = ()
    ) -> bool:
        """Insert ``document`` as version 1 with its events; False when its ``_id`` (or another
        unique key) is taken, which is how concurrent creators learn who won."""
        doc = dict(document) | {VERSION_FIELD: 1}
        if events:
            doc |= outbox_fields([e.to_dict() for e in events], _now())
        created = await insert_once(self.collection, doc)
        if created and events:
            self.outbox.notify()
        return created

    async def change(
        self, doc_id: Any, plan: Plan, *, visible: Visible = _everything
    ) -> Written | None:
        """Apply ``plan(document)`` to an existing document; None when there is none (or it is
        not ``visible``, e.g. a tombstone). Raises WriteConflict after too many lost races."""

        def on_existing(doc: Document | None) -> Change | None:
            return plan(doc) if doc is not None else None

        written = await self._write_loop(doc_id, on_existing, visible, create=False)
        return written if written.before is not None else None

    async def upsert(self, doc_id: Any, plan: UpsertPlan) -> Written:
        """Apply ``plan(document or None)``; a change to a missing document creates it."""
        return await self._write_loop(doc_id, plan, _everything, create=True)

    async def _write_loop(
        self, doc_id: Any, plan: UpsertPlan, visible: Visible, *, create: bool
    ) -> Written:
        for attempt in range(MAX_WRITE_ATTEMPTS):
            found = await self.get(doc_id)
            doc = found if found is not None and visible(found) else None
            if doc is None and (found is not None or not create):
                return Written(None, None, 0)
            change = plan(doc)
            current = int(doc.get(VERSION_FIELD, 0)) if doc else 0
            if change is None:
                return Written(doc, None, current)
            version = await claim_next(self.claims, self._claim_key(doc_id), current, self._clock())
            if version is not None and await self._write(doc_id, doc, change, version):
                return Written(doc, change, version)
            await let_the_winner_write(attempt)
        raise WriteConflict(f"{self.collection.name} {doc_id} keeps changing")

    async def _write(self, doc_id: Any, doc: Document | None, change: Change, version: int) -> bool:
        events = [e.to_dict() for e in change.events_at(version)]
        kept = (
            []
            if change.forget_pending or doc is None
            else await self.outbox.pending(self.collection, doc)
        )
        if change.scrub_actor is not None:
            kept = [_scrubbed(e, change.scrub_actor) for e in kept]
        outbox = kept + events
        if not await seal(self.claims, self._claim_key(doc_id), version, self._clock()):
            return False  # it was slow, and another writer skipped its version: read again
        if doc is None:
            fields = {"_id": doc_id, **change.set, VERSION_FIELD: version}
            if outbox:
                fields |= outbox_fields(outbox, _now())
            written = await insert_once(self.collection, fields)
        else:
            result = await self.collection.update_one(
                _as_read(doc_id, doc), _update(doc, change, version, outbox)
            )
            written = result.matched_count == 1
        if written and events:
            self.outbox.notify()
        return written


def _as_read(doc_id: Any, doc: Document) -> Document:
    """The filter of the document by ``_id`` at the version it was read."""
    return {"_id": doc_id, VERSION_FIELD: doc.get(VERSION_FIELD, {"$exists": False})}


def _update(doc: Document, change: Change, version: int, outbox: list[dict[str, Any]]) -> Document:
    """The one update of a write: fields, version and the outbox as it must now be."""
    fields: Document = {**change.set, VERSION_FIELD: version}
    gone = set(change.unset)
    if outbox:
        fields |= outbox_fields(outbox, _now())
    elif any(name in doc for name in OUTBOX_FIELDS):
        gone |= set(OUTBOX_FIELDS)
    update: Document = {"$set": fields}
    if gone - fields.keys():
        update["$unset"] = dict.fromkeys(gone - fields.keys(), "")
    return update


def _scrubbed(event: dict[str, Any], person: str) -> dict[str, Any]:
    """An unsent event without ``person`` as its actor or subject."""
    return {k: (None if k in ("actor_id", "subject_id") and v == person else v)
            for k, v in event.items()}  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)
