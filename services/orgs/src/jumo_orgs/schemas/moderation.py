"""HTTP models of moderation: reports, the moderators' queue and decisions, blocks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from jumo_common.web import ApiModel, PageQuery

TargetKind = Literal["org", "post", "review"]
Reason = Literal["spam", "misleading", "offensive", "harassment", "fraud", "other"]
Outcome = Literal["hidden", "dismissed"]
ReportStatus = Literal["open", "resolved"]
# Ids of organizations, posts and reviews ("<org>:<author>"): nothing else can exist.
TARGET_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:_-]*$"


class ReportDraft(ApiModel):
    """``POST /reports``: what is wrong with an organization, a post or a review."""

    target_kind: TargetKind
    target_id: str = Field(min_length=1, max_length=100, pattern=TARGET_ID_PATTERN)
    reason: Reason
    text: str = Field(default="", max_length=1000)


class ReportOut(BaseModel):
    """A report as its reporter sees it: the decision, not who took it nor their note."""

    id: str
    target_kind: TargetKind
    target_id: str
    org_id: str
    reason: Reason
    text: str
    status: ReportStatus
    outcome: Outcome | None = None
    created_at: datetime
    resolved_at: datetime | None = None


class QueueQuery(PageQuery):
    """``GET /moderation/reports``: reports in ``status`` (open by default), grouped by thing."""

    status: ReportStatus = "open"


class QueuedReport(BaseModel):
    """One report in the moderators' queue."""

    id: str
    reporter_id: str
    reason: Reason
    text: str
    created_at: datetime
    outcome: Outcome | None = None
    note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None


class ReportedThing(BaseModel):
    """A thing reported, with its reports in that status (the oldest first, at most 20 shown;
    ``count`` counts them all). The queue shows the things whose oldest report is oldest first."""

    target_kind: TargetKind
    target_id: str
    org_id: str
    count: int
    reasons: dict[str, int]
    first_reported_at: datetime
    reports: list[QueuedReport]


class Decision(ApiModel):
    """``POST /moderation/reports/{id}/resolve``: hide the thing reported, or dismiss."""

    outcome: Literal["hide", "dismiss"]
    note: str | None = Field(default=None, max_length=1000)


class Resolution(BaseModel):
    """What a decision did: every open report of the thing took the same outcome."""

    target_kind: TargetKind
    target_id: str
    outcome: Outcome
    reports_resolved: int


class Visibility(BaseModel):
    """``POST /moderation/{kind}/{id}/restore``: the thing is shown again."""

    target_kind: TargetKind
    target_id: str
    hidden: bool


class BlockOut(BaseModel):
    """A person an organization blocked."""

    org_id: str
    user_id: str
    display_name: str
    blocked_at: datetime
