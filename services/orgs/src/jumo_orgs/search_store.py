"""Search's store: the Protocol, its MongoDB implementation over search's index, its indexes.

Search reads only its index (``search_index``: rows of one small shape, one per organization and
key, written by ``search_sync`` right after each write of an organization), never the ``orgs``
collection. A query is an ``OrgQuery``: words every match holds (a prefix of one of its
``terms``, or, shorter than ``text.MIN_PREFIX``, one of them), causes of which it has one, a
latitude/longitude box its headquarters lie in. The store answers the newest matches first
(``created_at`` then ``_id``, both descending), from an optional position on, at most ``limit``
of them, each with its ``FIELDS`` (of its ``terms``, at least all those that begin like one of
the query's words: what the use case needs to say why it matched); relevance and distance are
the use case's (``search.py``), computed on what this returns.

Each query reads the rows of one way in (``access``), chosen to be selective, and checks the
rest of the query on their payloads in code:

- a box no taller than ``CELLS_FIRST_DEGREES`` (a radius up to ~110 km), or a box without
  words: the rows of its grid cells (one equality each);
- else words: the rows of each word's key (its first three letters), their terms joined per
  organization (a row carries only the terms of its key: ``search_index.row_terms``);
- else causes: a month at a time, newest first, the rows of those causes (a family: one key);
- else: a month at a time, newest first, the rows of every organization.

FerretDB 1.24 on PostgreSQL pushes down only top-level equalities and decodes every row they
match (about 0.05 to 0.1 ms a row), never a sort or a limit: so every read there is one equality
(several keys: one query each, at once), and a listing reads a month at a time. Where every
query scans anyway (FerretDB on SQLite: ``explain`` says ``filterPushdown: false``), several keys
are one ``$in`` and a listing one query; MongoDB serves ``$in`` from the index. Figures:
``bench/README.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    Collection,
    Database,
    Document,
    IndexSpec,
)
from jumo_common.mongo.pushdown import FilterMode, Mode
from jumo_common.outbox import Outbox
from jumo_orgs.geo import Box
from jumo_orgs.search_index import (
    FIELDS,
    OTHER,
    PUBLIC,
    ROWS,
    cause_keys,
    cell_keys,
    decode,
    listing_keys,
    month_of,
    word_key,
)
from jumo_orgs.search_sync import MongoSearchIndex

__all__ = ["FIELDS", "INDEXES", "NEWEST", "MongoSearchStore", "OrgQuery", "SearchStore"]

INDEXES = (
    IndexSpec(ROWS, (("k", ASCENDING),)),
    IndexSpec(ROWS, (("o", ASCENDING),)),
)
OUTBOX_COLLECTIONS: tuple[str, ...] = ()  # search publishes nothing
NEWEST = (("created_at", DESCENDING), ("_id", DESCENDING))
CELLS_FIRST_DEGREES = 2.0


@dataclass(frozen=True)
class OrgQuery:
    """Which organizations match: every word, one of the causes, inside the box."""

    prefixes: tuple[str, ...] = ()  # each a prefix of one of the organization's ``terms``
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
        """Matching organizations, newest first, strictly after ``after``, at most ``limit``;
        their ``terms``: at least those that begin like a word of the query."""
        ...

    async def repair(self) -> int:
        """Rewrite what the index holds wrong (an interrupted write); how many organizations."""
        ...


# ---- matching in code ---------------------------------------------------------------------------


def in_box(doc: Document, box: Box) -> bool:
    """Whether the organization's headquarters lie inside ``box``."""
    hq = doc.get("hq") or {}
    lat, lng = hq.get("lat"), hq.get("lng")
    if not (isinstance(lat, int | float) and isinstance(lng, int | float)):
        return False
    if not box.min_lat <= lat <= box.max_lat:
        return False
    if box.lng_wraps:
        return lng >= box.min_lng or lng <= box.max_lng
    return box.min_lng <= lng <= box.max_lng


def matches(doc: Document, query: OrgQuery) -> bool:
    """Whether a decoded payload matches all of ``query``."""
    if query.verified_only and doc.get("status") != "verified":
        return False
    terms = doc.get("terms") or []
    if any(t not in terms for t in query.terms):
        return False
    if any(not any(t.startswith(p) for t in terms) for p in query.prefixes):
        return False
    if query.causes and not set(query.causes) & set(doc.get("causes") or ()):
        return False
    return query.box is None or in_box(doc, query.box)


def newest_page(
    docs: Iterable[Document], query: OrgQuery, after: Position | None, limit: int
) -> list[Document]:
    """The matches among ``docs``, newest first, after ``after``, at most ``limit``."""
    found = sorted((d for d in docs if matches(d, query)), key=newest_key, reverse=True)
    if after is not None:
        found = [d for d in found if newest_key(d) < after]
    return found[:limit]


