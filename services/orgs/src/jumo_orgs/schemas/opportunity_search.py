"""HTTP models of opportunity search: ``GET /opportunities`` (its query and its page)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from jumo_common.events.opportunities import CommitmentKind
from jumo_common.web import PageQuery
from jumo_orgs.schemas.search import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    NEAR_PATTERN,
    check_near,
    near_point,
)

SortName = Literal["relevance", "distance", "soonest", "newest"]
FieldName = Literal["title", "skills", "organization", "city"]


class OpportunitySearchQuery(PageQuery):
    """``GET /opportunities``: every filter optional. ``q``: words (accents and case ignored,
    each a prefix of a word of the title, the skills, the organization's name or the city);
    ``cause``: a slug, its children match too; ``skills``: comma-separated tags, any of them;
    ``near=lat,lng`` with ``radius_km`` (default 25, at most 500); ``remote``: true for remote
    ones only, false for on-site ones only; ``from``/``to``: it happens in that period (an
    ongoing one always does); ``available=me``: it fits the caller's availability (signed in);
    ``sort`` defaults to relevance with ``q``, else distance with ``near``, else soonest."""

    q: str | None = Field(default=None, max_length=200)
    cause: str | None = Field(default=None, max_length=60, pattern=r"^[a-z0-9-]+$")
    skills: str | None = Field(default=None, max_length=400)
    near: str | None = Field(default=None, max_length=40, pattern=NEAR_PATTERN)
    radius_km: float | None = Field(default=None, gt=0, le=MAX_RADIUS_KM)
    remote: bool | None = None
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    available: Literal["me"] | None = None
    sort: SortName | None = None

    @model_validator(mode="after")
    def _coherent(self) -> OpportunitySearchQuery:
        check_near(self.point, self.radius_km, self.sort)
        for moment in (self.from_, self.to):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("from and to carry a time zone offset (or Z)")
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("from is before to")
        return self

    @property
    def point(self) -> tuple[float, float] | None:
        """``near`` as (latitude, longitude)."""
        return near_point(self.near)

    @property
    def radius(self) -> float:
        """The radius in km (the default when not given)."""
        return self.radius_km if self.radius_km is not None else DEFAULT_RADIUS_KM

    @property
    def chosen_sort(self) -> SortName:
        """The sort asked for, or the default for this query."""
        if self.sort is not None:
            return self.sort
        if self.q and self.q.strip():
            return "relevance"
        return "distance" if self.near is not None else "soonest"


class WordMatch(BaseModel):
    """One query word and where it matched (``exact``: a whole word there)."""

    word: str
    fields: list[FieldName]
    exact: bool


class Why(BaseModel):
    """Why an opportunity is in the results."""

    words: list[WordMatch] = Field(default_factory=list)
    causes: list[str] = Field(default_factory=list)  # its causes that match
    skills: list[str] = Field(default_factory=list)  # its skills that match
    distance_km: float | None = None  # from ``near``, rounded to 0.1 km
    fits: list[str] = Field(default_factory=list)  # with available=me: the caller's parts


class OpportunityHit(BaseModel):
    """One opportunity found, and why."""

    id: str
    title: str
    org_id: str
    org_name: str
    org_slug: str
    causes: list[str]
    skills: list[str]
    city: str | None = None
    country: str | None = None
    remote: bool
    commitment: CommitmentKind
    time_zone: str
    next_at: datetime | None = None  # its next start (None: ongoing)
    places: int
    published_at: datetime | None = None
    url_path: str
    score: int  # relevance: higher is better (0 without q)
    why: Why


class OpportunitySearchPage(BaseModel):
    """One page; pass ``next_cursor`` back as ``cursor`` (same query) for the next.
    ``capped``: more opportunities matched than one search ranks (1,000): narrow it."""

    items: list[OpportunityHit]
    next_cursor: str | None = None
    sort: SortName
    capped: bool = False
