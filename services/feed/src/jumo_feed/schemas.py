"""feed's HTTP models: the query, the items with their reasons, catch-up, seen, preferences."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel

from jumo_common.web import ApiModel, BadRequest, PageQuery


def encode_cursor(number: int) -> str:
    """An opaque cursor for an activity number (base64url, no padding)."""
    return base64.urlsafe_b64encode(str(number).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The activity number in a cursor; 400 ``bad-cursor`` when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        number = int(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("this cursor is not one feed gave out", type_suffix="bad-cursor") from None
    if number <= 0 or number >= 2**53:
        raise BadRequest("this cursor is not one feed gave out", type_suffix="bad-cursor")
    return number


class FeedQuery(PageQuery):
    """``GET /feed``: a page (``limit``, ``cursor``), or ``mode=catch-up``."""

    mode: Literal["latest", "catch-up"] = "latest"


class Reason(BaseModel):
    """Why an item is in your feed."""

    kind: Literal["org", "person", "cause"]
    text: str
    source_id: str = Field(description="the organization's id, the person's id or the cause slug")


class Actor(BaseModel):
    """The person who did it (people's activities)."""

    id: str
    name: str | None = None


class FeedItem(BaseModel):
    """One activity, rendered from its snapshot, with every reason it reached you."""

    id: str = Field(description="the activity: post:<id>, opportunity:<id>, event:<id>, …")
    kind: str
    at: datetime
    org: dict[str, Any] | None = None
    actor: Actor | None = None
    snapshot: dict[str, Any]
    reasons: list[Reason]
    cursor: str = Field(description="pass as ?cursor= to read what is older than this item")


class FeedPage(BaseModel):
    """A page of your feed, newest first."""

    items: list[FeedItem]
    next_cursor: str | None = None


class CatchUpGroup(BaseModel):
    """Activities of one source (or one target: a cause, an organization) since your visit."""

    text: str
    kind: str
    count: int
    items: list[FeedItem]


class CatchUp(BaseModel):
    """What happened since you last said where you stopped (``POST /feed/seen``)."""

    since: str | None = Field(description="the cursor you stopped at (null: never)")
    total: int
    groups: list[CatchUpGroup]
    newest: str | None = Field(description="the newest item's cursor: send it to /feed/seen")


class SeenIn(ApiModel):
    """Where you stopped reading: an item's cursor (default: the newest item)."""

    cursor: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]*$")


class SeenOut(BaseModel):
    """Where feed has you stopped."""

    seen: str | None


class PreferencesIn(ApiModel):
    """Your feed's preferences (those you send change)."""

    cause_opportunities: bool | None = Field(
        default=None, description="new opportunities of the causes you joined, in your feed"
    )


class PreferencesOut(BaseModel):
    """Your feed's preferences."""

    cause_opportunities: bool


class FeedAnswer(RootModel[FeedPage | CatchUp]):
    """``GET /feed``'s answer: a page, or catch-up's groups with ``mode=catch-up``."""
