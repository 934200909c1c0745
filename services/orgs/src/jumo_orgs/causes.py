"""Causes: the catalogue's tree with its counts, who joined which cause, a person's causes.

A membership is one document per (cause, person) whose version is the pair's ``seq``::

    join    not a member → member      cause.joined
    leave   member → not a member      cause.left
    forget  (the person was deleted)   cause.left if a member; the document becomes a
                                       tombstone, deleted once its events are sent

Repeating a move changes nothing and publishes nothing. Counts are counted from the documents
(see ``cause_store``); a top-level cause counts its children too, each person and organization
once. No aiohttp, no pymongo here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.orgs import CauseJoined, CauseLeft
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document
from jumo_common.outbox import WriteConflict
from jumo_common.web import Page
from jumo_orgs import catalogue
from jumo_orgs.cards import card
from jumo_orgs.catalogue import Cause
from jumo_orgs.deps import Deps
from jumo_orgs.errors import ChangingConcurrently, NotAllowed, NotFoundError, OrgsError
from jumo_orgs.schemas.causes import (
    CauseDetail,
    CauseNode,
    CauseOrganization,
    CauseOut,
    CauseTree,
    JoinedCause,
    Membership,
    PersonCauses,
)

PRODUCER = "orgs"


class CauseNotFound(NotFoundError):
    """No cause with that slug in the catalogue."""

    slug = "cause-not-found"


class PersonNotFound(NotFoundError):
    """No (live) person with that id."""

    slug = "user-not-found"


class CausesHidden(NotAllowed):
    """The person's visibility hides their causes from this viewer."""

    slug = "causes-hidden"


class AccountDeleted(OrgsError):
    """A still valid access token of a person who deleted their account."""

    status = 401
    slug = "account-deleted"


@dataclass(frozen=True)
class Counts:
    """A cause's members and organizations."""

    members: int = 0
    organizations: int = 0


# ---- events and plans (pure) --------------------------------------------------------------------


def _event(data: Any, *, actor: str | None, cause: str) -> Envelope[Any]:
    return make_event(
        data, producer=PRODUCER, actor_id=actor, subject_id=cause, trace_id=current_trace_id()
    )


def cause_joined(cause: str, user_id: str, seq: int) -> Envelope[Any]:
    """A person joined a cause."""
    return _event(CauseJoined(cause=cause, user_id=user_id, seq=seq), actor=user_id, cause=cause)


def cause_left(cause: str, user_id: str, seq: int, *, actor: str | None) -> Envelope[Any]:
    """A person left a cause (actor None: they were deleted, and orgs forgot them)."""
    return _event(CauseLeft(cause=cause, user_id=user_id, seq=seq), actor=actor, cause=cause)


def membership_change(
    doc: Document | None, cause: str, user_id: str, *, member: bool, now: datetime
) -> Change | None:
    """The write that makes ``user_id`` a member of ``cause`` or not (None: it already is so,
    or the person was deleted)."""
    if doc is not None and doc.get("deleted"):
        return None
    if bool(doc and doc.get("active")) == member:
        return None
    if member:
        fields = {"cause": cause, "user_id": user_id, "active": True, "since": now}
        return Change(set=fields, events=lambda seq: [cause_joined(cause, user_id, seq)])
    return Change(
        set={"active": False}, unset=frozenset({"since"}),
        events=lambda seq: [cause_left(cause, user_id, seq, actor=user_id)],
    )  # fmt: skip


def forgotten(doc: Document | None) -> Change | None:
    """A deleted person's membership becomes a tombstone carrying cause.left (if they were a
    member); the earlier unsent events stay, so that none is lost."""
    if doc is None or doc.get("deleted"):
        return None
    cause, user_id = doc["cause"], doc["user_id"]
    gone = frozenset(k for k in doc if not k.startswith("_") and k not in ("version", "user_id"))
    if not doc.get("active"):
        return Change(set={"deleted": True}, unset=gone)
    return Change(
        set={"deleted": True}, unset=gone,
        events=lambda seq: [cause_left(cause, user_id, seq, actor=None)],
    )  # fmt: skip


def node(cause: Cause, counts: Mapping[str, Counts]) -> CauseOut:
    """A cause with its counts."""
    of = counts.get(cause.slug, Counts())
    return CauseOut(
        slug=cause.slug, name=cause.name, description=cause.description, parent=cause.parent,
        members=of.members, organizations=of.organizations,
    )  # fmt: skip


def organization(org: Document) -> CauseOrganization:
    """An organization as a cause's page lists it."""
    hq = org.get("hq") or {}
    return CauseOrganization(
        **card(org).model_dump(), city=hq.get("city"), country=hq.get("country")
    )


