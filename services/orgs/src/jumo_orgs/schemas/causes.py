"""HTTP models of causes: the tree, a cause's page, memberships, a person's causes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from jumo_common.web import Page


class CauseOut(BaseModel):
    """A cause of the catalogue with its counts.

    A top-level cause counts its children too, each person and organization once: its
    ``members`` joined it or any of its children, its ``organizations`` chose it or any of them
    (the organizations its page lists). A child counts its own.
    """

    slug: str
    name: str
    description: str
    parent: str | None = None
    members: int = Field(ge=0)
    organizations: int = Field(ge=0, description="Verified organizations that chose it.")


class CauseNode(CauseOut):
    """A top-level cause and its children."""

    children: list[CauseOut]


class CauseTree(BaseModel):
    """``GET /causes``: every top-level cause with its children, in catalogue order."""

    items: list[CauseNode]


class CauseOrganization(BaseModel):
    """An organization on a cause's page: its card and where it is based."""

    org_id: str
    slug: str
    name: str
    initials: str
    colour: str
    verified: bool
    city: str | None = None
    country: str | None = None


class CauseDetail(BaseModel):
    """``GET /causes/{slug}``: the cause, where it sits in the tree, and its organizations
    (verified ones, by name; a top-level cause's include its children's)."""

    cause: CauseOut
    parent: CauseOut | None = None
    children: list[CauseOut]
    organizations: Page[CauseOrganization]


class Membership(BaseModel):
    """``PUT|DELETE /causes/{slug}/membership``: ``changed`` is false when it already was so."""

    cause: str
    member: bool
    changed: bool


class JoinedCause(BaseModel):
    """A cause a person joined, and when."""

    slug: str
    name: str
    parent: str | None = None
    since: datetime


class PersonCauses(BaseModel):
    """``GET /users/{id}/causes``: the causes a person joined, newest first."""

    user_id: str
    items: list[JoinedCause]