# ---- the way in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """Read the rows of these keys."""

    keys: tuple[str, ...]


@dataclass(frozen=True)
class Walk:
    """Read a month at a time, newest first, the rows of ``keys_in(month)``."""

    keys_in: Callable[[str], list[str]]


def access(query: OrgQuery) -> Lookup | Walk:
    """The rows a query reads (module doc)."""
    words = sorted([*query.prefixes, *query.terms], key=len, reverse=True)
    box = query.box
    if box is not None and (not words or box.max_lat - box.min_lat <= CELLS_FIRST_DEGREES):
        return Lookup(tuple(cell_keys(box)))
    if words:  # each word's rows carry only its own terms: all of them, longest first
        return Lookup(tuple(dict.fromkeys(word_key(word) for word in words)))
    if query.causes:
        return Walk(partial(cause_keys, query.causes))
    return Walk(listing_keys)


def _visible(query: OrgQuery, keys: Iterable[str]) -> list[str]:
    shown = (PUBLIC,) if query.verified_only else (PUBLIC, OTHER)
    return [f"{vis}:{key}" for vis in shown for key in keys]


class MongoSearchStore:
    """``SearchStore`` on MongoDB / FerretDB."""

    def __init__(
        self, db: Database, outbox: Outbox | None = None, claims: Collection | None = None, *,
        mode: Mode | None = None,
    ) -> None:  # fmt: skip
        self.rows: Collection = db[ROWS]
        self.index = MongoSearchIndex(db)
        self._filter_mode = FilterMode(self.rows, mode)  # mode None: ask the server

    async def newest(
        self, query: OrgQuery, *, after: Position | None, limit: int
    ) -> list[Document]:
        """Matching organizations, newest first, strictly after ``after``, at most ``limit``."""
        way = access(query)
        if isinstance(way, Walk):
            return await self._walk(way, query, after, limit)
        return newest_page(await self._read(_visible(query, way.keys)), query, after, limit)

    async def repair(self) -> int:
        """Rewrite what the index holds wrong; how many organizations (``search_sync``)."""
        return await self.index.repair()

    async def _walk(
        self, way: Walk, query: OrgQuery, after: Position | None, limit: int
    ) -> list[Document]:
        months = await self._months(query, after)
        scan = await self._filter_mode.get() == "scan"  # one query whatever it asks: all at once
        found: list[Document] = []
        start, step = 0, len(months) if scan else 1
        while start < len(months) and len(found) < limit:
            keys = [key for month in months[start : start + step] for key in way.keys_in(month)]
            docs = await self._read(_visible(query, keys))
            found += newest_page(docs, query, after, limit - len(found))
            start, step = start + step, step * 2  # few matches a month: fewer round trips
        return found

    async def _months(self, query: OrgQuery, after: Position | None) -> list[str]:
        """The months that hold organizations, newest first, from ``after``'s on."""
        rows = await self._rows(_visible(query, ["months"]))
        months = sorted({row["m"] for row in rows}, reverse=True)
        return [m for m in months if m <= month_of(after[0])] if after is not None else months

    async def _read(self, keys: list[str]) -> list[Document]:
        """The organizations of the rows of ``keys``, once each, with the terms of all their
        rows read (each word row carries only the terms its key can match). Rows of an older
        version (a sync's, until it deletes them: ``search_sync``) give way to a newer one's."""
        found: dict[str, tuple[Any, Document]] = {}
        for row in await self._rows(keys, {"_id": 0, "p": 1, "v": 1}):
            doc, version = decode(row["p"]), row.get("v", 0)
            if (seen := found.get(doc["_id"])) is not None:
                if seen[0] > version:
                    continue
                if seen[0] == version:
                    doc["terms"] = list(dict.fromkeys([*seen[1]["terms"], *doc["terms"]]))
            found[doc["_id"]] = (version, doc)
        return [doc for _, doc in found.values()]

    async def _rows(self, keys: list[str], projection: Document | None = None) -> list[Document]:
        if len(keys) == 1:
            return await self.rows.find({"k": keys[0]}, projection).to_list()
        if await self._filter_mode.get() != "equalities":
            return await self.rows.find({"k": {"$in": keys}}, projection).to_list()
        found = await asyncio.gather(
            *(self.rows.find({"k": k}, projection).to_list() for k in keys)
        )
        return [row for rows in found for row in rows]

    async def explain(self, query: OrgQuery) -> Document:
        """The server's plan for the first read of ``query`` (for the benchmark)."""
        way = access(query)
        keys = _visible(query, way.keys if isinstance(way, Lookup) else ["months"])
        command = {"find": self.rows.name, "filter": {"k": keys[0]}}
        return await self.rows.database.command("explain", command)
