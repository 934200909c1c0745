"""Matching that explains itself: opportunities recommended to a person, and the findable
volunteers an organization may invite to an opportunity, ranked by the same terms
(``match_terms``), each result with the sentences that say why.

Neither side scans: recommendations read the candidates through opportunity search's index
(``opportunity_search_store``: the cells of the person's reach, then remote ones by their
skills and the causes they joined, a few hundred each), candidates through matching's own
index of findable people (``candidate_store``: an on-site opportunity's point cells, a remote
one's skills and causes); both score those in code.

Responsiveness (the organization's median time to answer, from the applications) is read for
the best ``RESPONSIVE_WINDOW`` (50) recommendations only, and cached a while per organization:
those ranked lower cannot pass them by it (they only gain), so pages stay consistent.

Pagination: the cursor carries the last (negated score, id) returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from jumo_common.jwt import Principal
from jumo_common.mongo import (
    ASCENDING,
    Document,
    InvalidCursor,
    SortSpec,
    decode_cursor,
    encode_cursor,
)
from jumo_orgs import catalogue, geo
from jumo_orgs.candidate_index import opportunity_keys
from jumo_orgs.deps import Deps
from jumo_orgs.errors import NotFoundError
from jumo_orgs.match_terms import Match, Seeker, Term, match, seeker_of, with_responsiveness
from jumo_orgs.opportunity_search_index import cause_key, payload
from jumo_orgs.opportunity_search_store import OppQuery
from jumo_orgs.people import Person
from jumo_orgs.schemas.matching import (
    Candidate,
    CandidatesPage,
    CandidatesQuery,
    RecommendedOpportunity,
    RecommendedPage,
    RecommendedQuery,
    TermOut,
)

PER_SOURCE = 300  # candidates read through each way in
MAX_SKILLS, MAX_CAUSES = 10, 5
RESPONSIVE_WINDOW = 50
RESPONSIVE_TTL = timedelta(minutes=10)
INVITERS = "admin"  # the lowest role that lists candidates and invites them
CURSOR: SortSpec = (("v", ASCENDING), ("_id", ASCENDING))
SEPARATOR = " · "


class OpportunityNotFound(NotFoundError):
    """No such opportunity."""

    slug = "opportunity-not-found"


class AnswerTimes(Protocol):
    """The organization's median time to answer (``OrgStats.median_answer_hours``)."""

    async def median_answer_hours(self, org_id: str, now: datetime) -> float | None:
        """In hours; None when nothing was answered."""
        ...


@dataclass(frozen=True)
class Ranked:
    """A scored result: its id, what it is (an opportunity's or a person's payload), how it
    matched."""

    id: str
    found: dict[str, Any]
    match: Match

    @property
    def key(self) -> tuple[float, str]:
        """Best first, then by id."""
        return (-self.match.score, self.id)


def terms_out(terms: Iterable[Term]) -> list[TermOut]:
    """The answer's terms."""
    return [TermOut(name=t.name, weight=t.weight, value=t.value, points=t.points,
                    sentence=t.sentence) for t in terms]  # fmt: skip


def why(terms: Iterable[Term]) -> str:
    """The sentences as a person reads them, best first."""
    return SEPARATOR.join(t.sentence for t in sorted(terms, key=lambda t: -t.points))


def ordered_after(ranked: list[Ranked], cursor: str | None) -> list[Ranked]:
    """Best first, after the cursor's."""
    ordered = sorted(ranked, key=lambda r: r.key)
    if cursor is None:
        return ordered
    after = after_key(cursor)
    return [r for r in ordered if r.key > after]


def cursor_of(last: Ranked) -> str:
    """The cursor that goes on after ``last``."""
    return encode_cursor(CURSOR, {"v": last.key[0], "_id": last.id})


def page_of(
    ranked: list[Ranked], limit: int, cursor: str | None
) -> tuple[list[Ranked], str | None]:
    """A page after the cursor, and the cursor after it (None: the last page)."""
    ordered = ordered_after(ranked, cursor)
    page = ordered[:limit]
    return page, cursor_of(page[-1]) if len(ordered) > limit else None


