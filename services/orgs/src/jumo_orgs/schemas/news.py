"""HTTP models of news: what an editor sends, what readers get."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from jumo_common.events.orgs import OrgCard
from jumo_common.web import ApiModel
from jumo_orgs.plain_text import one_line, paragraphs

MAX_TITLE = 200
MAX_BODY = 5000

Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE), AfterValidator(one_line)]
Body = Annotated[
    str,
    Field(min_length=1, max_length=MAX_BODY, description="Plain text; links stay text."),
    AfterValidator(paragraphs),
]


class PostLink(ApiModel):
    """What a post points at: one of its organization's opportunities or events.

    Only the shape is checked for now: opportunities and events arrive with the next issue,
    which will also check that the target is the organization's own.
    """

    kind: Literal["opportunity", "event"]
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")


class PostDraft(ApiModel):
    """``POST /orgs/{id}/posts``."""

    title: Title
    body: Body
    link: PostLink | None = None
    important: bool = Field(
        default=False, description="Reaches followers whose follow says notify: important."
    )


class PostPatch(ApiModel):
    """``PATCH /posts/{id}``: only the fields sent change; ``link: null`` removes the link."""

    title: Title | None = None
    body: Body | None = None
    link: PostLink | None = None
    important: bool | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> PostPatch:
        for name in ("title", "body", "important"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if not self.model_fields_set:
            raise ValueError("send at least one of title, body, link, important")
        return self

    def fields_sent(self) -> dict[str, Any]:
        """The fields the request named, as they will be stored."""
        return self.model_dump(include=self.model_fields_set, mode="python")


class Author(BaseModel):
    """Who wrote something, as orgs knows them (name and picture are public on Jumo)."""

    id: str
    display_name: str
    avatar_url: str | None = None


class PostOut(BaseModel):
    """A post as readers see it; ``author`` is null once its author has left Jumo."""

    id: str
    org: OrgCard
    author: Author | None = None
    title: str
    body: str
    excerpt: str
    link: PostLink | None = None
    important: bool = False
    hidden: bool = False
    published_at: datetime
    updated_at: datetime
    version: int
