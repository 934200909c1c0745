"""The rules of reviews as pure plans: posting (or editing) one's review, answering it,
deleting it, hiding it; the events each causes; the summary's arithmetic. No I/O.

A review's events carry its document's ``version``; a review deleted and written again keeps
its ``_id`` ("<org>:<author>") and its growing version, so a consumer that keeps the highest
version it saw is never fooled by a late event of an earlier incarnation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, EventData, make_event
from jumo_common.events.orgs import (
    OrgCard,
    ReviewDeleted,
    ReviewHidden,
    ReviewPosted,
    ReviewUpdated,
)
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document
from jumo_orgs.errors import Conflict, NotAllowed, NotFoundError
from jumo_orgs.plain_text import excerpt
from jumo_orgs.review_store import STARS, is_listed, review_key
from jumo_orgs.schemas.reviews import Ratings

TOMBSTONE_FIELDS = frozenset({"_id", "org_id", "state", "version"})


class ReviewNotFound(NotFoundError):
    """No such review (deleted, hidden, or of an organization the caller may not see)."""

    slug = "review-not-found"


class OwnOrganization(NotAllowed):
    """An organization's own people do not review it."""

    slug = "own-organization"


class OwnReview(NotAllowed):
    """An author does not vote for their own review."""

    slug = "own-review"


class NotTheAuthor(NotAllowed):
    """Only its author deletes a review."""

    slug = "not-the-author"


class AlreadyAnswered(Conflict):
    """The organization has answered this review already (it answers once)."""

    slug = "already-answered"


class ReviewIsHidden(Conflict):
    """A moderator hid this review: it cannot be edited (deleting it is still possible)."""

    slug = "review-hidden"


def event(data: EventData, review_id: str, actor_id: str | None) -> Envelope[Any]:
    """An envelope of orgs about a review."""
    return make_event(
        data, producer="orgs", actor_id=actor_id, subject_id=review_id, trace_id=current_trace_id()
    )


def _snapshot(doc: Mapping[str, Any], org: OrgCard, version: int) -> dict[str, Any]:
    return {"review_id": doc["_id"], "org": org, "author_id": doc["author_id"],
            "stars": doc["stars"], "excerpt": excerpt(doc["text"]),
            "volunteered": doc["volunteered"], "version": version}  # fmt: skip


def write(
    doc: Document | None, author_id: str, fields: Mapping[str, Any], org: OrgCard, now: datetime
) -> Change | None:
    """A person's review: a first one (or one after a deletion) is review.posted, a change of
    an existing one review.updated; the same review again changes nothing.

    ``fields``: stars, text, volunteered (the badge as the volunteering record says now).
    """
    if doc is not None and doc.get("state") == "posted":
        return _edit(doc, author_id, fields, org, now)
    return _first(review_key(org.org_id, author_id), author_id, fields, org, now)


def _edit(
    doc: Document, author_id: str, fields: Mapping[str, Any], org: OrgCard, now: datetime
) -> Change | None:
    if doc.get("hidden"):
        raise ReviewIsHidden("A moderator hid this review; it cannot be edited.")
    changed = {name: value for name, value in fields.items() if doc.get(name) != value}
    if not changed:
        return None
    after = {**doc, **changed}

    def events(version: int) -> list[Envelope[Any]]:
        data = ReviewUpdated(**_snapshot(after, org, version))
        return [event(data, doc["_id"], author_id)]

    return Change(set={**changed, "updated_at": now}, events=events)


def _first(
    review_id: str, author_id: str, fields: Mapping[str, Any], org: OrgCard, now: datetime
) -> Change:
    fresh = {"org_id": org.org_id, "author_id": author_id, **fields, "state": "posted",
             "hidden": False, "created_at": now, "updated_at": now}  # fmt: skip

    def events(version: int) -> list[Envelope[Any]]:
        data = ReviewPosted(**_snapshot({"_id": review_id, **fresh}, org, version))
        return [event(data, review_id, author_id)]

    return Change(set=fresh, events=events)


def answer(doc: Document | None, text: str, now: datetime) -> Change | None:
    """The organization's one answer; a second is refused (the first stays as it was)."""
    if doc is None or not is_listed(doc):
        return None
    if doc.get("answer"):
        raise AlreadyAnswered("The organization has answered this review already.")
    return Change(set={"answer": {"text": text, "answered_at": now}})


def delete(doc: Document | None, actor_id: str | None) -> Change | None:
    """A deletion: a tombstone keeping nothing of the review, and review.deleted. Events still
    unsent (its text in an excerpt) go with it."""
    if doc is None or doc.get("state") != "posted":
        return None
    data = ReviewDeleted(review_id=doc["_id"], org_id=doc["org_id"], author_id=doc["author_id"])
    return Change(
        set={"state": "deleted"}, unset=frozenset(doc) - TOMBSTONE_FIELDS,
        events=[event(data, doc["_id"], actor_id)], forget_pending=True,
    )  # fmt: skip


def hide(doc: Document | None, hidden: bool) -> Change | None:
    """Moderation hides a review or shows it again (nothing when it already is so)."""
    if doc is None or doc.get("state") != "posted" or bool(doc.get("hidden")) == hidden:
        return None
    data = ReviewHidden(review_id=doc["_id"], org_id=doc["org_id"], hidden=hidden)
    return Change(set={"hidden": hidden}, events=[event(data, doc["_id"], None)])


def ratings(counts: Mapping[int, int]) -> Ratings:
    """The count, average (2 decimals) and 1-5 histogram of counted stars."""
    histogram = {str(stars): int(counts.get(stars, 0)) for stars in STARS}
    count = sum(histogram.values())
    total = sum(stars * int(counts.get(stars, 0)) for stars in STARS)
    average = round(total / count, 2) if count else None
    return Ratings(count=count, average=average, histogram=histogram)
