"""HTTP models of search: ``GET /orgs`` (its query and its page of results)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from jumo_common.web import PageQuery

SortName = Literal["relevance", "distance", "newest"]
FieldName = Literal["name", "mission", "description", "city"]
DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0
NEAR_PATTERN = r"^\s*-?\d{1,2}(\.\d{1,8})?\s*,\s*-?\d{1,3}(\.\d{1,8})?\s*$"


def near_point(near: str | None) -> tuple[float, float] | None:
    """A ``near=lat,lng`` parameter as (latitude, longitude)."""
    if near is None:
        return None
    lat, lng = near.split(",")
    return float(lat), float(lng)


def check_near(
    point: tuple[float, float] | None, radius_km: float | None, sort: str | None
) -> None:
    """The rules every search with ``near`` shares; ValueError names the broken one."""
    if point is not None and not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise ValueError("near must be a latitude (-90..90) and a longitude (-180..180)")
    if point is None and (radius_km is not None or sort == "distance"):
        raise ValueError("radius_km and sort=distance need near=lat,lng")


class OrgSearchQuery(PageQuery):
    """``GET /orgs``: every filter optional. ``q``: words (accents and case ignored, each a prefix
    of a word of the name, mission, description or city); ``cause``: a slug, its children match
    too; ``near``: ``lat,lng`` with ``radius_km`` (default 25, at most 500); ``verified=false``
    (moderators only) includes organizations not verified yet; ``sort`` defaults to relevance
    with ``q``, else distance with ``near``, else newest."""

    q: str | None = Field(default=None, max_length=200)
    cause: str | None = Field(default=None, max_length=60, pattern=r"^[a-z0-9-]+$")
    near: str | None = Field(default=None, max_length=40, pattern=NEAR_PATTERN)
    radius_km: float | None = Field(default=None, gt=0, le=MAX_RADIUS_KM)
    verified: bool = True
    sort: SortName | None = None

    @model_validator(mode="after")
    def _coherent(self) -> OrgSearchQuery:
        check_near(self.point, self.radius_km, self.sort)
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
        return "distance" if self.near is not None else "newest"


class WordMatch(BaseModel):
    """One query word and where it matched: ``exact`` when it is a whole word there, not only
    the beginning of one. ``description`` is named when the word is in none of the others."""

    word: str
    fields: list[FieldName]
    exact: bool


class Why(BaseModel):
    """Why an organization is in the results."""

    words: list[WordMatch] = Field(default_factory=list)
    # Its causes that match: the one asked for, or its children.
    causes: list[str] = Field(default_factory=list)
    distance_km: float | None = None  # from ``near``, rounded to 0.1 km


class OrgHit(BaseModel):
    """One organization found, and why."""

    id: str
    slug: str
    name: str
    mission: str | None = None
    city: str | None = None
    country: str | None = None
    causes: list[str]
    verified: bool
    created_at: datetime | None = None
    score: int  # relevance: higher is better (0 without q)
    why: Why


class SearchPage(BaseModel):
    """One page of results; pass ``next_cursor`` back as ``cursor`` (same query) for the next.

    ``capped``: the query matched more organizations than one search ranks (relevance and
    distance rank the newest 1,000 matches; newest pages scan at most 1,000 per page); narrow
    it (more words, a cause, a smaller radius) to see the others."""

    items: list[OrgHit]
    next_cursor: str | None = None
    sort: SortName
    capped: bool = False
