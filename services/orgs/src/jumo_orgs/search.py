"""Finding organizations by text, cause and distance, and saying why each one matched.

A search asks the store (``search_store``, over search's own index of the organizations:
``search_index``) for the organizations matching every query word (a prefix of one of their
words), one of the causes (the one asked or its children) and the box around ``near``; then, in
code, it keeps those truly within the radius (great-circle distance), checks words longer than
``text.MAX_PREFIX``, finds which fields each word matched, and scores them.

Pagination, sort by sort:

- ``newest`` (``created_at`` then ``_id``, both descending): the store sorts, so pages go
  through the store from the cursor's position on; one page scans at most ``max_candidates``
  (``MAX_CANDIDATES``) matches (a page cut short by that still has a cursor, and says ``capped``).
- ``relevance`` (score descending, then ``_id``) and ``distance`` (km, then ``_id``): computed
  here, so every page ranks the same candidates, the newest ``MAX_CANDIDATES`` matches, and
  the cursor carries the last (score, _id) or (km, _id) returned. Beyond that many matches the
  page says ``capped``: narrow the query to reach the others.

Scores are integers (no float drift between pages): each word earns the weight of the best
field it matched (name 8, mission 4, city 4, description 2), doubled for a whole word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jumo_common.jwt import Principal
from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    Document,
    InvalidCursor,
    SortSpec,
    decode_cursor,
    encode_cursor,
)
from jumo_orgs import catalogue, geo, text
from jumo_orgs.deps import Deps
from jumo_orgs.errors import Invalid, NotAllowed
from jumo_orgs.schemas.search import FieldName, OrgHit, OrgSearchQuery, SearchPage, SortName, Why
from jumo_orgs.schemas.search import WordMatch as WordMatchOut
from jumo_orgs.search_store import NEWEST, OrgQuery, Position

MAX_CANDIDATES = 1000
MAX_WORDS = 8
FIELD_WEIGHTS: dict[FieldName, int] = {"name": 8, "mission": 4, "city": 4, "description": 2}
VISIBLE_FIELDS: tuple[FieldName, ...] = ("name", "mission", "city")
RELEVANCE: SortSpec = (("score", DESCENDING), ("_id", ASCENDING))
DISTANCE: SortSpec = (("km", ASCENDING), ("_id", ASCENDING))


class UnknownCause(Invalid):
    """The cause asked for is not in the catalogue."""

    slug = "unknown-cause"


@dataclass(frozen=True)
class Criteria:
    """A search as the rules see it: folded words, wanted causes, the circle, who may see what."""

    words: tuple[str, ...]
    causes: frozenset[str]
    point: tuple[float, float] | None
    radius_km: float
    store: OrgQuery


@dataclass(frozen=True)
class WordMatch:
    """Where one query word matched an organization."""

    word: str
    fields: tuple[FieldName, ...]
    exact: bool
    points: int


@dataclass(frozen=True)
class Hit:
    """An organization that matched, and why."""

    doc: Document
    words: tuple[WordMatch, ...]
    causes: tuple[str, ...]
    km: float | None

    @property
    def score(self) -> int:
        """The relevance: the points of every word."""
        return sum(w.points for w in self.words)


def criteria(query: OrgSearchQuery, *, moderator: bool) -> Criteria:
    """The rules' view of a query; UnknownCause, NotAllowed for ``verified=false`` from others."""
    if not query.verified and not moderator:
        raise NotAllowed("Only moderators search organizations that are not verified.")
    if query.cause is not None and catalogue.cause(query.cause) is None:
        raise UnknownCause(f"No cause {query.cause!r} in the catalogue (GET /causes).")
    words = tuple(text.words(query.q or ""))[:MAX_WORDS]
    causes = tuple(catalogue.with_children(query.cause)) if query.cause else ()
    point, radius = query.point, query.radius
    box = geo.box_around(point[0], point[1], radius) if point else None
    prefixes = tuple(
        dict.fromkeys(w[: text.MAX_PREFIX] for w in words if len(w) >= text.MIN_PREFIX)
    )
    terms = tuple(w for w in words if len(w) < text.MIN_PREFIX)
    store = OrgQuery(prefixes, terms, causes, box, verified_only=query.verified)
    return Criteria(words, frozenset(causes), point, radius, store)


