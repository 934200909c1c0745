"""The rules of news as pure plans: what a new post is, what an edit, a deletion, hiding and
forgetting an author change, and the events each causes. No I/O.

A post's events carry its document's ``version`` (an edit's event is built for the version
the write claims), so a feed keeps the newest snapshot whatever order events arrive in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, EventData, make_event
from jumo_common.events.orgs import (
    OrgCard,
    PostDeleted,
    PostHidden,
    PostLink,
    PostPublished,
    PostUpdated,
)
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document
from jumo_orgs.errors import Conflict, NotFoundError
from jumo_orgs.plain_text import excerpt

EDITABLE = ("title", "body", "link", "important")
# What a deleted post keeps: enough to be a tombstone, nothing it said or who said it.
TOMBSTONE_FIELDS = frozenset({"_id", "org_id", "state", "version"})


class PostNotFound(NotFoundError):
    """No such post (deleted, hidden, or of an organization the caller may not see)."""

    slug = "post-not-found"


class PostIsHidden(Conflict):
    """A moderator hid this post: it cannot be edited (deleting it is still possible)."""

    slug = "post-hidden"


class OrgIsHidden(Conflict):
    """A moderator hid this organization: it publishes nothing until shown again."""

    slug = "org-hidden"


def event(data: EventData, post_id: str, actor_id: str | None) -> Envelope[Any]:
    """An envelope of orgs about a post."""
    return make_event(
        data, producer="orgs", actor_id=actor_id, subject_id=post_id, trace_id=current_trace_id()
    )


def link_of(doc: Mapping[str, Any]) -> PostLink | None:
    """The stored link of a post, as the events carry it."""
    link = doc.get("link")
    return PostLink(kind=link["kind"], id=link["id"]) if link else None


def new_post(
    post_id: str, org_id: str, author_id: str, fields: Mapping[str, Any], now: datetime
) -> Document:
    """The document of a post just written (``fields``: title, body, link, important)."""
    return {
        "_id": post_id, "org_id": org_id, "author_id": author_id, "title": fields["title"],
        "body": fields["body"], "link": fields.get("link"),
        "important": bool(fields.get("important", False)), "state": "published", "hidden": False,
        "created_at": now, "updated_at": now,
    }  # fmt: skip


def published(doc: Mapping[str, Any], org: OrgCard, version: int) -> Envelope[Any]:
    """post.published: everything a feed needs to render the post without calling back."""
    data = PostPublished(
        post_id=doc["_id"], org=org, author_id=doc["author_id"], title=doc["title"],
        excerpt=excerpt(doc["body"]), important=doc["important"], link=link_of(doc),
        published_at=doc["created_at"], version=version,
    )  # fmt: skip
    return event(data, doc["_id"], doc["author_id"])


def updated(doc: Mapping[str, Any], org: OrgCard, version: int, actor_id: str) -> Envelope[Any]:
    """post.updated: the post's new snapshot."""
    data = PostUpdated(
        post_id=doc["_id"], org=org, title=doc["title"], excerpt=excerpt(doc["body"]),
        important=doc["important"], link=link_of(doc), version=version,
    )  # fmt: skip
    return event(data, doc["_id"], actor_id)


def edit(
    doc: Document, sent: Mapping[str, Any], org: OrgCard, actor_id: str, now: datetime
) -> Change | None:
    """An editor's edit: the fields that differ, and post.updated with the new snapshot."""
    if doc.get("hidden"):
        raise PostIsHidden("A moderator hid this post; it cannot be edited.")
    changed = {
        name: sent[name] for name in EDITABLE if name in sent and sent[name] != doc.get(name)
    }
    if not changed:
        return None
    after = {**doc, **changed}
    return Change(
        set={**changed, "updated_at": now},
        events=lambda version: [updated(after, org, version, actor_id)],
    )


def delete(doc: Document, actor_id: str | None) -> Change:
    """A deletion: a tombstone keeping nothing of the post, and post.deleted.

    Earlier events still unsent go with it (``forget_pending``): a feed that never saw the
    post hears only that it is gone.
    """
    gone = frozenset(doc) - TOMBSTONE_FIELDS
    data = PostDeleted(post_id=doc["_id"], org_id=doc["org_id"])
    return Change(
        set={"state": "deleted"}, unset=gone, events=[event(data, doc["_id"], actor_id)],
        forget_pending=True,
    )  # fmt: skip


def hide(doc: Document, hidden: bool) -> Change | None:
    """Moderation hides a post or shows it again (nothing to do when it already is so)."""
    if bool(doc.get("hidden")) == hidden:
        return None
    data = PostHidden(post_id=doc["_id"], org_id=doc["org_id"], hidden=hidden)
    return Change(set={"hidden": hidden}, events=[event(data, doc["_id"], None)])


def drop_author(doc: Document, author_id: str) -> Change | None:
    """Its author left Jumo: the post stays the organization's, without their name on it."""
    if doc.get("author_id") != author_id:
        return None
    return Change(unset=frozenset({"author_id"}))
