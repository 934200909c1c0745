"""Exclusive writes on a store whose updates are not atomic.

FerretDB 1.24 (on SQLite and on PostgreSQL alike) applies every update, conditional ones
included, as a read-modify-write outside any lock: of two concurrent updates of one document one
can be lost, and two conditional claims can both win. An insert with a unique ``_id`` is
exclusive there as on MongoDB, so every "exactly once" in Jumo is built on ``insert_once``.
"""

from __future__ import annotations

import datetime as dt

from pymongo.errors import DuplicateKeyError

from jumo_common.mongo.client import Collection, Document, as_utc


async def insert_once(collection: Collection, document: Document) -> bool:
    """Insert ``document``: True for the one caller that did, False when its ``_id`` was taken.

    The one write that is exclusive on FerretDB 1.24 as on MongoDB (FerretDB applies updates,
    even conditional ones, outside any lock), so every "exactly once" claim is built on it.
    """
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


# A claim whose holder has not written for this long is taken to be dead (it crashed).
STALE_CLAIM = dt.timedelta(seconds=10)
WRITE_CLAIMS = "write_claims"


async def claim_next(claims: Collection, key: str, current: int, now: dt.datetime) -> int | None:
    """Claim version ``current + 1`` of ``key``: the version to write, or None if another holds it.

    Whoever inserts ``{_id: "<key>:<version>"}`` may write that version of that document and
    nobody else may, so writers of one document never overlap (FerretDB would lose one of two
    overlapping updates). A claim whose holder never wrote is skipped once it is stale, so a
    document is never stuck; its version then jumps, which readers accept (it only grows).
    """
    version = current + 1
    while not await insert_once(claims, {"_id": f"{key}:{version}", "at": now}):
        held = await claims.find_one({"_id": f"{key}:{version}"})
        if held is None or now - as_utc(held["at"]) < STALE_CLAIM:
            return None
        version += 1
    return version


async def purge_claims(claims: Collection, before: dt.datetime) -> int:
    """Delete write claims older than ``before`` (their versions are long written)."""
    result = await claims.delete_many({"at": {"$lt": before}})
    return result.deleted_count
