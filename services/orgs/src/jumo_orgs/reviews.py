"""Reviews of organizations, their answers and helpful votes — the Yelp part.

Rules where the issue is silent:
- Only a verified organization is reviewed: its page is public and vouched for; a draft or
  pending one is not public yet (``REVIEWABLE``).
- An organization's own people (owners, admins, editors) neither review it nor vote on its
  reviews: a conflict of interest, and "helpful" votes would otherwise let an organization
  bury what displeases it. A person it blocked does neither either (deleting one's own review
  is always possible).
- The organization answers a review once, publicly (its admins and owners); a second answer
  is a 409, the first stays as written.
- A hidden review is gone from lists and summaries; only moderators and its author open it.
- The "volunteered here" badge comes from a ``VolunteerRecord`` (the next issue's volunteering
  record plugs in; until then nobody has volunteered) and is stored with each write, so the
  summary counts verified volunteers' reviews apart with the same ``$group``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.outbox import UpsertPlan, WriteConflict, Written
from jumo_orgs import review_plans as plans
from jumo_orgs.cards import card
from jumo_orgs.deps import Deps
from jumo_orgs.errors import ChangingConcurrently, OrgNotFound, OrgNotVerified
from jumo_orgs.news import author_of
from jumo_orgs.people import Person
from jumo_orgs.review_plans import OwnOrganization, ReviewNotFound
from jumo_orgs.review_store import is_listed, review_key
from jumo_orgs.schemas.news import Author
from jumo_orgs.schemas.reviews import (
    Answer,
    AnswerDraft,
    ReviewDraft,
    ReviewOut,
    ReviewQuery,
    ReviewSummary,
    Vote,
)

REVIEWABLE = frozenset({"verified"})
ANSWERERS = "admin"  # the lowest role that answers a review for its organization


class VolunteerRecord(Protocol):
    """Who has volunteered where (the next issue's volunteering record provides it)."""

    async def volunteered(self, user_id: str, org_id: str) -> bool:
        """Whether the person has volunteered with the organization, by Jumo's record."""
        ...


class NoVolunteerRecord:
    """Until volunteering exists, nobody has volunteered anywhere."""

    async def volunteered(self, user_id: str, org_id: str) -> bool:
        """Always False."""
        return False


class Reviews:
    """Reviews of organizations, their answers and helpful votes."""

    def __init__(self, deps: Deps, record: VolunteerRecord | None = None) -> None:
        self._deps = deps
        self._store = deps.stores.reviews
        self.record: VolunteerRecord = record or NoVolunteerRecord()

    # ---- the author ---------------------------------------------------------------------------

    async def post(
        self, org_ref: str, caller: Principal, draft: ReviewDraft, now: datetime
    ) -> ReviewOut:
        """Review an organization (review.posted), or change one's review (review.updated)."""
        org = await self._deps.access.org(org_ref, caller)
        await self._check_outsider(org["_id"], caller)
        if org.get("status") not in REVIEWABLE:
            raise OrgNotVerified("Only a verified organization can be reviewed.")
        volunteered = await self.record.volunteered(caller.user_id, org["_id"])
        fields = {"stars": draft.stars, "text": draft.text, "volunteered": volunteered}
        review_id, org_card = review_key(org["_id"], caller.user_id), card(org)
        before = await self._store.review(review_id)
        if before is None or before.get("state") != "posted":
            await self._store.forget_votes_on(review_id)  # a vote that raced a deletion
        written = await self._write(
            review_id, lambda d: plans.write(d, caller.user_id, fields, org_card, now)
        )
        return await self._one(_current(written, review_id), caller)

    async def delete(self, review_id: str, caller: Principal) -> None:
        """Its author deletes a review: review.deleted, its votes go too."""
        doc = await self._store.review(review_id)
        if doc is None or doc.get("state") != "posted":
            raise ReviewNotFound("No such review.")
        if doc["author_id"] != caller.user_id:
            await self._visible(doc, caller)
            raise plans.NotTheAuthor("Only its author deletes a review.")
        await self._remove(review_id, caller.user_id)

    # ---- the organization and the readers -----------------------------------------------------

    async def answer(
        self, review_id: str, caller: Principal, draft: AnswerDraft, now: datetime
    ) -> ReviewOut:
        """The organization's admins and owners answer a review, once."""
        doc = await self._visible(await self._store.review(review_id), caller)
        await self._deps.access.require(doc["org_id"], caller, ANSWERERS)
        if not is_listed(doc):
            raise plans.ReviewIsHidden("A moderator hid this review.")
        written = await self._write(review_id, lambda d: plans.answer(d, draft.text, now))
        if written.change is None:
            raise ReviewNotFound("No such review.")  # deleted or hidden meanwhile
        return await self._one(written.after(), caller)

    async def vote(
        self, review_id: str, caller: Principal, *, helpful: bool, now: datetime
    ) -> Vote:
        """Find a review helpful (``helpful``) or take that back; one vote per person."""
        doc = await self._visible(await self._store.review(review_id), caller)
        if not is_listed(doc):
            raise ReviewNotFound("No such review.")
        if doc["author_id"] == caller.user_id:
            raise plans.OwnReview("You cannot vote for your own review.")
        if helpful:
            await self._check_outsider(doc["org_id"], caller)
            changed = await self._store.add_vote(review_id, doc["org_id"], caller.user_id, now)
        else:
            changed = await self._store.remove_vote(review_id, caller.user_id)
        count = await self._store.helpful(review_id)
        return Vote(review_id=review_id, voted=helpful, changed=changed, helpful=count)

    async def page(
        self, org_ref: str, caller: Principal | None, query: ReviewQuery
    ) -> tuple[list[ReviewOut], str | None]:
        """One page of an organization's reviews, newest or most helpful first."""
        org = await self._deps.access.org(org_ref, caller)
        page = await self._store.org_reviews(
            org["_id"], sort=query.sort, volunteered=query.volunteered, limit=query.limit,
            cursor=query.cursor,
        )  # fmt: skip
        return await self._views(page.items, caller), page.next_cursor

    async def review(self, review_id: str, caller: Principal | None) -> ReviewOut:
        """One review, if the caller may see it."""
        doc = await self._visible(await self._store.review(review_id), caller)
        return await self._one(doc, caller)

    async def summary(self, org_id: str) -> ReviewSummary:
        """An organization's reviews in numbers, counted from the listed reviews (exact under
        any concurrency); verified volunteers' reviews also apart."""
        everyone = plans.ratings(await self._store.star_counts(org_id, volunteered=None))
        volunteers = plans.ratings(await self._store.star_counts(org_id, volunteered=True))
        return ReviewSummary(org_id=org_id, **everyone.model_dump(), volunteered=volunteers)

    # ---- moderation and erasure ---------------------------------------------------------------

    async def set_hidden(self, review_id: str, hidden: bool) -> bool:
        """Moderation hides (or shows again) a review: it disappears from every list, and the
        event says so to the feed; False when there is no such review."""
        written = await self._store.change_review(review_id, lambda d: plans.hide(d, hidden))
        return written.before is not None and written.before.get("state") == "posted"

    async def forget(self, user_id: str) -> None:
        """A person left Jumo: their reviews are deleted (review.deleted each), their votes too."""
        for review_id in await self._store.review_ids_by(user_id):
            await self._remove(review_id, None)
        await self._store.forget_votes_by(user_id)

    # ---- helpers ------------------------------------------------------------------------------

    async def _check_outsider(self, org_id: str, caller: Principal) -> None:
        await self._deps.access.check_not_blocked(org_id, caller.user_id)
        if await self._deps.access.role(org_id, caller.user_id) is not None:
            raise OwnOrganization("An organization's own people do not review it.")

    async def _remove(self, review_id: str, actor_id: str | None) -> None:
        await self._write(review_id, lambda d: plans.delete(d, actor_id))
        await self._store.forget_votes_on(review_id)

    async def _write(self, review_id: str, plan: UpsertPlan) -> Written:
        try:
            return await self._store.change_review(review_id, plan)
        except WriteConflict:
            raise ChangingConcurrently("This review is changing concurrently; try again.") from None

    async def _visible(self, doc: Document | None, caller: Principal | None) -> Document:
        """A posted review the caller may see: of an organization they may see, and not hidden
        unless they moderate or wrote it."""
        if doc is None or doc.get("state") != "posted":
            raise ReviewNotFound("No such review.")
        try:
            await self._deps.access.org(doc["org_id"], caller)
        except OrgNotFound:
            raise ReviewNotFound("No such review.") from None
        if doc.get("hidden") and not (
            caller is not None
            and (self._deps.access.is_moderator(caller) or caller.user_id == doc["author_id"])
        ):
            raise ReviewNotFound("No such review.")
        return doc

    async def _one(self, doc: Document, caller: Principal | None) -> ReviewOut:
        helpful = await self._store.helpful(doc["_id"])
        return (await self._views([doc | {"helpful": helpful}], caller))[0]

    async def _views(self, docs: list[Document], caller: Principal | None) -> list[ReviewOut]:
        people = await self._deps.people.people([d["author_id"] for d in docs])
        ids = [d["_id"] for d in docs]
        voted = await self._store.voted_among(caller.user_id, ids) if caller else None
        return [_view(d, people, voted) for d in docs]


def _current(written: Written, review_id: str) -> Document:
    """The review as written (``after`` of a first write lacks the ``_id``)."""
    return {"_id": review_id, **(written.after() if written.change else written.before or {})}


def _view(doc: Document, people: dict[str, Person], voted: set[str] | None) -> ReviewOut:
    author = author_of(doc["author_id"], people) or Author(id="", display_name="Jumo member")
    answer = doc.get("answer")
    return ReviewOut(
        id=doc["_id"], org_id=doc["org_id"], author=author, stars=doc["stars"], text=doc["text"],
        volunteered=doc.get("volunteered", False), helpful=doc.get("helpful", 0),
        voted=None if voted is None else doc["_id"] in voted,
        answer=Answer(text=answer["text"], answered_at=answer["answered_at"]) if answer else None,
        hidden=doc.get("hidden", False), created_at=doc["created_at"],
        updated_at=doc["updated_at"], version=doc["version"],
    )  # fmt: skip