def after_key(cursor: str) -> tuple[float, str]:
    """The (negated score, id) a cursor goes on after; InvalidCursor when it is not one."""
    value, last_id = decode_cursor(CURSOR, cursor)
    if isinstance(value, int | float) and not isinstance(value, bool) and isinstance(last_id, str):
        return float(value), last_id
    raise InvalidCursor("The cursor is not valid here.")


def sources(seeker: Seeker) -> list[OppQuery]:
    """The ways into opportunity search's index for a person (none known: the listing). With
    a point, the cells of their reach hold every on-site one they would go to, so skills and
    causes read remote ones only (their own keys); without, any."""
    remote = True if seeker.point is not None else None
    queries = []
    if seeker.point is not None:
        queries.append(OppQuery(box=geo.box_around(*seeker.point, seeker.radius_km)))
    if seeker.skills:
        queries.append(OppQuery(skills=tuple(sorted(seeker.skills))[:MAX_SKILLS], remote=remote))
    for cause in sorted(seeker.causes)[:MAX_CAUSES]:
        queries.append(OppQuery(causes=tuple(catalogue.with_children(cause)),
                                cause_key=cause_key(cause), remote=remote))  # fmt: skip
    return queries or [OppQuery()]


class Matching:
    """The use cases of matching."""

    def __init__(self, deps: Deps, answer_times: AnswerTimes) -> None:
        self._deps = deps
        self._answer_times = answer_times
        self._answered: dict[str, tuple[datetime, float | None]] = {}

    # ---- the volunteer's side -----------------------------------------------------------------

    async def recommended(
        self, caller: Principal, query: RecommendedQuery, now: datetime
    ) -> RecommendedPage:
        """Open opportunities for the caller, best first, each with its terms."""
        if query.cursor is not None:
            after_key(query.cursor)  # a bad cursor is refused before anything is read
        seeker = await self._seeker(caller.user_id)
        offers = await self._offers(seeker, now)
        ranked = [Ranked(o["_id"], o, m) for o in offers if (m := match(seeker, o, now))]
        ranked = await self._responsive(ranked, now)
        page, cursor = page_of(ranked, query.limit, query.cursor)
        return RecommendedPage(items=[_recommended(r) for r in page], next_cursor=cursor)

    async def _seeker(self, user_id: str) -> Seeker:
        profile = await self._deps.people.profile(user_id) or {"_id": user_id}
        stores = self._deps.stores
        joined, follows = await asyncio.gather(
            stores.causes.memberships_of(user_id), stores.follows.every_follow_of(user_id)
        )
        return seeker_of(profile, causes=[d["cause"] for d in joined],
                         follows=[d["org_id"] for d in follows if d.get("active")])  # fmt: skip

    async def _offers(self, seeker: Seeker, now: datetime) -> list[dict[str, Any]]:
        store = self._deps.stores.opportunities
        read = await asyncio.gather(
            *(store.candidates(q, limit=PER_SOURCE, now=now) for q in sources(seeker))
        )
        return list({o["_id"]: o for found in read for o in found}.values())

    async def _responsive(self, ranked: list[Ranked], now: datetime) -> list[Ranked]:
        best = sorted(ranked, key=lambda r: r.key)
        window = best[:RESPONSIVE_WINDOW]
        hours = await self._median_hours({r.found["org_id"] for r in window}, now)
        refined = [Ranked(r.id, r.found, with_responsiveness(r.match, hours[r.found["org_id"]]))
                   for r in window]  # fmt: skip
        return refined + best[RESPONSIVE_WINDOW:]

    async def _median_hours(self, org_ids: set[str], now: datetime) -> dict[str, float | None]:
        stale = [o for o in org_ids if o not in self._answered
                 or now - self._answered[o][0] > RESPONSIVE_TTL]  # fmt: skip
        read = await asyncio.gather(
            *(self._answer_times.median_answer_hours(o, now) for o in stale)
        )
        self._answered |= {o: (now, h) for o, h in zip(stale, read, strict=True)}
        return {o: self._answered[o][1] for o in org_ids}

    # ---- the organization's side --------------------------------------------------------------

    async def candidates(
        self, opportunity_id: str, caller: Principal, query: CandidatesQuery
    ) -> CandidatesPage:
        """Findable volunteers for an opportunity (its organization's admins), best first."""
        if query.cursor is not None:
            after_key(query.cursor)
        doc, org = await self.opportunity_of_inviter(opportunity_id, caller)
        offer = payload(doc, org)
        found = await self._deps.stores.candidates.candidates(opportunity_keys(offer))
        ranked = [Ranked(p["_id"], p, m) for p in found
                  if (m := match(seeker_of(p), offer)) is not None]  # fmt: skip
        page, cursor = await self._outsiders_page(doc["org_id"], ranked, query)
        invited = {d["volunteer_id"] for d in
                   await self._deps.stores.invitations.of_opportunity(opportunity_id)}  # fmt: skip
        items = [await self._candidate(r, caller, r.id in invited) for r in page]
        return CandidatesPage(items=items, next_cursor=cursor)

    async def opportunity_of_inviter(
        self, opportunity_id: str, caller: Principal
    ) -> tuple[Document, Document]:
        """The opportunity and its organization, when the caller is one of its admins."""
        doc = await self._deps.stores.opportunities.opportunity(opportunity_id)
        if doc is None:
            raise OpportunityNotFound("No such opportunity.")
        org = await self._deps.access.org(doc["org_id"], caller)
        await self._deps.access.require(org["_id"], caller, INVITERS)
        return doc, org

    async def _outsiders_page(
        self, org_id: str, ranked: list[Ranked], query: CandidatesQuery
    ) -> tuple[list[Ranked], str | None]:
        """A page of those who are not the organization's own people (their roles read a
        page's worth at a time, not for every candidate)."""
        ordered, page, limit = ordered_after(ranked, query.cursor), list[Ranked](), query.limit
        for start in range(0, len(ordered), limit):
            batch = ordered[start : start + limit]
            ours = await self._org_people(org_id, [r.id for r in batch])
            for position, candidate in enumerate(batch, start):
                if candidate.id not in ours:
                    page.append(candidate)
                if len(page) == limit:
                    return page, cursor_of(candidate) if position + 1 < len(ordered) else None
        return page, None

    async def _org_people(self, org_id: str, user_ids: Sequence[str]) -> set[str]:
        """Those among ``user_ids`` with a role in the organization (they do not apply)."""
        roles = await asyncio.gather(*(self._deps.access.role(org_id, u) for u in user_ids))
        return {u for u, role in zip(user_ids, roles, strict=True) if role is not None}

    async def _candidate(self, ranked: Ranked, caller: Principal, invited: bool) -> Candidate:
        p = ranked.found
        person = Person(p["_id"], p["display_name"], p.get("avatar_url"), p["visibility"])
        score = ranked.match.score
        if not await self._deps.people.may_see(caller.user_id, person):
            return Candidate(id=person.id, display_name=person.display_name,
                             avatar_url=person.avatar_url, limited=True, score=score,
                             invited=invited)  # fmt: skip
        terms = ranked.match.terms
        return Candidate(
            id=person.id, display_name=person.display_name, avatar_url=person.avatar_url,
            city=(p.get("place") or {}).get("city"), skills=p["skills"], score=score,
            terms=terms_out(terms), why=why(terms), invited=invited,
        )  # fmt: skip


def _recommended(ranked: Ranked) -> RecommendedOpportunity:
    f, terms = ranked.found, ranked.match.terms
    return RecommendedOpportunity(
        id=f["_id"], title=f["title"], org_id=f["org_id"], org_name=f["org_name"],
        causes=f["causes"], skills=f["skills"], city=f["city"], remote=f["remote"],
        commitment=f["commitment"], url_path=f"/opportunities/{f['_id']}",
        score=ranked.match.score, terms=terms_out(terms), why=why(terms),
    )  # fmt: skip
