"""Writing search's index (``search_index``): an organization's rows follow its document.

The organizations store calls ``sync`` right after each write of an organization (creation,
edit, verification, hiding, a change of owners, erasure of its creator, an import) with the
document as written. Every row carries the version it was written from, in its ``_id`` too, so
syncs of one organization, however they interleave, are ordered by that version without any
update (FerretDB's updates are unlocked read-modify-writes; inserts and deletes are not):

1. insert the version's rows that are missing, then its head (the version is complete);
2. delete the organization's rows no newer than that version that it does not want — never a
   newer version's, so a slow sync of an older version cannot undo a newer one's rows;
3. read the organization's version again: if a newer write came meanwhile, this sync's rows
   may have landed after that version's sync deleted the older ones, so they go too — at once
   if a newer head exists (that version's rows are all there), else the newer sync's step 2,
   which is still to come, deletes them.

So the rows of the last version stay, whatever order the syncs end in, and an organization being
edited never drops out of search (a version's rows are written before older ones go).

What a crash between the organization's write and its rows' leaves behind (a head that lags the
organization's version, or two heads), ``repair`` finds and rewrites: each housekeeping round
runs it (hourly), and ``python -m jumo_orgs reindex`` on demand (once after a deployment that
brings the index or changes ``FORMAT``).
It reads every organization's version once (seconds at 10,000 on FerretDB: ``bench/``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pymongo import DeleteMany, InsertOne
from pymongo.errors import BulkWriteError

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
    version_of,
    visibility,
)

DUPLICATE_KEY = 11000
# A sync of one version racing another of the same version (a repair, a retried request) loses
# an insert now and then, and reads again; each attempt finds more of the rows in place.
MAX_ATTEMPTS = 5


def older(version: int) -> Document:
    """The filter of the rows written from ``version`` or an older one (or before versions)."""
    return {"v": {"$not": {"$gt": version}}}


def row_writes(org_id: str, present: dict[str, Row], wanted: list[Row]) -> list[WriteOp]:
    """The writes that turn an organization's rows into the ``wanted`` ones (of one version):
    those missing from ``present``, the head last (rows never change: a new version is new
    rows), then one deletion of every other row that is not newer — always, for it must also
    catch the rows an older sync inserts after ``present`` was read (module doc)."""
    if not wanted:
        return [DeleteMany({"o": org_id})] if present else []  # the organization is gone
    version, keep = wanted[-1]["v"], [row["_id"] for row in wanted]
    writes: list[WriteOp] = [InsertOne(row) for row in wanted if row["_id"] not in present]
    writes.append(DeleteMany({"o": org_id, "_id": {"$nin": keep}, **older(version)}))
    return writes


def _only_duplicates(error: BulkWriteError) -> bool:
    return all(e.get("code") == DUPLICATE_KEY for e in error.details.get("writeErrors", []))


class MongoSearchIndex:
    """The rows of search's index, on MongoDB / FerretDB."""

    def __init__(self, db: Database) -> None:
        self.rows: Collection = db[ROWS]
        self.orgs: Collection = db["orgs"]

    async def sync(self, org_id: str, known: Document | None = None) -> None:
        """Write an organization's rows of ``known`` (the document just written; None: read
        it), and drop those of older versions (module doc)."""
        doc = known if known is not None else await self.orgs.find_one({"_id": org_id})
        await self._write(org_id, doc)
        if doc is None:
            return
        latest = await self.orgs.find_one({"_id": org_id}, {"version": 1})
        version = version_of(doc)
        if latest is not None and version_of(latest) > version:
            newer = await self.rows.find_one({"o": org_id, "k": HEAD, "v": {"$gt": version}})
            if newer is not None:
                await self.rows.delete_many({"o": org_id, **older(version)})

    async def _write(self, org_id: str, doc: Document | None) -> None:
        for attempt in range(MAX_ATTEMPTS):
            try:
                await self._write_once(org_id, doc)
            except BulkWriteError as error:
                # Only duplicates: a sync of the same version wrote some rows first: read again.
                if attempt == MAX_ATTEMPTS - 1 or not _only_duplicates(error):
                    raise
            else:
                return

    async def _write_once(self, org_id: str, doc: Document | None) -> None:
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
        format), or that has two heads, and drop those of organizations that are gone; how
        many."""
        heads: dict[Any, list[Row]] = defaultdict(list)
        for row in await self.rows.find({"k": HEAD}).to_list():
            heads[row["o"]].append(row)
        stale = []
        async for org in self.orgs.find({}, {"_id": 1, "version": 1}):
            mine = heads.pop(org["_id"], [])
            if [(h.get("v"), h.get("f")) for h in mine] != [(version_of(org), FORMAT)]:
                stale.append(org["_id"])
        for org_id in [*stale, *heads]:
            await self.sync(org_id)
        return len(stale) + len(heads)
