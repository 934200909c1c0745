"""Search's read of organizations: the store's Protocol, its MongoDB implementation, its indexes.

Search writes nothing. It reads the ``orgs`` collection that the organizations area writes,
and only these fields of it: ``name``, ``slug``, ``mission``, ``terms`` (folded words of name,
mission, description and city), ``prefixes`` (their typing prefixes), ``causes``, ``hq`` (city,
country, lat, lng), ``status``, ``hidden``, ``created_at`` and ``_id``.

A query is an ``OrgQuery``: words every match holds among its ``prefixes`` (or, shorter than
``text.MIN_PREFIX``, among its ``terms``), causes of which it has one, a latitude/longitude box
its headquarters lie in. The store answers the newest matches first (``created_at`` then ``_id``,
both descending), from an optional position on, at most ``limit`` of them; relevance and
distance are the use case's (``search.py``), computed on what this returns.

The filter is shaped for FerretDB 1.24 on PostgreSQL, which pushes down to SQL only top-level
equalities (``{field: value}``) and drops ``$and``, ``$all``, ``$in`` and ranges back to its own
Go code: so the longest query word, the most telling, goes first as ``{"prefixes": word}``
(served by the index and its GIN mirror), the other words and filters inside ``$and``. A query
for several causes without words runs as one query per cause (``{"causes": cause}``), merged
here, except where every query scans anyway (FerretDB's SQLite backend). FerretDB reads and
decodes every document the pushed-down part matches (about a millisecond each), then filters,
sorts and limits in Go: the cost is how many documents the equalities leave. MongoDB serves the
same filters from the multikey indexes. Figures: ``bench/README.md``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    Collection,
    Database,
    Document,
    IndexSpec,
    after_filter,
)
from jumo_common.outbox import Outbox
from jumo_orgs.geo import Box

INDEXES = (
    IndexSpec("orgs", (("prefixes", ASCENDING),)),
    IndexSpec("orgs", (("terms", ASCENDING),)),
    IndexSpec("orgs", (("causes", ASCENDING),)),
    IndexSpec("orgs", (("hq.lat", ASCENDING), ("hq.lng", ASCENDING))),
    IndexSpec("orgs", (("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING))),
)
OUTBOX_COLLECTIONS: tuple[str, ...] = ()  # search publishes nothing
NEWEST = (("created_at", DESCENDING), ("_id", DESCENDING))
# What search reads of an organization (``prefixes``, the largest field, only filters).
FIELDS = ("_id", "name", "slug", "mission", "terms", "causes", "hq", "status", "hidden",
          "created_at")  # fmt: skip
PROJECTION = dict.fromkeys(FIELDS, 1)


@dataclass(frozen=True)
class OrgQuery:
    """Which organizations match: every word, one of the causes, inside the box."""

    prefixes: tuple[str, ...] = ()  # each among the organization's ``prefixes``
    terms: tuple[str, ...] = ()  # each among its ``terms`` (words too short for prefixes)
    causes: tuple[str, ...] = ()  # at least one among its ``causes`` (none: any)
    box: Box | None = None  # its headquarters inside (None: anywhere, even without one)
    verified_only: bool = True  # False: every status (moderators); hidden ones never


Position = tuple[datetime, str]  # (created_at, _id) of the last organization already seen


def newest_key(doc: Document) -> tuple[Any, str]:
    """The newest order's key (sort descending)."""
    return doc.get("created_at"), str(doc["_id"])


class SearchStore(Protocol):
    """What search needs of the organizations."""

    async def newest(
        self, query: OrgQuery, *, after: Position | None, limit: int
    ) -> list[Document]:
        """Matching organizations, newest first, strictly after ``after``, at most ``limit``."""
        ...


def _lng_filter(box: Box) -> Document | None:
    if box.min_lng <= -180.0 and box.max_lng >= 180.0:
        return None  # every longitude (a pole is in the box)
    if box.lng_wraps:  # across the antimeridian: east of min or west of max
        return {"$or": [{"hq.lng": {"$gte": box.min_lng}}, {"hq.lng": {"$lte": box.max_lng}}]}
    return {"hq.lng": {"$gte": box.min_lng, "$lte": box.max_lng}}