def _word_in(word: str, words: Sequence[str]) -> tuple[bool, bool]:
    """(matched, whole): ``word`` is one of ``words``, or the beginning of one (3+ letters)."""
    if word in words:
        return True, True
    return len(word) >= text.MIN_PREFIX and any(w.startswith(word) for w in words), False


def field_words(doc: Document) -> dict[FieldName, list[str]]:
    """The folded words of the fields search can show (the description is not read)."""
    hq = doc.get("hq") or {}
    values = {"name": doc.get("name"), "mission": doc.get("mission"), "city": hq.get("city")}
    return {f: text.words(values[f] or "") for f in VISIBLE_FIELDS}


def word_match(
    word: str, fields: dict[FieldName, list[str]], terms: Sequence[str]
) -> WordMatch | None:
    """Where ``word`` matched; None when it is in none of the organization's words (a word
    longer than the stored prefixes that only shares their beginning)."""
    found = {f: _word_in(word, words) for f, words in fields.items()}
    matched = {f: whole for f, (hit, whole) in found.items() if hit}
    if not matched:
        in_terms, whole = _word_in(word, terms)
        if not in_terms:
            return None
        matched = {"description": whole}  # in the organization's words, in no field shown
    points = max(FIELD_WEIGHTS[f] * (2 if whole else 1) for f, whole in matched.items())
    return WordMatch(word, tuple(matched), any(matched.values()), points)


def hit_of(doc: Document, wanted: Criteria) -> Hit | None:
    """``doc`` as a hit of ``wanted``, or None when the checks in code turn it down."""
    km = None
    if wanted.point is not None:
        hq = doc.get("hq") or {}
        km = geo.distance_km(wanted.point[0], wanted.point[1], hq["lat"], hq["lng"])
        if km > wanted.radius_km:
            return None  # inside the box, outside the circle
    fields, terms = field_words(doc), doc.get("terms") or []
    words = [word_match(w, fields, terms) for w in wanted.words]
    if any(w is None for w in words):
        return None
    causes = tuple(c for c in doc.get("causes") or () if c in wanted.causes)
    return Hit(doc, tuple(w for w in words if w is not None), causes, km)


def view(hit: Hit) -> OrgHit:
    """The answer for one hit."""
    doc, hq = hit.doc, hit.doc.get("hq") or {}
    km = round(hit.km, 1) if hit.km is not None else None
    words = [WordMatchOut(word=w.word, fields=list(w.fields), exact=w.exact) for w in hit.words]
    return OrgHit(
        id=doc["_id"], slug=doc["slug"], name=doc["name"], mission=doc.get("mission"),
        city=hq.get("city"), country=hq.get("country"), causes=list(doc.get("causes") or ()),
        verified=doc.get("status") == "verified", created_at=doc.get("created_at"),
        score=hit.score, why=Why(words=words, causes=list(hit.causes), distance_km=km),
    )  # fmt: skip


# ---- ranking ------------------------------------------------------------------------------------

RankKey = tuple[Any, str]


def relevance_key(hit: Hit) -> RankKey:
    """Best score first, then by id."""
    return -hit.score, hit.doc["_id"]


def distance_key(hit: Hit) -> RankKey:
    """Nearest first, then by id."""
    return hit.km, hit.doc["_id"]


RANKINGS: dict[SortName, tuple[SortSpec, Callable[[Hit], RankKey]]] = {
    "relevance": (RELEVANCE, relevance_key),
    "distance": (DISTANCE, distance_key),
}


def _cursor_key(sort: SortName, cursor: str) -> RankKey:
    spec = RANKINGS[sort][0]
    value, last_id = decode_cursor(spec, cursor)
    if sort == "relevance" and type(value) is int and isinstance(last_id, str):
        return -value, last_id
    if sort == "distance" and isinstance(value, float | int) and isinstance(last_id, str):
        return float(value), last_id
    raise InvalidCursor("The cursor is not valid here.")


