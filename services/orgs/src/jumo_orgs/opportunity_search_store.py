"""Search's store of opportunities: the query, the matching in code, and the MongoDB index
(``opportunity_search_index``), kept in step with each write of an opportunity.

A query reads the rows of ONE way in, chosen to be selective, each key one equality (all that
FerretDB 1.24 pushes down to PostgreSQL; several keys: one query each, at once), and checks the
rest on the payloads in code (``matches``):

- a box no taller than ``CELLS_FIRST_DEGREES``, or a box without words: its grid cells;
- else words: the rows of each word's key, joined per opportunity (every word must match);
- else skills (any of them), else a cause (a family is one key) — with ``remote=true``, remote
  ones' own ``rs:``/``rc:`` keys — else ``remote=true``;
- else the listing: ``newest``, a month of publication at a time from now back; ``soonest``
  (and dates), a month the opportunities happen in at a time from the first asked on, then
  the ongoing ones; up to ``limit``.

``MongoOpportunityIndex.sync`` rewrites an opportunity's rows after each write (the store calls
it): new rows first, then the stale ones go, the head last; if another write slipped in, again.
``repair`` rewrites those whose head lags (a crash between the two writes) or whose
organization's visibility changed since.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pymongo.errors import BulkWriteError, DuplicateKeyError

from jumo_common.logging import get_logger
from jumo_common.mongo import ASCENDING, Collection, Database, Document, IndexSpec
from jumo_orgs.geo import Box
from jumo_orgs.opportunity_search_index import (
    FORMAT,
    HEAD,
    ONGOING,
    REMOTE,
    ROWS,
    Row,
    cell_keys,
    decode,
    listed,
    months_between,
    rows_of,
    word_key,
)

log = get_logger(__name__)
INDEXES = (IndexSpec(ROWS, (("k", ASCENDING),)), IndexSpec(ROWS, (("o", ASCENDING),)))
CELLS_FIRST_DEGREES = 2.0
MAX_SYNC_ROUNDS = 5
LISTING_MONTHS = 36  # how far back the plain listing walks


@dataclass(frozen=True)
class OppQuery:
    """Which open opportunities match: every word, one of the causes, one of the skills,
    inside the box, remote or not."""

    prefixes: tuple[str, ...] = ()  # each a prefix of one of its words
    terms: tuple[str, ...] = ()  # each one of its words (too short for prefixes)
    causes: tuple[str, ...] = ()  # at least one among its causes (none: any)
    cause_key: str | None = None  # the one key that reads those causes' rows
    skills: tuple[str, ...] = ()  # at least one among its skills (none: any)
    box: Box | None = None  # its place inside (None: anywhere, even without one)
    remote: bool | None = None  # True: remote ones only; False: on-site ones only
    listing: Literal["newest", "soonest"] = "soonest"  # how a query with no key is read
    since: str | None = None  # soonest: the first month read (YYYY-MM; None: this month)
    until: str | None = None  # soonest: the last month read (None: LISTING_MONTHS on)


def in_box(found: dict[str, Any], box: Box) -> bool:
    """Whether the opportunity's point lies inside ``box``."""
    lat, lng = found.get("lat"), found.get("lng")
    if lat is None or lng is None or not box.min_lat <= lat <= box.max_lat:
        return False
    if box.lng_wraps:
        return bool(lng >= box.min_lng or lng <= box.max_lng)
    return bool(box.min_lng <= lng <= box.max_lng)


def matches(found: dict[str, Any], query: OppQuery) -> bool:
    """Whether a payload (with all its words) matches ``query``."""
    terms = found["terms"]
    return (
        all(any(t.startswith(p) for t in terms) for p in query.prefixes)
        and all(t in terms for t in query.terms)
        and (not query.causes or any(c in query.causes for c in found["causes"]))
        and (not query.skills or any(s in query.skills for s in found["skills"]))
        and (query.box is None or in_box(found, query.box))
        and (query.remote is None or found["remote"] is query.remote)
    )


def access(query: OppQuery) -> list[list[str]] | None:
    """The way in: groups of keys, every group's rows joined (None: the listing)."""
    words = [*query.prefixes, *query.terms]
    box = query.box
    if box is not None and (box.max_lat - box.min_lat <= CELLS_FIRST_DEGREES or not words):
        return [cell_keys(box)]
    if words:
        return [[word_key(w)] for w in words]
    if query.skills:  # remote=true reads remote ones' own keys (a fifth of the rows)
        return [[f"{'r' if query.remote else ''}s:{s}" for s in query.skills]]
    if query.cause_key:
        return [[f"r{query.cause_key}" if query.remote else query.cause_key]]
    if query.remote:
        return [[REMOTE]]
    return None


