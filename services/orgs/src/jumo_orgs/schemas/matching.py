"""HTTP models of matching: recommended opportunities, an opportunity's candidates, and
invitations to opportunities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from jumo_common.events.matching import InvitationStatus
from jumo_common.web import ApiModel, PageQuery
from jumo_orgs.schemas.applications import AnswerIn, ApplicationOut, Id, Text

MAX_ANSWERS = 5


class TermOut(BaseModel):
    """One reason of a score: ``points`` = ``weight`` x a strength between 0 and 1;
    ``value`` what was measured (skills matched, km, parts of the week, days, hours)."""

    name: str
    weight: float
    value: Any
    points: float
    sentence: str


class RecommendedQuery(PageQuery):
    """``GET /opportunities/recommended``: ``limit`` and ``cursor``."""


class RecommendedOpportunity(BaseModel):
    """An opportunity recommended to the caller, its score and why (``why``: the sentences,
    joined as a person reads them: "matches 3 of your skills · 4 km · weekend mornings")."""

    id: str
    title: str
    org_id: str
    org_name: str
    causes: list[str]
    skills: list[str]
    city: str | None = None
    remote: bool
    commitment: str
    url_path: str
    score: float
    terms: list[TermOut]
    why: str


class RecommendedPage(BaseModel):
    """A page of recommendations, best first."""

    items: list[RecommendedOpportunity]
    next_cursor: str | None = None


class CandidatesQuery(PageQuery):
    """``GET /opportunities/{id}/candidates``: ``limit`` and ``cursor``."""


class Candidate(BaseModel):
    """A findable volunteer for an opportunity. ``limited``: their visibility lets this viewer
    see their name and picture only (no terms, no city, no skills)."""

    id: str
    display_name: str
    avatar_url: str | None = None
    limited: bool = False
    city: str | None = None
    skills: list[str] = Field(default_factory=list)
    score: float
    terms: list[TermOut] = Field(default_factory=list)
    why: str = ""
    invited: bool = False


class CandidatesPage(BaseModel):
    """A page of candidates, best first."""

    items: list[Candidate]
    next_cursor: str | None = None


class InvitationDraft(ApiModel):
    """``POST /opportunities/{id}/invitations``: whom (a findable volunteer), for which slot
    (required when the opportunity has several), and a message. Status and organization are
    never the caller's to set."""

    volunteer_id: Id
    slot_id: Id | None = None
    message: Text | None = None


class InvitationAnswer(ApiModel):
    """``POST /opportunities/invitations/{id}/accept``: what applying needs (the answers to
    the opportunity's questions, a message, the minimum age confirmed)."""

    answers: list[AnswerIn] = Field(default_factory=list, max_length=MAX_ANSWERS)
    message: Text | None = None
    meets_minimum_age: bool = False


class InvitationOut(BaseModel):
    """An invitation as its volunteer and the organization's admins see it."""

    id: str
    opportunity_id: str
    opportunity_title: str
    org_id: str
    org_name: str
    volunteer_id: str
    slot_id: str | None = None
    message: str | None = None
    status: InvitationStatus
    created_at: datetime
    answered_at: datetime | None = None
    application_id: str | None = None


class InvitationAccepted(BaseModel):
    """The invitation accepted, and the application it made (accepted when a place was
    free; pending otherwise)."""

    invitation: InvitationOut
    application: ApplicationOut


class InvitationsPage(BaseModel):
    """Invitations, newest first."""

    items: list[InvitationOut]
