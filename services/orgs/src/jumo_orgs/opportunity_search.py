"""Finding opportunities by text, cause, skills, distance, dates and the caller's availability,
and saying why each one matched. The same text and distance rules as organizations' search
(``search.py``: folded words, each a prefix of a word; a box the store reads, refined by the
great-circle distance here).

Only open opportunities of verified organizations no moderator hid are found: the index holds
those (``opportunity_search_index``), and a page checks each organization again as it fills (one
read by id per organization), so one hidden since its opportunities were written drops out.

Pagination: every sort is computed here over the candidates the store returns (at most
``MAX_CANDIDATES``; beyond, the page says ``capped``), and the cursor carries the last (value,
_id) returned: relevance (score descending), distance (km), soonest (the next start; ongoing ones
last), newest (publication descending). Scores are integers: each word earns the weight of the
best field it matched (title 8, skills 4, organization 4, city 4), doubled for a whole word.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from jumo_common.jwt import Principal
from jumo_common.mongo import ASCENDING, InvalidCursor, SortSpec, decode_cursor, encode_cursor
from jumo_orgs import catalogue, geo, text
from jumo_orgs.deps import Deps
from jumo_orgs.errors import Invalid, NotAllowed
from jumo_orgs.opportunity_availability import fits, parts_of
from jumo_orgs.opportunity_fields import skill_tag
from jumo_orgs.opportunity_model import WEEKDAYS
from jumo_orgs.opportunity_search_index import cause_key
from jumo_orgs.opportunity_search_store import OppQuery
from jumo_orgs.schemas.opportunity_search import (
    FieldName,
    OpportunityHit,
    OpportunitySearchPage,
    OpportunitySearchQuery,
    SortName,
    Why,
    WordMatch,
)
from jumo_orgs.search import UnknownCause

MAX_CANDIDATES = 1000
MAX_WORDS = 8
MAX_SKILLS = 10
FIELD_WEIGHTS: dict[FieldName, int] = {"title": 8, "skills": 4, "organization": 4, "city": 4}
CURSOR: SortSpec = (("v", ASCENDING), ("_id", ASCENDING))
NEVER = 2**40  # the "next start" of an ongoing opportunity: after every dated one


class InvalidSkill(Invalid):
    """A skill asked for is not a tag (letters, digits and + # . - only)."""

    slug = "invalid-skill"


@dataclass(frozen=True)
class Hit:
    """An opportunity that matched, and why."""

    found: dict[str, Any]
    words: tuple[WordMatch, ...]
    causes: tuple[str, ...]
    skills: tuple[str, ...]
    km: float | None
    fits: tuple[str, ...]
    now: datetime

    @cached_property
    def next_at(self) -> datetime | None:
        """Its next start (computed only for the hits that need it: soonest, or shown)."""
        return next_start(self.found, self.now)

    @property
    def score(self) -> int:
        """The relevance: the points of every word (``WordMatch`` carries them apart)."""
        return sum(_points(w) for w in self.words)


def _points(match: WordMatch) -> int:
    return max(FIELD_WEIGHTS[f] for f in match.fields) * (2 if match.exact else 1)


def _word_in(word: str, words: list[str]) -> tuple[bool, bool]:
    """(matched, whole) as organizations' search decides (``search._word_in``)."""
    if word in words:
        return True, True
    return len(word) >= text.MIN_PREFIX and any(w.startswith(word) for w in words), False


def word_match(word: str, found: dict[str, Any]) -> WordMatch | None:
    """Where ``word`` matched an opportunity; None when nowhere."""
    fields: dict[FieldName, list[str]] = {
        "title": text.words(found["title"]),
        "skills": [w for s in found["skills"] for w in text.words(s.replace("-", " "))],
        "organization": text.words(found["org_name"]), "city": text.words(found["city"] or ""),
    }  # fmt: skip
    hits = {f: _word_in(word, ws) for f, ws in fields.items()}
    matched = {f: whole for f, (hit, whole) in hits.items() if hit}
    if not matched:
        return None
    return WordMatch(word=word, fields=list(matched), exact=any(matched.values()))


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def next_start(found: dict[str, Any], now: datetime) -> datetime | None:
    """Its next start at or after ``now`` (a slot under way: its start); None: ongoing, or
    nothing left."""
    if found["commitment"] == "ongoing":
        return None
    if found["commitment"] == "recurring" and found.get("pattern"):
        return _next_session(found["pattern"], ZoneInfo(found["time_zone"]), now)
    ahead = [s for s, e in ((_at(a), _at(b)) for a, b in found["slots"]) if e and e > now and s]
    return min(ahead, default=None)


def _next_session(pattern: dict[str, Any], zone: ZoneInfo, now: datetime) -> datetime | None:
    first, last = date.fromisoformat(pattern["starts_on"]), date.fromisoformat(pattern["ends_on"])
    day, start = max(first, now.astimezone(zone).date()), time.fromisoformat(pattern["start_time"])
    for _ in range(8):
        at = datetime.combine(day, start, zone)
        if day > last:
            return None
        if WEEKDAYS[day.weekday()] in pattern["days"] and at >= now:
            return at.astimezone(UTC)
        day += timedelta(days=1)
    return None


def happens_between(found: dict[str, Any], start: datetime | None, end: datetime | None) -> bool:
    """Whether it takes place (a slot, the recurring run) in [start, end]; ongoing: always."""
    if found["commitment"] == "ongoing" or (start is None and end is None):
        return True
    spans = [(_at(a), _at(b)) for a, b in found["slots"]]
    return any(
        s is not None and e is not None and (end is None or s <= end)
        and (start is None or e >= start)
        for s, e in spans
    )  # fmt: skip


@dataclass(frozen=True)
class Criteria:
    """A search as the rules see it."""

    words: tuple[str, ...]
    causes: frozenset[str]
    skills: frozenset[str]
    point: tuple[float, float] | None
    radius_km: float
    start: datetime | None
    end: datetime | None
    parts: tuple[str, ...] | None  # available=me: the caller's parts ([]: none stated)
    store: OppQuery


def _skills(raw: str | None) -> tuple[str, ...]:
    tags = [skill_tag(s) for s in (raw or "").split(",") if s.strip()]
    return tuple(dict.fromkeys(tags))[:MAX_SKILLS]


def _month(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m") if moment else None


def criteria(query: OpportunitySearchQuery, parts: tuple[str, ...] | None) -> Criteria:
    """The rules' view of a query; UnknownCause for a cause not in the catalogue."""
    if query.cause is not None and catalogue.cause(query.cause) is None:
        raise UnknownCause(f"No cause {query.cause!r} in the catalogue (GET /causes).")
    try:
        skills = _skills(query.skills)
    except ValueError as exc:
        raise InvalidSkill(f"skills: {exc}") from None
    words = tuple(text.words(query.q or ""))[:MAX_WORDS]
    causes = tuple(catalogue.with_children(query.cause)) if query.cause else ()
    point, radius = query.point, query.radius
    box = geo.box_around(point[0], point[1], radius) if point else None
    store = OppQuery(
        prefixes=tuple(w for w in words if len(w) >= text.MIN_PREFIX),
        terms=tuple(w for w in words if len(w) < text.MIN_PREFIX), causes=causes,
        cause_key=cause_key(query.cause) if query.cause else None, skills=skills, box=box,
        remote=query.remote, listing="newest" if query.chosen_sort == "newest" else "soonest",
        since=_month(query.from_), until=_month(query.to),
    )  # fmt: skip
    return Criteria(words, frozenset(causes), frozenset(skills), point, radius, query.from_,
                    query.to, parts, store)  # fmt: skip


def hit_of(found: dict[str, Any], wanted: Criteria, now: datetime) -> Hit | None:
    """A payload as a hit of ``wanted``, or None when the checks in code turn it down."""
    km = None
    if wanted.point is not None:
        km = geo.distance_km(*wanted.point, found["lat"], found["lng"])
        if km > wanted.radius_km:
            return None
    words = [word_match(w, found) for w in wanted.words]
    if any(w is None for w in words) or not happens_between(found, wanted.start, wanted.end):
        return None
    fit: list[str] = []
    if wanted.parts:
        fit = fits(parts_of(found), wanted.parts)
        if not fit:
            return None
    return Hit(
        found, tuple(w for w in words if w is not None),
        tuple(c for c in found["causes"] if c in wanted.causes),
        tuple(s for s in found["skills"] if s in wanted.skills), km, tuple(fit), now,
    )  # fmt: skip


RankKey = tuple[Any, str]
RANKS: dict[SortName, Callable[[Hit], Any]] = {
    "relevance": lambda h: -h.score,
    "distance": lambda h: h.km if h.km is not None else float(NEVER),
    "soonest": lambda h: int(h.next_at.timestamp()) if h.next_at else NEVER,
    "newest": lambda h: -int(_at(h.found["published_at"]).timestamp())  # type: ignore[union-attr]
    if h.found.get("published_at") else 0,
}  # fmt: skip


def ordered(hits: list[Hit], sort: SortName, cursor: str | None) -> list[Hit]:
    """``hits`` in ``sort`` order, after the cursor's (value, _id)."""
    rank = RANKS[sort]
    ranked = sorted(hits, key=lambda h: (rank(h), h.found["_id"]))
    if cursor is None:
        return ranked
    after = _after(cursor)
    return [h for h in ranked if (rank(h), h.found["_id"]) > after]


def cursor_of(hit: Hit, sort: SortName) -> str:
    """The cursor that goes on after ``hit``."""
    return encode_cursor(CURSOR, {"v": RANKS[sort](hit), "_id": hit.found["_id"]})


def _after(cursor: str) -> RankKey:
    value, last_id = decode_cursor(CURSOR, cursor)
    if isinstance(value, int | float) and not isinstance(value, bool) and isinstance(last_id, str):
        return value, last_id
    raise InvalidCursor("The cursor is not valid here.")


def view(hit: Hit) -> OpportunityHit:
    """The answer for one hit."""
    f = hit.found
    km = round(hit.km, 1) if hit.km is not None else None
    return OpportunityHit(
        id=f["_id"], title=f["title"], org_id=f["org_id"], org_name=f["org_name"],
        org_slug=f["org_slug"], causes=f["causes"], skills=f["skills"], city=f["city"],
        country=f["country"], remote=f["remote"], commitment=f["commitment"],
        time_zone=f["time_zone"], next_at=hit.next_at, places=f["places"],
        published_at=_at(f["published_at"]), url_path=f"/opportunities/{f['_id']}",
        score=hit.score, why=Why(words=list(hit.words), causes=list(hit.causes),
                                 skills=list(hit.skills), distance_km=km, fits=list(hit.fits)),
    )  # fmt: skip


class OpportunitySearch:
    """Finding opportunities."""

    def __init__(self, deps: Deps, *, max_candidates: int = MAX_CANDIDATES) -> None:
        self._deps = deps
        self._store = deps.stores.opportunities
        self._cap = max_candidates

    async def search(
        self, query: OpportunitySearchQuery, caller: Principal | None, now: datetime
    ) -> OpportunitySearchPage:
        """One page of open opportunities matching ``query``, each with why it matched."""
        wanted = criteria(query, await self._parts(query, caller))
        sort = query.chosen_sort
        if query.cursor is not None:
            _after(query.cursor)  # a bad cursor is refused before the store is asked
        if query.q and query.q.strip() and not wanted.words:  # only stop words: no match
            return OpportunitySearchPage(items=[], sort=sort)
        found = await self._store.candidates(wanted.store, limit=self._cap + 1, now=now)
        hits = [h for f in found[: self._cap] if (h := hit_of(f, wanted, now)) is not None]
        page, cursor = await self._visible_page(hits, sort, query.limit, query.cursor)
        return OpportunitySearchPage(
            items=[view(h) for h in page], next_cursor=cursor, sort=sort,
            capped=len(found) > self._cap,
        )  # fmt: skip

    async def _parts(
        self, query: OpportunitySearchQuery, caller: Principal | None
    ) -> tuple[str, ...] | None:
        if query.available is None:
            return None
        if caller is None:
            raise NotAllowed("available=me needs you signed in.")
        profile = await self._deps.people.profile(caller.user_id) or {}
        return tuple((profile.get("availability") or {}).get("parts") or ())

    async def _visible_page(
        self, hits: list[Hit], sort: SortName, limit: int, cursor: str | None
    ) -> tuple[list[Hit], str | None]:
        """A page of hits whose organization is still visible (each read once, a page's worth
        at a time, at once)."""
        visible: dict[str, bool] = {}
        ranked, page = ordered(hits, sort, cursor), list[Hit]()
        for start in range(0, len(ranked), limit):
            batch = ranked[start : start + limit]
            await self._read_visibility({h.found["org_id"] for h in batch} - set(visible), visible)
            for position, hit in enumerate(batch, start):
                if visible[hit.found["org_id"]]:
                    page.append(hit)
                if len(page) == limit:
                    more = position + 1 < len(ranked)
                    return page, cursor_of(hit, sort) if more else None
        return page, None

    async def _read_visibility(self, org_ids: set[str], visible: dict[str, bool]) -> None:
        orgs = self._deps.stores.orgs
        found = await asyncio.gather(*(orgs.org(org_id) for org_id in org_ids))
        for org_id, org in zip(org_ids, found, strict=True):
            visible[org_id] = bool(
                org and org.get("status") == "verified" and not org.get("hidden")
            )
