"""HTTP models of reviews: a review, its answer, helpful votes, the summary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from jumo_common.web import ApiModel, PageQuery
from jumo_orgs.plain_text import paragraphs
from jumo_orgs.schemas.news import Author

MAX_TEXT = 2000

Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(paragraphs)]


class ReviewDraft(ApiModel):
    """``POST /orgs/{id}/reviews``: your review (sending it again edits it)."""

    stars: int = Field(ge=1, le=5)
    text: Text


class AnswerDraft(ApiModel):
    """``POST /reviews/{id}/answer``: the organization's one public answer."""

    text: Text


class ReviewQuery(PageQuery):
    """``GET /orgs/{id}/reviews``: the order, and verified volunteers' reviews apart."""

    sort: Literal["newest", "helpful"] = "newest"
    volunteered: bool | None = Field(
        default=None, description="true: only reviews by people who volunteered there."
    )


class Answer(BaseModel):
    """The organization's answer to a review."""

    text: str
    answered_at: datetime


class ReviewOut(BaseModel):
    """A review as readers see it.

    ``volunteered``: the "volunteered here" badge (its author has volunteered with the
    organization, by Jumo's record). ``voted``: whether you found it helpful (null when you
    are not signed in).
    """

    id: str
    org_id: str
    author: Author
    stars: int
    text: str
    volunteered: bool = False
    helpful: int = 0
    voted: bool | None = None
    answer: Answer | None = None
    hidden: bool = False
    created_at: datetime
    updated_at: datetime
    version: int


class Vote(BaseModel):
    """The answer of ``PUT|DELETE /reviews/{id}/helpful``; ``changed`` is false when your vote
    already was so."""

    review_id: str
    voted: bool
    changed: bool
    helpful: int


class Ratings(BaseModel):
    """Stars given: how many reviews, their average (null without any), and the histogram
    (``"1"`` to ``"5"``: how many reviews gave that many stars)."""

    count: int
    average: float | None = None
    histogram: dict[str, int]


class ReviewSummary(Ratings):
    """An organization's reviews in numbers, counted from the reviews themselves; verified
    volunteers' reviews also apart."""

    org_id: str
    volunteered: Ratings
