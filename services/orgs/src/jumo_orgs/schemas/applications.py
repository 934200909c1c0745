"""HTTP models of applications: applying, the organization's answers, the lists, one
application as its volunteer and the organization's admins see it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from jumo_common.events.applications import ApplicationStatus, DeclineReason
from jumo_common.web import ApiModel, PageQuery
from jumo_orgs.plain_text import paragraphs
from jumo_orgs.schemas.news import Author

MAX_TEXT = 2000
MAX_ANSWERS = 5

Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(paragraphs)]
ShortText = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(paragraphs)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class AnswerIn(ApiModel):
    """The answer to one of the opportunity's questions."""

    question_id: Id
    text: Text


class ApplicationDraft(ApiModel):
    """``POST /opportunities/{id}/applications``.

    ``slot_id``: the slot (shift) applied for — required when the opportunity has several;
    ``meets_minimum_age``: the applicant confirms it when the opportunity has a minimum age
    (no birth date is stored). Status, organization and places are never the caller's to set.
    """

    slot_id: Id | None = None
    answers: list[AnswerIn] = Field(default_factory=list, max_length=MAX_ANSWERS)
    message: Text | None = None
    meets_minimum_age: bool = False


class DecisionDraft(ApiModel):
    """``POST /applications/{id}/decline`` and ``/cancel``: a reason from the list, and a text
    shown to the volunteer."""

    reason: DeclineReason
    text: ShortText | None = None


class MyApplicationsQuery(PageQuery):
    """``GET /applications``: your applications, newest first."""

    status: ApplicationStatus | None = None


class OrgApplicationsQuery(PageQuery):
    """``GET /orgs/{id}/applications``: an organization's applications, newest first."""

    opportunity: Id | None = None
    slot: Id | None = None
    status: ApplicationStatus | None = None


class AnswerOut(BaseModel):
    """An answer, with the question it answers."""

    question_id: str
    question: str | None = None
    text: str


class DeclineOut(BaseModel):
    """Why the organization declined or cancelled (shown to the volunteer)."""

    reason: DeclineReason
    text: str | None = None


class ApplicationOut(BaseModel):
    """An application as its volunteer and the organization's admins see it.

    ``answered_at``: the organization's first answer (null while pending); ``expires_at``:
    when a pending application expires unanswered; ``waitlist_position``: 1 = next to be
    promoted (waitlisted ones only).
    """

    id: str
    opportunity_id: str
    opportunity_title: str | None = None
    org_id: str
    slot_id: str
    volunteer: Author | None = None
    status: ApplicationStatus
    answers: list[AnswerOut] = Field(default_factory=list)
    message: str | None = None
    meets_minimum_age: bool = False
    decline: DeclineOut | None = None
    promoted: bool = False
    waitlist_position: int | None = None
    submitted_at: datetime
    expires_at: datetime | None = None
    answered_at: datetime | None = None
    waitlisted_at: datetime | None = None
    accepted_at: datetime | None = None
    withdrawn_at: datetime | None = None
    cancelled_at: datetime | None = None
    expired_at: datetime | None = None
    version: int
