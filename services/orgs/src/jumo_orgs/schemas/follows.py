"""HTTP models of following organizations: a follow's settings, the caller's follows, an
organization's followers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from jumo_common.events.orgs import Digest, FollowSettings, Notify, OrgCard
from jumo_common.web import ApiModel, Page


class FollowSettingsIn(ApiModel):
    """What a follower wants of an organization; only the fields sent change.

    ``in_feed``: its news in your feed; ``notify``: ``all`` its news, only ``important`` news,
    or ``none``; ``digest``: a summary ``daily``, ``weekly`` or ``never``. A new follow takes
    the defaults shown for the fields not sent.
    """

    in_feed: bool = True
    notify: Notify = "important"
    digest: Digest = "weekly"

    def sent(self) -> dict[str, Any]:
        """The settings the request named, with their values."""
        return self.model_dump(include=self.model_fields_set)


class FollowOut(BaseModel):
    """A person's follow of an organization; ``changed`` is false when nothing changed."""

    org_id: str
    following: bool
    settings: FollowSettings | None = Field(default=None, description="None when not following.")
    changed: bool = False


class FollowedOrg(BaseModel):
    """An organization the caller follows, with the follow's settings."""

    org: OrgCard
    settings: FollowSettings
    since: datetime


class Follower(BaseModel):
    """A person who follows an organization: a name and a picture."""

    user_id: str
    display_name: str
    avatar_url: str | None = None
    since: datetime


class FollowersPage(Page[Follower]):
    """A page of an organization's followers, newest first, and how many there are in all."""

    total: int = Field(ge=0)
