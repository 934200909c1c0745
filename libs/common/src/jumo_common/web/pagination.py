"""The shapes of paginated endpoints: ``?limit=&cursor=`` in, ``{items, next_cursor}`` out."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageQuery(BaseModel):
    """``limit`` (1..100, default 20) and an opaque ``cursor``; subclass to add filters."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    # Our cursors are base64url; saying so keeps schema-driven clients to short ASCII URLs.
    cursor: str | None = Field(default=None, max_length=2048, pattern=r"^[A-Za-z0-9_-]*$")


class Page(BaseModel, Generic[T]):
    """One page of ``items``; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = None
