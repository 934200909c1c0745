"""Idempotent consumers: run a handler at most once per event id, and order-safe projections.

The consumer calls ``run_once`` for every handler subscribed with a claim (the default), so
handlers are plain domain code. A handler whose effect is the same however often it runs (a
versioned projection, an insert keyed by the event) is subscribed with ``claimed=False`` and
spares the claim's two writes per event.

The choice, and why. A message can arrive twice (a relay crashed between confirm and mark, a
consumer lost its channel before its ack, two relays raced, a producer published one event in
two versions). ``run_once`` claims the event in the service's ``processed_events`` collection
BEFORE running the handler, and marks the claim done after it.
A claim's ``_id`` is ``"<consumer>:<event id>"`` (unique; there is also a unique index on
``(consumer, event_id)``), and every read and write of it filters on ``_id`` alone: FerretDB
1.24 uses no index for any other filter and would scan the whole collection per event.

- claimed and done → a duplicate: skipped (acked without running the handler);
- claimed by a live handler elsewhere → we wait until it is done (then skip) rather than run
  concurrently;
- the handler raised → the claim is removed, so the retry runs it again;
- the process died mid-handler → the claim has a lease (``lease_s``); once it expires, a
  redelivery takes it over and runs the handler again. A running handler renews its lease
  every ``lease_s / 3``, so a slow but live handler is never taken over.

So a handler body runs twice only after a crash in the middle of it. That is why the effects
themselves should still be idempotent: an upsert keyed by the event id or by the entity, a
``$set`` rather than an ``$inc``, or ``apply_if_newer`` with the producer's per-key ``seq``.
The claim makes the common duplicates cheap and keeps non-idempotent side effects (an e-mail,
a call to Facebook) to at most once except after a crash; idempotent effects make the crash
case exact. (Claim-only would lose the effect of a crash between claim and effect; record-
after-only would run concurrent duplicates twice.)

Lease expiry compares this machine's clocks; keep the lease well above clock skew.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure

from jumo_common.events import Envelope
from jumo_common.mongo import Document, as_utc, insert_once

DONE, RUNNING = "done", "running"
PROCESSED_COLLECTION = "processed_events"


async def ensure_processed_index(processed: AsyncCollection[Document]) -> None:
    """The unique index that makes a claim exclusive (idempotent to call)."""
    await processed.create_index(
        [("consumer", ASCENDING), ("event_id", ASCENDING)], unique=True, name="consumer_event"
    )


async def run_once(
    processed: AsyncCollection[Document],
    consumer: str,
    event: Envelope[Any],
    handler: Callable[[Envelope[Any]], Awaitable[None]],
    *,
    lease_s: float = 30.0,
) -> bool:
    """Run ``handler(event)`` unless ``consumer`` already did (see the module doc); True if run."""
    claim_id = claim_key(consumer, str(event.id))
    token = await claim(processed, consumer, str(event.id), lease_s)
    if token is None:
        return False
    try:
        async with _keep_lease(processed, claim_id, lease_s):
            await handler(event)
    except Exception:
        await _persist(lambda: _release(processed, claim_id, token))  # the retry runs it
        raise
    # Cancelled: the effect may or may not have happened; the claim stays until its lease runs
    # out, then a redelivery takes it over (see "died mid-handler" above).
    await _mark_done(processed, claim_id)
    return True


def claim_key(consumer: str, event_id: str) -> str:
    """The claim's ``_id``: FerretDB only uses an index for a filter that is exactly ``{_id}``."""
    return f"{consumer}:{event_id}"


async def claim(
    processed: AsyncCollection[Document], consumer: str, event_id: str, lease_s: float
) -> str | None:
    """A token when this caller may run the handler now; None when the event is done."""
    claim_id, wait = claim_key(consumer, event_id), 0.05
    while True:
        token = uuid.uuid4().hex
        now = datetime.now(UTC)
        until = now + timedelta(seconds=lease_s)
        fields = {"state": RUNNING, "token": token, "until": until}
        new_claim = {"_id": claim_id, "consumer": consumer, "event_id": event_id, **fields}
        if await insert_once(processed, new_claim):
            return token
        existing = await processed.find_one({"_id": claim_id})
        if existing is None:
            continue  # released meanwhile: claim again
        if existing["state"] == DONE:
            return None
        if as_utc(existing["until"]) < now and await _take_over(processed, claim_id, fields):
            return token
        # A live handler elsewhere holds it: wait for its outcome instead of running twice.
        await asyncio.sleep(wait)
        wait = min(wait * 2, 1.0)