def _encode(sort: SortName, hit: Hit) -> str:
    value: float | int = hit.score if sort == "relevance" else hit.km or 0.0
    name = RANKINGS[sort][0][0][0]
    return encode_cursor(RANKINGS[sort][0], {name: value, "_id": hit.doc["_id"]})


def rank_page(
    hits: list[Hit], sort: SortName, *, limit: int, cursor: str | None
) -> tuple[list[Hit], str | None]:
    """One page of ``hits`` in ``sort`` order, after the cursor's (value, _id)."""
    key = RANKINGS[sort][1]
    ranked = sorted(hits, key=key)
    if cursor is not None:
        after = _cursor_key(sort, cursor)
        ranked = [h for h in ranked if key(h) > after]
    if len(ranked) <= limit:
        return ranked, None
    return ranked[:limit], _encode(sort, ranked[limit - 1])


def _position(cursor: str | None) -> Position | None:
    if cursor is None:
        return None
    created_at, last_id = decode_cursor(NEWEST, cursor)
    if not (isinstance(created_at, datetime) and isinstance(last_id, str)):
        raise InvalidCursor("The cursor is not valid here.")
    return created_at, last_id


class Search:
    """Finding organizations by text, cause and distance."""

    def __init__(self, deps: Deps, *, max_candidates: int = MAX_CANDIDATES) -> None:
        self._deps = deps
        self._store = deps.stores.search
        self._cap = max_candidates

    async def search(self, query: OrgSearchQuery, caller: Principal | None) -> SearchPage:
        """One page of organizations matching ``query``, each with why it matched."""
        wanted = criteria(query, moderator=self._deps.access.is_moderator(caller))
        sort = query.chosen_sort
        if query.q and query.q.strip() and not wanted.words:  # only stop words: no match
            return SearchPage(items=[], sort=sort)
        if sort == "newest":
            hits, next_cursor, capped = await self._newest(wanted, query.limit, query.cursor)
        else:
            hits, next_cursor, capped = await self._ranked(wanted, sort, query.limit, query.cursor)
        return SearchPage(
            items=[view(h) for h in hits], next_cursor=next_cursor, sort=sort, capped=capped
        )

    async def _ranked(
        self, wanted: Criteria, sort: SortName, limit: int, cursor: str | None
    ) -> tuple[list[Hit], str | None, bool]:
        """Rank the newest ``MAX_CANDIDATES`` matches, then page through them."""
        if cursor is not None:
            _cursor_key(sort, cursor)  # a bad cursor is refused before the store is asked
        docs = await self._store.newest(wanted.store, after=None, limit=self._cap + 1)
        hits = [h for d in docs[: self._cap] if (h := hit_of(d, wanted)) is not None]
        page, next_cursor = rank_page(hits, sort, limit=limit, cursor=cursor)
        return page, next_cursor, len(docs) > self._cap

    async def _newest(
        self, wanted: Criteria, limit: int, cursor: str | None
    ) -> tuple[list[Hit], str | None, bool]:
        """Page through the store, newest first, scanning at most ``max_candidates``."""
        position, scanned, exhausted = _position(cursor), 0, False
        hits: list[Hit] = []
        while len(hits) <= limit and scanned < self._cap and not exhausted:
            batch = min(max(limit + 1, scanned), self._cap - scanned)  # each batch doubles the scan
            docs = await self._store.newest(wanted.store, after=position, limit=batch)
            exhausted, scanned = len(docs) < batch, scanned + len(docs)
            for doc in docs:
                position = doc["created_at"], doc["_id"]
                if (hit := hit_of(doc, wanted)) is not None:
                    hits.append(hit)
        if len(hits) > limit:
            return hits[:limit], encode_cursor(NEWEST, hits[limit - 1].doc), False
        if exhausted or position is None:
            return hits, None, False
        # The scan budget ran out: the cursor goes on from the last organization scanned.
        return hits, encode_cursor(NEWEST, {"created_at": position[0], "_id": position[1]}), True

    async def repair(self) -> int:
        """Rewrite what search's index holds wrong (an organization write whose rows were
        interrupted, a change of the index's format); how many organizations."""
        return await self._store.repair()

    async def forget(self, user_id: str) -> None:
        """Search holds nothing of anyone (its index holds organizations' pages only)."""
