"""Writing search's index (``search_index``): an organization's rows follow its document.

The organizations store calls ``sync`` right after each write of an organization (creation,
edit, verification, hiding, a change of owners, erasure of its creator, an import): the rows
are derived from the document as written, then the document's version is read again, and if
another write slipped in meanwhile the rows are derived again, until they match the latest
version. Two syncs of one organization may interleave; each ends with rows of a version it read
last, and the last writer of the organization syncs last. New rows are written before the old
ones go, and the head last, so an organization being edited never drops out of search.

What a crash between the organization's write and its rows' leaves behind (a head that lags the
organization's version), ``repair`` finds and rewrites: each housekeeping round runs it
(hourly), and ``python -m jumo_orgs reindex`` on demand (once after a deployment that brings
the index or changes ``FORMAT``).
It reads every organization's version once (seconds at 10,000 on FerretDB: ``bench/``).
"""

from __future__ import annotations

from typing import Any

from pymongo import DeleteMany, InsertOne, ReplaceOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from jumo_common.logging import get_logger
from jumo_common.mongo import Collection, Database, Document, insert_once
from jumo_common.mongo.bulk import WriteOp, chunked_bulk_write
from jumo_orgs.search_index import (
    FORMAT,
    HEAD,
    ROWS,
    Row,
    month_of,
    month_row,
    org_rows,
    visibility,
)

log = get_logger(__name__)
MAX_SYNC_ROUNDS = 5


def _version(doc: Document | None) -> Any:
    return doc.get("version") if doc is not None else None


def row_writes(org_id: str, present: dict[str, Row], wanted: list[Row]) -> list[WriteOp]:
    """The writes that turn an organization's ``present`` rows into the ``wanted`` ones: the
    rows missing (rows never change: a new payload is new rows), then one deletion of those no
    longer wanted, then the head if it changed."""
    keep = [row["_id"] for row in wanted]
    writes: list[WriteOp] = [
        InsertOne(row) for row in wanted if row["k"] != HEAD and row["_id"] not in present
    ]
    if set(present) - set(keep):
        writes.append(DeleteMany({"o": org_id, "_id": {"$nin": keep}}))
    for head in (row for row in wanted if row["k"] == HEAD and present.get(row["_id"]) != row):
        if head["_id"] in present:
            writes.append(ReplaceOne({"_id": head["_id"]}, head))
        else:  # two syncs inserting it at once: one fails, and reads again
            writes.append(InsertOne(head))
    return writes


class MongoSearchIndex:
    """The rows of search's index, on MongoDB / FerretDB."""

    def __init__(self, db: Database) -> None:
        self.rows: Collection = db[ROWS]
        self.orgs: Collection = db["orgs"]

    async def sync(self, org_id: str, known: Document | None = None) -> bool:
        """Make an organization's rows those of its latest version (``known``: the document
        just written, saving a read); False if writes kept slipping in (``repair`` will)."""
        doc = known
        for _ in range(MAX_SYNC_ROUNDS):
            if doc is None:
                doc = await self.orgs.find_one({"_id": org_id})
            try:
                await self._write(org_id, doc)
            except (BulkWriteError, DuplicateKeyError):
                doc = None  # a concurrent sync wrote the same rows first: read again
                continue
            now = await self.orgs.find_one({"_id": org_id}, {"version": 1})
            if _version(now) == _version(doc):
                return True
            doc = None
        # Its last rows may have undone a concurrent sync's while that one's head says all is
        # well: mark the head stale, for the repair to rewrite (unless a later sync does first).
        await self.rows.update_one({"_id": org_id, "k": HEAD}, {"$set": {"v": None}})
        log.warning("search index of an organization left to repair", org_id=org_id)
        return False

    async def _write(self, org_id: str, doc: Document | None) -> None:
        present = {row["_id"]: row for row in await self.rows.find({"o": org_id}).to_list()}
        wanted = org_rows(doc) if doc is not None else []
        vis = visibility(doc) if doc is not None else None
        if doc is not None and vis is not None:
            month = month_of(doc["created_at"])
            listed = {row["k"] for row in present.values()}
            if f"{vis}:m:{month}" not in listed:  # else its month's row was written before it
                await insert_once(self.rows, month_row(vis, month))
        writes = row_writes(org_id, present, wanted)
        if writes:
            await chunked_bulk_write(self.rows, writes, ordered=True)

    async def repair(self) -> int:
        """Rewrite the rows of every organization whose head lags its version (or the row
        format), and drop those of organizations that are gone; how many."""
        heads = {row["o"]: row for row in await self.rows.find({"k": HEAD}).to_list()}
        stale = []
        async for org in self.orgs.find({}, {"_id": 1, "version": 1}):
            head = heads.pop(org["_id"], None)
            if head is None or head.get("v") != org.get("version") or head.get("f") != FORMAT:
                stale.append(org["_id"])
        for org_id in [*stale, *heads]:
            await self.sync(org_id)
        return len(stale) + len(heads)