async def _take_over(processed: AsyncCollection[Document], claim_id: str, fields: Document) -> bool:
    # Not atomic on FerretDB (nothing is); read back to see whose token stuck.
    await processed.update_one({"_id": claim_id}, {"$set": fields})
    now = await processed.find_one({"_id": claim_id})
    return now is not None and now.get("token") == fields["token"]


async def _release(processed: AsyncCollection[Document], claim_id: str, token: str) -> None:
    current = await processed.find_one({"_id": claim_id})
    if current is not None and current.get("token") == token:
        await processed.delete_one({"_id": claim_id})


async def _mark_done(processed: AsyncCollection[Document], claim_id: str) -> None:
    done = {"state": DONE, "done_at": datetime.now(UTC)}
    # A claim left "running" after a success would make a duplicate wait out the lease
    # and run again: insist (FerretDB answers SQLITE_BUSY under write contention).
    await _persist(lambda: processed.update_one({"_id": claim_id}, {"$set": done}))


async def _persist(write: Callable[[], Awaitable[Any]], attempts: int = 8) -> None:
    """Run a bookkeeping write, retrying transient failures with a short backoff."""
    delay = 0.02
    for attempt in range(attempts):
        try:
            await write()
            return
        except (OperationFailure, ConnectionFailure):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextlib.asynccontextmanager
async def _keep_lease(
    processed: AsyncCollection[Document], claim_id: str, lease_s: float
) -> AsyncIterator[None]:
    """Renew the claim's lease while the handler runs: only a dead process loses its claim."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(lease_s / 3)
            until = datetime.now(UTC) + timedelta(seconds=lease_s)
            await processed.update_one({"_id": claim_id}, {"$set": {"until": until}})

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def is_processed(processed: AsyncCollection[Document], consumer: str, event_id: str) -> bool:
    """Whether ``consumer`` has completed the event."""
    doc = await processed.find_one({"_id": claim_key(consumer, event_id)})
    return doc is not None and doc.get("state") == DONE


async def purge_processed(processed: AsyncCollection[Document], before: datetime) -> int:
    """Forget claims completed before ``before`` (no redelivery comes that late)."""
    result = await processed.delete_many({"state": DONE, "done_at": {"$lt": before}})
    return result.deleted_count


async def apply_if_newer(
    collection: AsyncCollection[Document],
    key: Mapping[str, Any],
    seq: int,
    update: Mapping[str, Any],
    *,
    seq_field: str = "seq",
) -> bool:
    """Apply ``update`` to the document at ``key`` only if ``seq`` is newer than its stored one.

    Upserts: the first event for a key creates the document. ``key`` must be unique (``_id`` or
    a unique index): an older ``seq`` then matches nothing, the upsert collides with the
    existing document, and nothing changes. Returns whether the update was applied.
    On FerretDB, updates of one key from several processes at the same instant can still race
    (its updates are not atomic); on MongoDB they cannot.
    """
    merged: Document = {op: dict(fields) for op, fields in update.items()}
    merged.setdefault("$set", {})[seq_field] = seq
    # FerretDB runs a conditional update as an unlocked read-modify-write: serialise the
    # updates of one key in this process, so that a concurrent older seq cannot win there.
    async with _key_lock(collection, key):
        try:
            await collection.update_one({**key, seq_field: {"$lt": seq}}, merged, upsert=True)
        except DuplicateKeyError:
            return False
    return True


_KEY_LOCKS: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def _key_lock(collection: AsyncCollection[Document], key: Mapping[str, Any]) -> asyncio.Lock:
    name = f"{collection.full_name}:{sorted((k, repr(v)) for k, v in key.items())}"
    lock = _KEY_LOCKS.get(name)
    if lock is None:
        lock = _KEY_LOCKS[name] = asyncio.Lock()
    return lock
