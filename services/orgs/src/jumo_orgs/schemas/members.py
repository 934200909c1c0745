"""HTTP models of an organization's people: invitations, roles, transfers, the members list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from jumo_common.events.orgs import OrgCard, OrgRole
from jumo_common.web import ApiModel, PageQuery
from jumo_orgs.people import Person

UserId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class InviteBody(ApiModel):
    """``POST /orgs/{id}/invitations``: invite a person (by user id) to a role. Admins invite
    admins and editors; only an owner invites owners."""

    user_id: UserId
    role: OrgRole


class RoleBody(ApiModel):
    """``PATCH /orgs/{id}/members/{user_id}``: the member's new role."""

    role: OrgRole


class TransferBody(ApiModel):
    """``POST /orgs/{id}/transfer``: the member who becomes owner (you become admin)."""

    user_id: UserId


class MembersQuery(PageQuery):
    """``state``: ``active`` members (the organization's people and moderators), or pending
    ``invited`` ones (its admins and moderators)."""

    state: Literal["active", "invited"] = "active"


class MemberView(BaseModel):
    """One of an organization's people (or someone invited to be); ``since``: when they joined,
    or were invited."""

    user_id: str
    display_name: str
    avatar_url: str | None = None
    role: OrgRole
    state: Literal["active", "invited"]
    since: datetime


class PersonRef(BaseModel):
    """Who someone is, as far as a list shows."""

    user_id: str
    display_name: str
    avatar_url: str | None = None


def person_ref(person: Person | None) -> PersonRef | None:
    """How a list shows a person orgs knows (None: unknown, or erased)."""
    if person is None:
        return None
    return PersonRef(
        user_id=person.id, display_name=person.display_name, avatar_url=person.avatar_url
    )


class InvitationView(BaseModel):
    """An invitation waiting for you: which organization, which role, from whom."""

    org: OrgCard
    role: OrgRole
    invited_by: PersonRef | None = None
    invited_at: datetime
