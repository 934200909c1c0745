"""HTTP models of attendance and the volunteer's record (check-ins, codes, hours, answers,
the record and its export, the JWKS, an organization's figures)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from jumo_common.web import ApiModel

Answer = Literal["confirmed", "disputed"]


class CheckInBody(ApiModel):
    """``POST /opportunities/{id}/check-ins``: an accepted application, or the code its
    volunteer shows; ``session`` for a recurring or ongoing opportunity (a date, default
    today) — a one-off one's session is the volunteer's slot."""

    application_id: str | None = Field(default=None, min_length=1, max_length=100)
    code: str | None = Field(default=None, min_length=4, max_length=20)
    session: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if (self.application_id is None) == (self.code is None):
            raise ValueError("give either application_id or code")
        return self


class CodeBody(ApiModel):
    """``POST /applications/{id}/check-in-code``: optionally the session (a date) it is for."""

    session: str | None = Field(default=None, min_length=1, max_length=100)


class HoursBody(ApiModel):
    """The hours a volunteer gave in one session (0 < hours ≤ 24)."""

    hours: float = Field(gt=0, le=24)


class DisputeBody(ApiModel):
    """Why the volunteer disputes the recorded hours."""

    reason: str = Field(min_length=1, max_length=500)


class CodeOut(BaseModel):
    """A one-time check-in code: show it to the organization before it expires."""

    code: str
    application_id: str
    opportunity_id: str
    session: str | None = None
    expires_at: datetime


class CheckInOut(BaseModel):
    """One session a volunteer was checked in to, its hours and the volunteer's answer."""

    id: str
    application_id: str
    opportunity_id: str
    org_id: str
    volunteer_id: str
    session: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    via: Literal["org", "code"]
    checked_in_by: str | None = None
    checked_in_at: datetime
    hours: float | None = None
    attested_by: str | None = None
    attested_at: datetime | None = None
    answer: Answer | None = None
    answered_at: datetime | None = None
    dispute_reason: str | None = None


class CheckInList(BaseModel):
    """An opportunity's check-ins, oldest first."""

    items: list[CheckInOut]


class Attester(BaseModel):
    """Who attested: the organization, and the person of it who recorded the hours."""

    org_id: str
    org_name: str
    user_id: str | None = None
    name: str | None = None


class EngagementOut(BaseModel):
    """One attested session of a volunteer's record."""

    id: str
    org_id: str
    org_name: str
    opportunity_id: str
    opportunity_title: str
    causes: list[str]
    session: str
    date: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    hours: float
    attested_by: Attester
    attested_at: datetime
    answer: Answer | None = None
    dispute_reason: str | None = None


class Totals(BaseModel):
    """Hours and sessions of attested, undisputed engagements (an engagement of several causes
    counts in each of them; ``hours`` counts it once)."""

    hours: float
    sessions: int
    by_cause: dict[str, float]
    by_year: dict[str, float]


class RecordOut(BaseModel):
    """``GET /users/me/volunteering``: every engagement with recorded hours (disputed ones
    marked and left out of the totals), newest first."""

    volunteer_id: str
    engagements: list[EngagementOut]
    totals: Totals


class RecordExport(BaseModel):
    """The exported record (JSON, and the claims of the signed one): attested, undisputed
    engagements only."""

    iss: str
    sub: str
    iat: int
    engagements: list[EngagementOut]
    totals: Totals


class Jwks(BaseModel):
    """A JWK Set: the public keys that verify exported records."""

    keys: list[dict[str, Any]]


class MonthStats(BaseModel):
    """An organization's figures over one month (``month`` YYYY-MM) or all time (``all``)."""

    month: str
    applications: int
    volunteers_accepted: int
    hours_attested: float
    median_answer_hours: float | None = None
    answered_within_7_days: float | None = None
    acceptance_rate: float | None = None
    no_show_rate: float | None = None


class OrgStatsOut(BaseModel):
    """``GET /orgs/{id}/stats``: all-time figures and the same by month, oldest first."""

    org_id: str
    applications: int
    volunteers_accepted: int
    hours_attested: float
    median_answer_hours: float | None = None
    answered_within_7_days: float | None = None
    acceptance_rate: float | None = None
    no_show_rate: float | None = None
    months: list[MonthStats]


class PublicStats(BaseModel):
    """The figures anyone sees on an organization's page."""

    volunteers_accepted: int
    hours_attested: float
