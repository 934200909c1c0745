"""What organizations post: news. Editors, admins and owners of an organization write it;
anyone who may see the organization reads it.

Rules where the issue is silent:
- Only a verified organization publishes (new posts and edits; deleting is always possible),
  and not while a moderator hides it.
  A post reaches followers' feeds and notifications the moment it is written, and it is the
  moderator's verification that lets Jumo vouch for who is speaking; a draft or pending
  organization has no public page nor followers to read it yet, and holding posts back until
  verification would publish, days later, news written for another day. An organization sent
  back to pending (its registration number changed) pauses until verified again.
- A deleted post is a tombstone keeping nothing of what it said (``news_plans.delete``); a
  hidden one is gone from every list, and only moderators and the organization's own people
  can still open it.
- A link to an opportunity or event is checked for its shape only until those arrive (next
  issue); links in a body stay text and are never fetched.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.outbox import Plan, WriteConflict, Written
from jumo_orgs import news_plans as plans
from jumo_orgs.cards import card
from jumo_orgs.deps import Deps
from jumo_orgs.errors import ChangingConcurrently, OrgNotFound, OrgNotVerified
from jumo_orgs.news_plans import PostNotFound
from jumo_orgs.people import Person
from jumo_orgs.plain_text import excerpt
from jumo_orgs.schemas.news import Author, PostDraft, PostLink, PostOut, PostPatch

WRITERS = "editor"  # the lowest role that writes an organization's news


class News:
    """What organizations post: news."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._store = deps.stores.posts

    # ---- writing ------------------------------------------------------------------------------

    async def publish(
        self, org_ref: str, caller: Principal, draft: PostDraft, now: datetime
    ) -> PostOut:
        """An editor+ of a verified organization posts news: post.published."""
        org = await self._deps.access.org(org_ref, caller)
        await self._deps.access.require(org["_id"], caller, WRITERS)
        _require_verified(org)
        doc = plans.new_post(
            uuid.uuid4().hex, org["_id"], caller.user_id, draft.model_dump(mode="python"), now
        )
        await self._store.create_post(doc, [plans.published(doc, card(org), 1)])
        return await self._view({**doc, "version": 1}, org)

    async def edit(
        self, post_id: str, caller: Principal, patch: PostPatch, now: datetime
    ) -> PostOut:
        """An editor+ changes a post: post.updated with the new snapshot (nothing if unchanged)."""
        doc, org = await self._post(post_id, caller)
        await self._deps.access.require(org["_id"], caller, WRITERS)
        _require_verified(org)
        sent, org_card = patch.fields_sent(), card(org)
        written = await self._write(
            post_id, lambda d: plans.edit(d, sent, org_card, caller.user_id, now)
        )
        return await self._view(written.after() if written.change else doc, org)

    async def delete(self, post_id: str, caller: Principal) -> None:
        """An editor+ deletes a post: post.deleted, and nothing of it remains."""
        _doc, org = await self._post(post_id, caller)
        await self._deps.access.require(org["_id"], caller, WRITERS)
        await self._write(post_id, lambda d: plans.delete(d, caller.user_id))

    async def set_hidden(self, post_id: str, hidden: bool) -> bool:
        """Moderation hides (or shows again) a post: it disappears from every list, and the
        event says so to the feed; False when there is no such post."""
        written = await self._store.change_post(
            post_id, lambda d: plans.hide(d, hidden) if _live(d) else None
        )
        return written is not None and _live(written.before)

    async def forget(self, user_id: str) -> None:
        """A person left Jumo: the posts they wrote stay their organization's, without them."""
        for post_id in await self._store.post_ids_by(user_id):
            await self._store.change_post(post_id, lambda d: plans.drop_author(d, user_id))

    # ---- reading ------------------------------------------------------------------------------

    async def page(
        self, org_ref: str, caller: Principal | None, *, limit: int, cursor: str | None
    ) -> tuple[list[PostOut], str | None]:
        """One page of an organization's posts, newest first (hidden and deleted ones never)."""
        org = await self._deps.access.org(org_ref, caller)
        page = await self._store.org_posts(org["_id"], limit=limit, cursor=cursor)
        author_ids = [d["author_id"] for d in page.items if "author_id" in d]
        authors = await self._deps.people.people(author_ids)
        return [_view(d, org, authors) for d in page.items], page.next_cursor

    async def post(self, post_id: str, caller: Principal | None) -> PostOut:
        """One post, if the caller may see it."""
        doc, org = await self._post(post_id, caller)
        return await self._view(doc, org)

    # ---- helpers ------------------------------------------------------------------------------

    async def _post(self, post_id: str, caller: Principal | None) -> tuple[Document, Document]:
        """A live post and its organization, as far as the caller may see them."""
        doc = await self._store.post(post_id)
        if doc is None or not _live(doc):
            raise PostNotFound("No such post.")
        try:
            org = await self._deps.access.org(doc["org_id"], caller)
        except OrgNotFound:
            raise PostNotFound("No such post.") from None
        if doc.get("hidden") and not await self._sees_hidden(org["_id"], caller):
            raise PostNotFound("No such post.")
        return doc, org

    async def _sees_hidden(self, org_id: str, caller: Principal | None) -> bool:
        access = self._deps.access
        if caller is None:
            return False
        return access.is_moderator(caller) or await access.role(org_id, caller.user_id) is not None

    async def _write(self, post_id: str, plan: Plan) -> Written:
        """Apply ``plan`` to a post still live when the write lands (a concurrent deletion wins)."""
        try:
            written = await self._store.change_post(
                post_id, lambda d: plan(d) if _live(d) else None
            )
        except WriteConflict:
            raise ChangingConcurrently("This post is changing concurrently; try again.") from None
        if written is None or not _live(written.before):
            raise PostNotFound("No such post.")
        return written

    async def _view(self, doc: Document, org: Document) -> PostOut:
        author_id = doc.get("author_id")
        authors = await self._deps.people.people([author_id] if author_id else [])
        return _view(doc, org, authors)


def _live(doc: Document | None) -> bool:
    return doc is not None and doc.get("state") == "published"


def _require_verified(org: Document) -> None:
    """Publishing needs a verified organization that no moderator has hidden."""
    if org.get("status") != "verified":
        raise OrgNotVerified("Only a verified organization publishes news.")
    if org.get("hidden"):
        raise plans.OrgIsHidden("A moderator hid this organization; it publishes nothing now.")


def author_of(author_id: str | None, people: dict[str, Person]) -> Author | None:
    """The author as shown (a person orgs has not heard of yet is a plain "Jumo member")."""
    if author_id is None:
        return None
    person = people.get(author_id) or Person(id=author_id, display_name="Jumo member")
    return Author(id=person.id, display_name=person.display_name, avatar_url=person.avatar_url)


def _view(doc: Document, org: Document, authors: dict[str, Person]) -> PostOut:
    author = author_of(doc.get("author_id"), authors)
    link = doc.get("link")
    return PostOut(
        id=doc["_id"], org=card(org), author=author, title=doc["title"], body=doc["body"],
        excerpt=excerpt(doc["body"]), link=PostLink(**link) if link else None,
        important=doc.get("important", False), hidden=doc.get("hidden", False),
        published_at=doc["created_at"], updated_at=doc["updated_at"], version=doc["version"],
    )  # fmt: skip
