"""HTTP models of organizations: creating, editing, the page as shown, verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from jumo_common.events.orgs import OrgRole, OrgStatus
from jumo_common.mongo import Document
from jumo_common.web import ApiModel
from jumo_orgs.cards import colour_of
from jumo_orgs.org_fields import (
    Areas,
    Causes,
    Description,
    Email,
    Headquarters,
    Languages,
    Links,
    Mission,
    Name,
    Size,
    Slug,
    Url,
    one_line,
)
from jumo_orgs.registration import Registration
from jumo_orgs.schemas.record import PublicStats
from jumo_orgs.schemas.reviews import ReviewSummary
from jumo_orgs.text import initials

# Fields no request may set: naming one is a 422 ("is read-only"), never a silent no-op. The
# state moves only through submit/verify/reject, ownership through roles, counts are counted.
PROTECTED_FIELDS = frozenset(
    {"_id", "id", "status", "verified", "owner_id", "owners", "claimed", "version",
     "created_at", "updated_at", "created_by", "hidden", "terms", "prefixes", "submitted_at",
     "decided_at", "rejection_reason", "external_id", "counts", "stats", "members_count",
     "member_count", "followers_count", "follower_count", "reviews_count", "review_count",
     "rating"}
)  # fmt: skip
# A slug is given once, at creation: links to an organization never break.
PATCH_PROTECTED_FIELDS = PROTECTED_FIELDS | {"slug"}
# The page's fields, as stored (``slug`` apart: it is chosen once).
PAGE_FIELDS = ("name", "mission", "description", "website", "links", "registration", "hq",
               "areas_served", "causes", "size", "contact_email", "languages")  # fmt: skip
LIST_FIELDS = frozenset({"links", "areas_served", "languages"})
REQUIRED_FIELDS = frozenset({"name", "causes"})


class OrgCreate(ApiModel):
    """``POST /orgs``: a new organization (a draft); ``slug`` is derived from the name unless
    given. Only ``name`` and 1-5 ``causes`` are required."""

    name: Name
    slug: Slug | None = None
    mission: Mission | None = None
    description: Description | None = None
    website: Url | None = None
    links: Links = Field(default_factory=list)
    registration: Registration | None = None
    hq: Headquarters | None = None
    areas_served: Areas = Field(default_factory=list)
    causes: Causes
    size: Size | None = None
    contact_email: Email | None = None
    languages: Languages = Field(default_factory=list)

    def page(self) -> dict[str, Any]:
        """The page's fields as stored."""
        return self.model_dump(mode="python", include=set(PAGE_FIELDS))


class OrgPatch(ApiModel):
    """``PATCH /orgs/{id}``: only the fields sent change; ``null`` clears an optional one."""

    name: Name | None = None
    mission: Mission | None = None
    description: Description | None = None
    website: Url | None = None
    links: Links | None = None
    registration: Registration | None = None
    hq: Headquarters | None = None
    areas_served: Areas | None = None
    causes: Causes | None = None
    size: Size | None = None
    contact_email: Email | None = None
    languages: Languages | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> OrgPatch:
        for name in REQUIRED_FIELDS & self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        for name in LIST_FIELDS & self.model_fields_set:
            if getattr(self, name) is None:
                object.__setattr__(self, name, [])  # null clears a list: it becomes empty
        return self

    def fields_sent(self) -> dict[str, Any]:
        """The fields the request named, with their normalised values."""
        return self.model_dump(mode="python", include=self.model_fields_set)


class RejectBody(ApiModel):
    """``POST /orgs/{id}/reject``: why (the organization's people read it)."""

    reason: Annotated[str, AfterValidator(one_line), Field(min_length=1, max_length=500)]


class OrgView(BaseModel):
    """An organization's page. ``rejection_reason`` and ``hidden`` are shown to its own people and
    moderators only; ``your_role`` is the caller's role in it (null: none)."""

    id: str
    slug: str
    name: str
    initials: str
    colour: str
    mission: str | None = None
    description: str | None = None
    website: str | None = None
    links: list[str] = Field(default_factory=list)
    registration: Registration | None = None
    hq: Headquarters | None = None
    areas_served: list[str] = Field(default_factory=list)
    causes: list[str]
    size: Size | None = None
    contact_email: str | None = None
    languages: list[str] = Field(default_factory=list)
    status: OrgStatus
    verified: bool
    claimed: bool
    hidden: bool = False
    rejection_reason: str | None = None
    your_role: OrgRole | None = None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None


class OrgPage(OrgView):
    """``GET /orgs/{id}``: the page, with how many follow it and its reviews in numbers."""

    followers: int
    reviews: ReviewSummary
    volunteering: PublicStats | None = None  # volunteers accepted and hours attested


def org_view(doc: Document, *, role: OrgRole | None = None, insider: bool = False) -> OrgView:
    """The page of a stored organization as a caller sees it (``insider``: one of its people, or
    a moderator)."""
    page = {name: doc.get(name) for name in PAGE_FIELDS if doc.get(name) is not None}
    return OrgView.model_validate(
        page | {
            "id": doc["_id"], "slug": doc["slug"], "initials": initials(doc["name"]),
            "colour": colour_of(doc["_id"]), "status": doc["status"],
            "verified": doc["status"] == "verified", "claimed": bool(doc.get("owners")),
            "hidden": bool(doc.get("hidden")) and insider,
            "rejection_reason": doc.get("rejection_reason") if insider else None,
            "your_role": role, "created_at": doc["created_at"], "updated_at": doc["updated_at"],
            "submitted_at": doc.get("submitted_at"),
        }
    )  # fmt: skip


class Decision(BaseModel):
    """What a verify/reject/submit did: the organization now, and whether anything changed."""

    org: OrgView
    changed: bool
    outcome: Literal["pending", "verified", "rejected"]