def box_filter(box: Box) -> list[Document]:
    """The clauses that keep headquarters inside ``box``."""
    clauses: list[Document] = [{"hq.lat": {"$gte": box.min_lat, "$lte": box.max_lat}}]
    lng = _lng_filter(box)
    return clauses + ([lng] if lng else [])


def _word_clauses(query: OrgQuery) -> list[tuple[str, str]]:
    pairs = [("prefixes", p) for p in query.prefixes] + [("terms", t) for t in query.terms]
    return sorted(pairs, key=lambda pair: -len(pair[1]))  # the most telling word first


def org_filter(query: OrgQuery, after: Position | None = None) -> Document:
    """The MongoDB filter of ``query`` (module doc: top-level equalities first)."""
    top: Document = {"hidden": {"$ne": True}}
    if query.verified_only:
        top["status"] = "verified"
    rest: list[Document] = []
    for field, value in _word_clauses(query):
        if field in top:
            rest.append({field: value})
        else:
            top[field] = value
    if len(query.causes) == 1:
        top["causes"] = query.causes[0]
    elif query.causes:
        rest.append({"causes": {"$in": list(query.causes)}})
    if query.box is not None:
        rest.extend(box_filter(query.box))
    if after is not None:
        rest.append(after_filter(NEWEST, list(after)))
    return top | ({"$and": rest} if rest else {})


class MongoSearchStore:
    """``SearchStore`` on MongoDB / FerretDB."""

    def __init__(
        self, db: Database, outbox: Outbox | None = None, claims: Collection | None = None, *,
        fan_out: bool | None = None,
    ) -> None:  # fmt: skip
        self.orgs: Collection = db["orgs"]
        self._pushdown = fan_out  # None: ask the server (``_fans_out``)

    async def newest(
        self, query: OrgQuery, *, after: Position | None, limit: int
    ) -> list[Document]:
        """Matching organizations, newest first, strictly after ``after``, at most ``limit``."""
        if len(query.causes) < 2 or query.prefixes or query.terms or not await self._fans_out():
            return await self._newest(query, after, limit)
        # Several causes and no word: one query per cause, each an equality FerretDB pushes
        # down, reads only the organizations of those causes instead of every verified one.
        parts = [replace(query, causes=(cause,)) for cause in query.causes]
        found = await asyncio.gather(*(self._newest(part, after, limit) for part in parts))
        merged = {doc["_id"]: doc for docs in found for doc in docs}
        return sorted(merged.values(), key=newest_key, reverse=True)[:limit]

    async def _fans_out(self) -> bool:
        """Whether one query per cause pays: where the server serves an equality from an index
        (MongoDB, FerretDB on PostgreSQL), not where every query scans (FerretDB on SQLite, whose
        ``explain`` says ``filterPushdown: false``); asked once."""
        if self._pushdown is None:
            command = {"find": self.orgs.name, "filter": {"status": "verified"}}
            plan = await self.orgs.database.command("explain", command)
            if not plan.get("queryPlanner"):
                return True  # no collection yet, no plan: nothing to scan either
            self._pushdown = plan.get("filterPushdown") is not False
        return self._pushdown

    async def _newest(self, query: OrgQuery, after: Position | None, limit: int) -> list[Document]:
        found = self.orgs.find(org_filter(query, after), PROJECTION).sort(list(NEWEST))
        return await found.limit(limit).to_list(length=limit)

    async def explain(self, query: OrgQuery, *, limit: int) -> Document:
        """The server's plan for ``newest`` (for the benchmark)."""
        command = {"find": self.orgs.name, "filter": org_filter(query), "projection": PROJECTION,
                   "sort": dict(NEWEST), "limit": limit}  # fmt: skip
        return await self.orgs.database.command("explain", command)
