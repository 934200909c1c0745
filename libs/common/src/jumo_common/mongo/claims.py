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


# A claim whose holder has not written for this long is skipped (it may have crashed), unless
# its holder sealed it first.
STALE_CLAIM = dt.timedelta(seconds=10)
WRITE_CLAIMS = "write_claims"
# The fate of a claimed version, decided once by an exclusive insert of "<key>:<version>:fate":
SEALED = "sealed"  # by its holder, about to write it: nobody takes the version over any more
VOIDED = "voided"  # by a writer that found the claim stale: its holder must not write it


async def claim_next(claims: Collection, key: str, current: int, now: dt.datetime) -> int | None:
    """Claim version ``current + 1`` of ``key``: the version to write, or None if another holds it.

    Whoever inserts ``{_id: "<key>:<version>"}`` may write that version of that document and
    nobody else may, so writers of one document never overlap (FerretDB would lose one of two
    overlapping updates). A claim whose holder never wrote is skipped once it is stale, so a
    document is never stuck; its version then jumps, which readers accept (it only grows).

    Stale only means slow, not dead: so a skip first voids the version (``fate``), and its
    holder writes only after sealing it (``seal``) — one exclusive insert decides which of the
    two happens, never both, however slow the holder is. A sealed version is never skipped: a
    holder that dies between its seal and its write (one round trip) leaves the document
    refusing writes until its ``<key>:<version>:fate`` marker is deleted by hand.
    """
    version = current + 1
    while not await insert_once(claims, {"_id": f"{key}:{version}", "at": now}):
        held = await claims.find_one({"_id": f"{key}:{version}"})
        if held is None or now - as_utc(held["at"]) < STALE_CLAIM:
            return None
        if await fate(claims, key, version, VOIDED, now) != VOIDED:
            return None  # its holder sealed it first: its write is landing
        version += 1
    return version


async def seal(claims: Collection, key: str, version: int, now: dt.datetime) -> bool:
    """The holder of ``version``'s claim, about to write it: True if it may (from now on
    nobody can take the version over), False if a writer voided it as stale (do not write)."""
    return await fate(claims, key, version, SEALED, now) == SEALED


async def fate(claims: Collection, key: str, version: int, wanted: str, now: dt.datetime) -> str:
    """Decide the fate of a claimed version as ``wanted`` unless it is decided already; the
    fate it has (whoever inserts ``"<key>:<version>:fate"`` first decides, once)."""
    marker = {"_id": f"{key}:{version}:fate", "fate": wanted, "at": now}
    if await insert_once(claims, marker):
        return wanted
    decided = await claims.find_one({"_id": marker["_id"]})
    # None: purged meanwhile, so decided a day ago; neither sealing nor skipping may go on.
    return str(decided["fate"]) if decided is not None else ""


async def purge_claims(claims: Collection, before: dt.datetime) -> int:
    """Delete write claims older than ``before`` (their versions are long written)."""
    result = await claims.delete_many({"at": {"$lt": before}})
    return result.deleted_count
