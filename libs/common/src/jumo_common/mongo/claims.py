"""Exclusive writes on a store whose updates are not atomic.

FerretDB 1.24 (on SQLite and on PostgreSQL alike) applies every update, conditional ones
included, as a read-modify-write outside any lock: of two concurrent updates of one document one
can be lost, and two conditional claims can both win. An insert with a unique ``_id`` is
exclusive there as on MongoDB, so every "exactly once" in Jumo is built on ``insert_once``.
"""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from jumo_common.mongo.client import Collection, Document


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
