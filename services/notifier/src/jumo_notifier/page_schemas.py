"""The HTTP bodies and answers of ``/facebook-pages`` (beside ``schemas.py``, which holds the
in-app ones, so that two areas of notifier do not edit one file at once). No answer carries a
token."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PAGE_ID = r"^[0-9]{1,32}$"


class LoginBody(BaseModel):
    """Optionally, which of your Pages to link (else the only one, or you choose after)."""

    model_config = ConfigDict(extra="forbid")

    page_id: str | None = Field(default=None, pattern=PAGE_ID)


class LoginOut(BaseModel):
    """Where to send the browser: Facebook's Login dialog with the Page permissions."""

    url: str
    expires_at: datetime


class CallbackQuery(BaseModel):
    """What Facebook's redirect carries back (``error…`` when the person cancelled)."""

    model_config = ConfigDict(extra="ignore")

    code: str | None = Field(default=None, max_length=2048)
    state: str | None = Field(default=None, max_length=512)
    error: str | None = Field(default=None, max_length=200)
    error_reason: str | None = Field(default=None, max_length=200)
    error_description: str | None = Field(default=None, max_length=1000)


class ChooseBody(BaseModel):
    """The Page to link, among those your last login found."""

    model_config = ConfigDict(extra="forbid")

    page_id: str = Field(pattern=PAGE_ID)


class OptionsBody(BaseModel):
    """What the organization wants posted to its Page (off until turned on)."""

    model_config = ConfigDict(extra="forbid")

    post_opportunities: bool | None = None
    post_news: bool | None = None


class PageOption(BaseModel):
    """A Page your login found."""

    id: str
    name: str


class PageLinkOut(BaseModel):
    """An organization's Facebook Page as its owners and admins see it."""

    org_id: str
    linked: bool
    page_id: str | None = None
    page_name: str | None = None
    status: Literal["ok", "broken", "blocked"] | None = Field(
        default=None,
        description="ok: Jumo posts there; broken: link it again (the token no longer works or "
        "a permission is missing); blocked: Facebook blocked posting (an operator looks).",
    )
    why: str | None = None
    linked_at: datetime | None = None
    post_opportunities: bool = False
    post_news: bool = False
    choices: list[PageOption] = Field(
        default_factory=list,
        description="Your login found several Pages: POST /facebook-pages/{org_id} "
        '{"page_id": …} links one of them, until choose_until.',
    )
    choose_until: datetime | None = None
