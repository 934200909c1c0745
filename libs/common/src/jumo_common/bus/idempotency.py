"""Idempotent consumers: run a handler at most once per event id, and order-safe projections.

The choice, and why. A message can arrive twice (a relay crashed between confirm and mark, a
consumer lost its channel before its ack, two relays raced). ``idempotent`` claims the event
in the ``processed`` collection (unique index on ``(consumer, event_id)``) BEFORE running the
handler, and marks the claim done after it:

- claimed and done → a duplicate: skipped (acked without running the handler);
- claimed by a live handler elsewhere → we wait until it is done (then skip) rather than run
  concurrently;
- the handler raised → the claim is removed, so the retry runs it again;
- the process died mid-handler → the claim has a lease (``lease_s``); once it expires, a
  redelivery takes it over and runs the handler again. Handlers are cut off at the lease, so a
  live handler is never taken over.

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
import functools
import uuid
import weakref
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from jumo_common.bus.consumer import Handler
from jumo_common.events import Envelope

Document = dict[str, Any]
DONE, RUNNING = "done", "running"


async def ensure_processed_index(processed: AsyncCollection[Document]) -> None:
    """The unique index that makes a claim exclusive (idempotent to call)."""
    await processed.create_index(
        [("consumer", ASCENDING), ("event_id", ASCENDING)], unique=True, name="consumer_event"
    )


def idempotent(
    processed: AsyncCollection[Document], consumer: str, *, lease_s: float = 30.0
) -> Callable[[Handler], Handler]:
    """Decorator: run the handler at most once per event id for ``consumer`` (see module doc)."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def once(event: Envelope[Any]) -> None:
            token = await claim(processed, consumer, str(event.id), lease_s)
            if token is None:
                return
            mine = {"consumer": consumer, "event_id": str(event.id), "token": token}
            try:
                async with asyncio.timeout(lease_s):
                    await handler(event)
            except BaseException:
                await processed.delete_one(mine)  # so that the retry runs it
                raise
            await processed.update_one(
                mine, {"$set": {"state": DONE, "done_at": datetime.now(UTC)}}
            )

        return once

    return decorate


async def claim(
    processed: AsyncCollection[Document], consumer: str, event_id: str, lease_s: float
) -> str | None:
    """A token when this caller may run the handler now; None when the event is done."""
    wait = 0.05
    while True:
        token = uuid.uuid4().hex
        now = datetime.now(UTC)
        until = now + timedelta(seconds=lease_s)
        key = {"consumer": consumer, "event_id": event_id}
        try:
            await processed.insert_one({**key, "state": RUNNING, "token": token, "until": until})
        except DuplicateKeyError:
            pass
        else:
            return token
        existing = await processed.find_one(key)
        if existing is None:
            continue  # released meanwhile: claim again
        if existing["state"] == DONE:
            return None
        if _as_utc(existing["until"]) < now:
            taken = await processed.update_one(
                {**key, "token": existing["token"]}, {"$set": {"token": token, "until": until}}
            )
            if taken.modified_count:
                return token
            continue
        # A live handler elsewhere holds it: wait for its outcome instead of running twice.
        await asyncio.sleep(wait)
        wait = min(wait * 2, 1.0)


async def is_processed(processed: AsyncCollection[Document], consumer: str, event_id: str) -> bool:
    """Whether ``consumer`` has completed the event."""
    doc = await processed.find_one({"consumer": consumer, "event_id": event_id, "state": DONE})
    return doc is not None


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


def _as_utc(value: datetime) -> datetime:
    # A client without tz_aware=True hands back naive datetimes; they are UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