def joined_cause(doc: Document) -> JoinedCause | None:
    """A membership as a person's list shows it (None: a cause no longer in the catalogue)."""
    found = catalogue.cause(doc["cause"])
    if found is None:
        return None
    return JoinedCause(slug=found.slug, name=found.name, parent=found.parent, since=doc["since"])


# ---- the use cases ------------------------------------------------------------------------------


class Causes:
    """The cause catalogue, who joined which cause, and the counts."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._store = deps.stores.causes

    async def tree(self) -> CauseTree:
        """Every top-level cause with its children, each with its counts."""
        counts = await self._counts(catalogue.CAUSES)
        items = [
            CauseNode(
                **node(top, counts).model_dump(),
                children=[node(c, counts) for c in catalogue.children(top.slug)],
            )
            for top in catalogue.top_level()
        ]
        return CauseTree(items=items)

    async def detail(self, slug: str, *, limit: int, cursor: str | None) -> CauseDetail:
        """A cause, its parent and children, their counts, and a page of its organizations."""
        cause = _known(slug)
        parent = catalogue.cause(cause.parent) if cause.parent else None
        children = catalogue.children(slug)
        family = catalogue.with_children(slug)
        counts, page = await asyncio.gather(
            self._counts([cause, *children, *([parent] if parent else [])]),
            self._store.org_page(family, limit=limit, cursor=cursor),
        )
        return CauseDetail(
            cause=node(cause, counts),
            parent=node(parent, counts) if parent else None,
            children=[node(c, counts) for c in children],
            organizations=Page[CauseOrganization](
                items=[organization(o) for o in page.items], next_cursor=page.next_cursor
            ),
        )

    async def set_membership(
        self, user_id: str, slug: str, *, member: bool, now: datetime
    ) -> Membership:
        """Join (``member``) or leave a cause; repeating either changes and publishes nothing."""
        _known(slug)
        await self._require_live(user_id)

        def plan(doc: Document | None) -> Change | None:
            return membership_change(doc, slug, user_id, member=member, now=now)

        try:
            written = await self._store.change_membership(slug, user_id, plan)
        except WriteConflict:
            raise ChangingConcurrently("This membership is changing; try again.") from None
        state = written.after() if written.change else (written.before or {})
        return Membership(
            cause=slug, member=bool(state.get("active")), changed=bool(written.change)
        )

    async def of_person(self, viewer_id: str | None, user_id: str) -> PersonCauses:
        """The causes a person joined, if their visibility lets ``viewer_id`` see them."""
        if viewer_id != user_id:
            person = await self._deps.people.person(user_id)
            if person is None:
                raise PersonNotFound("No such person.")
            if not await self._deps.people.may_see(viewer_id, person):
                raise CausesHidden("This person's causes are not visible to you.")
        docs = await self._store.memberships_of(user_id)
        items = [item for item in map(joined_cause, docs) if item is not None]
        return PersonCauses(user_id=user_id, items=items)

    async def forget(self, user_id: str) -> None:
        """A deleted person leaves every cause (cause.left each); their memberships go."""
        await self._store.purge_forgotten()  # earlier erasures whose events are out by now
        for doc in await self._store.every_membership_of(user_id):
            await self._store.change_membership(doc["cause"], user_id, forgotten)
        await self._store.purge_forgotten(user_id)

    async def sweep(self) -> int:
        """Delete the tombstones of deleted people whose events were sent (housekeeping)."""
        return await self._store.purge_forgotten()

    async def _require_live(self, user_id: str) -> None:
        doc = await self._deps.stores.people.person(user_id)
        if doc is not None and doc.get("deleted"):
            raise AccountDeleted("This account no longer exists.")

    async def _counts(self, causes: Iterable[Cause]) -> dict[str, Counts]:
        """The counts of ``causes``: children's from two groupings, each top-level cause's
        from its family (itself and its children, each person and organization once)."""
        wanted = list(causes)
        tops = [c for c in wanted if c.parent is None]
        (members, orgs), families = await asyncio.gather(
            asyncio.gather(self._store.member_counts(), self._store.org_counts()),
            asyncio.gather(*(self._family_counts(top.slug) for top in tops)),
        )
        counts = {c.slug: Counts(members.get(c.slug, 0), orgs.get(c.slug, 0)) for c in wanted}
        counts.update({top.slug: family for top, family in zip(tops, families, strict=True)})
        return counts

    async def _family_counts(self, slug: str) -> Counts:
        family = catalogue.with_children(slug)
        members, orgs = await asyncio.gather(
            self._store.distinct_members(family), self._store.count_orgs(family)
        )
        return Counts(members, orgs)


def _known(slug: str) -> Cause:
    found = catalogue.cause(slug)
    if found is None:
        raise CauseNotFound("No such cause in the catalogue.")
    return found