def months_back(now: datetime, count: int) -> list[str]:
    """``YYYY-MM`` of this month and the ``count - 1`` before it, newest first."""
    year, month, out = now.year, now.month, []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def listing_keys(query: OppQuery, now: datetime) -> list[str]:
    """The keys a listing reads, in order."""
    if query.listing == "newest":
        return [f"m:{month}" for month in months_back(now, LISTING_MONTHS)]
    first = max(query.since or "", now.strftime("%Y-%m"))
    last = query.until or months_between(first, "9999-12", LISTING_MONTHS)[-1]
    return [*(f"d:{m}" for m in months_between(first, last, LISTING_MONTHS)), ONGOING]


def join(groups: list[list[Row]]) -> list[dict[str, Any]]:
    """The payloads of the opportunities in every group, their words merged."""
    found: dict[str, dict[str, Any]] = {}
    seen: list[set[str]] = []
    for rows in groups:
        ids: set[str] = set()
        for row in rows:
            payload = decode(row)
            ids.add(row["o"])
            if row["o"] in found:
                merged = found[row["o"]]["terms"] + payload["terms"]
                found[row["o"]]["terms"] = list(dict.fromkeys(merged))
            else:
                found[row["o"]] = payload
        seen.append(ids)
    every = set.intersection(*seen) if seen else set()
    return [found[i] for i in sorted(every)]


class MongoOpportunityIndex:
    """The rows of opportunities' search index, on MongoDB / FerretDB."""

    def __init__(self, db: Database) -> None:
        self.rows: Collection = db[ROWS]
        self.opportunities: Collection = db["opportunities"]
        self.orgs: Collection = db["orgs"]

    async def candidates(
        self, query: OppQuery, *, limit: int, now: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Matching open opportunities' payloads (at most ``limit``)."""
        groups = access(query)
        if groups is None:
            return await self._listing(query, limit, now or datetime.now(UTC))
        read = await asyncio.gather(*(self._rows(keys) for keys in groups))
        return [p for p in join(list(read)) if matches(p, query)][:limit]

    async def _rows(self, keys: Iterable[str]) -> list[Row]:
        found = await asyncio.gather(*(self.rows.find({"k": k}).to_list() for k in keys))
        return [row for rows in found for row in rows]

    async def _listing(self, query: OppQuery, limit: int, now: datetime) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for key in listing_keys(query, now):
            rows = await self.rows.find({"k": key}).to_list()
            out |= {p["_id"]: p for p in join([rows]) if matches(p, query) and p["_id"] not in out}
            if len(out) >= limit:
                break
        return list(out.values())[:limit]

    async def sync(self, opportunity_id: str) -> bool:
        """Make an opportunity's rows those of its latest version; False if writes kept
        slipping in (``repair`` will)."""
        for _ in range(MAX_SYNC_ROUNDS):
            doc = await self.opportunities.find_one({"_id": opportunity_id})
            try:
                await self._write(opportunity_id, doc)
            except (BulkWriteError, DuplicateKeyError):
                continue  # a concurrent sync wrote the same rows first: read again
            now = await self.opportunities.find_one({"_id": opportunity_id}, {"version": 1})
            if (now or {}).get("version") == (doc or {}).get("version"):
                return True
        await self.rows.update_one({"_id": opportunity_id, "k": HEAD}, {"$set": {"v": None}})
        log.warning("search index of an opportunity left to repair", id=opportunity_id)
        return False

    async def _write(self, opportunity_id: str, doc: Document | None) -> None:
        org = await self.orgs.find_one({"_id": doc["org_id"]}) if doc else None
        wanted = rows_of(doc, org) if doc is not None else []
        if doc is not None:  # the head says whether it was listed, for repair to compare
            wanted[-1]["l"] = listed(doc, org)
        present = {r["_id"]: r for r in await self.rows.find({"o": opportunity_id}).to_list()}
        new = [r for r in wanted if r["k"] != HEAD and r["_id"] not in present]
        if new:
            await self.rows.insert_many(new, ordered=False)
        keep = [r["_id"] for r in wanted]
        if set(present) - set(keep):
            await self.rows.delete_many({"o": opportunity_id, "_id": {"$nin": keep}})
        for head in (r for r in wanted if r["k"] == HEAD and present.get(r["_id"]) != r):
            await self.rows.replace_one({"_id": head["_id"]}, head, upsert=True)

    async def repair(self) -> int:
        """Rewrite the rows of every opportunity whose head lags its version or its
        organization's visibility, and drop those of opportunities gone; how many."""
        heads = {r["o"]: r for r in await self.rows.find({"k": HEAD}).to_list()}
        orgs = {o["_id"]: o async for o in self.orgs.find({}, {"status": 1, "hidden": 1})}
        stale = []
        fields = {"version": 1, "status": 1, "org_id": 1}
        async for doc in self.opportunities.find({}, fields):
            head = heads.pop(doc["_id"], None)
            shown = listed(doc, orgs.get(doc["org_id"]))
            if (head is None or head.get("v") != doc.get("version") or head.get("l") != shown
                    or head.get("f") != FORMAT):  # fmt: skip
                stale.append(doc["_id"])
        for opportunity_id in [*stale, *heads]:
            await self.sync(opportunity_id)
        return len(stale) + len(heads)
