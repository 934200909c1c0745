"""Matching's store of findable people (``candidate_index``'s rows), kept in step with the
people projection: ``People`` calls ``sync`` after every change of a person (its hook), and a
deleted or no longer findable person's rows go at once.

``sync`` writes the new rows first, then drops the stale ones; if the person changed meanwhile
(another event), again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any, Protocol

from pymongo.errors import BulkWriteError

from jumo_common.mongo import ASCENDING, Collection, Database, Document, IndexSpec
from jumo_orgs.candidate_index import ROWS, decode, rows_of

INDEXES = (IndexSpec(ROWS, (("k", ASCENDING),)), IndexSpec(ROWS, (("u", ASCENDING),)))
OUTBOX_COLLECTIONS: tuple[str, ...] = ()  # an index publishes nothing
MAX_SYNC_ROUNDS = 5


class CandidateStore(Protocol):
    """What matching needs of its index of findable people."""

    async def sync(self, user_id: str) -> None:
        """Make a person's rows those of their projection now."""
        ...

    async def candidates(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """The payloads of the findable people under any of ``keys``, once each."""
        ...

    async def forget(self, user_id: str) -> None:
        """Delete every row of a person."""
        ...


def unique(rows: list[Row]) -> list[dict[str, Any]]:
    """One payload per person (each row of a person carries the same payload)."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["u"] not in found:
            found[row["u"]] = decode(row)
    return [found[u] for u in sorted(found)]


Row = Document


class MongoCandidateStore:
    """``CandidateStore`` on MongoDB / FerretDB (reads ``people``, writes its rows)."""

    def __init__(self, db: Database) -> None:
        self.rows: Collection = db[ROWS]
        self.people: Collection = db["people"]

    async def sync(self, user_id: str) -> None:
        """Make a person's rows those of their projection now."""
        for _ in range(MAX_SYNC_ROUNDS):
            doc = await self.people.find_one({"_id": user_id})
            await self._write(user_id, rows_of(user_id, doc))
            again = await self.people.find_one({"_id": user_id}, {"version": 1})
            if (again or {}).get("version") == (doc or {}).get("version"):
                return

    async def _write(self, user_id: str, rows: list[Row]) -> None:
        have = {r["_id"] async for r in self.rows.find({"u": user_id}, {"_id": 1})}
        fresh = [r for r in rows if r["_id"] not in have]
        if fresh:
            with contextlib.suppress(BulkWriteError):  # a concurrent sync wrote some first
                await self.rows.insert_many(fresh, ordered=False)
        stale = have - {r["_id"] for r in rows}
        if stale:
            await self.rows.delete_many({"_id": {"$in": sorted(stale)}})

    async def candidates(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """The payloads of the findable people under any of ``keys``, once each."""
        found = await asyncio.gather(*(self.rows.find({"k": k}).to_list() for k in keys))
        return unique([row for rows in found for row in rows])

    async def forget(self, user_id: str) -> None:
        """Delete every row of a person."""
        await self.rows.delete_many({"u": user_id})
