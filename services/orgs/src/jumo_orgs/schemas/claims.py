"""HTTP models of claims: a person claims an unclaimed organization, a moderator decides."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from jumo_common.events.orgs import OrgCard
from jumo_common.web import ApiModel
from jumo_orgs.org_fields import one_line, paragraphs
from jumo_orgs.schemas.members import PersonRef

ClaimState = Literal["open", "approved", "rejected"]


class ClaimBody(ApiModel):
    """``POST /orgs/{id}/claims``: why you should own this organization (your role there, an
    address at its domain, a registration document…); a moderator reads it."""

    evidence: Annotated[str, AfterValidator(paragraphs), Field(min_length=1, max_length=2000)]


class DecisionBody(ApiModel):
    """``POST /moderation/claims/{claim_id}/approve|reject``: an optional reason the claimant
    reads."""

    reason: Annotated[str, AfterValidator(one_line), Field(max_length=500)] | None = None


class ClaimView(BaseModel):
    """A claim and its outcome. ``claimant`` is shown to moderators; ``evidence`` to moderators
    and the claimant."""

    id: str
    org: OrgCard
    state: ClaimState
    evidence: str
    reason: str | None = None
    claimant: PersonRef | None = None
    created_at: datetime
    decided_at: datetime | None = None
