"""People following organizations, each follow with its own settings.

A follow is one document per (person, organization) whose version is the pair's ``seq``::

    follow     not following → following          org.followed (with the settings)
               following, other settings sent      org.follow_changed
    settings   following, other settings           org.follow_changed
    unfollow   following → not following           org.unfollowed
    forget     (the person was deleted)            org.unfollowed if following; the document
                                                   becomes a tombstone, deleted once sent

Repeating a move changes nothing and publishes nothing. A new follow takes the default settings
for those not sent (``FollowSettings``); a follow that ended keeps none. Following needs an
organization the person may see (not hidden, not a draft, unless they are one of its people)
and that has not blocked them; unfollowing needs neither. No aiohttp, no pymongo here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.orgs import FollowSettings, OrgFollowChanged, OrgFollowed, OrgUnfollowed
from jumo_common.jwt import Principal
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document
from jumo_common.outbox import UpsertPlan, WriteConflict, Written
from jumo_common.web import Page
from jumo_orgs.cards import card
from jumo_orgs.causes import AccountDeleted
from jumo_orgs.deps import Deps
from jumo_orgs.errors import ChangingConcurrently, NotFoundError, OrgNotFound
from jumo_orgs.people import Person
from jumo_orgs.schemas.follows import FollowedOrg, Follower, FollowersPage, FollowOut

PRODUCER = "orgs"
SETTING_FIELDS = tuple(FollowSettings.model_fields)


class NotFollowing(NotFoundError):
    """Settings of a follow that does not exist."""

    slug = "not-following"


# ---- events and plans (pure) --------------------------------------------------------------------


def _event(data: Any, *, actor: str | None, org_id: str) -> Envelope[Any]:
    return make_event(
        data, producer=PRODUCER, actor_id=actor, subject_id=org_id, trace_id=current_trace_id()
    )


def org_followed(user_id: str, org_id: str, settings: FollowSettings, seq: int) -> Envelope[Any]:
    """A person follows an organization, with these settings."""
    data = OrgFollowed(org_id=org_id, user_id=user_id, settings=settings, seq=seq)
    return _event(data, actor=user_id, org_id=org_id)


def org_follow_changed(
    user_id: str, org_id: str, settings: FollowSettings, seq: int
) -> Envelope[Any]:
    """A follower changed the settings of their follow."""
    data = OrgFollowChanged(org_id=org_id, user_id=user_id, settings=settings, seq=seq)
    return _event(data, actor=user_id, org_id=org_id)


def org_unfollowed(user_id: str, org_id: str, seq: int, *, actor: str | None) -> Envelope[Any]:
    """A person no longer follows an organization (actor None: they were deleted)."""
    return _event(
        OrgUnfollowed(org_id=org_id, user_id=user_id, seq=seq), actor=actor, org_id=org_id
    )


def settings_of(doc: Mapping[str, Any]) -> FollowSettings:
    """The settings of a stored follow."""
    return FollowSettings(**{name: doc[name] for name in SETTING_FIELDS if name in doc})


def follow_change(
    doc: Document | None, pair: tuple[str, str], wanted: Mapping[str, Any], *, now: datetime
) -> Change | None:
    """Follow with the ``wanted`` settings (None: already so, or the person was deleted)."""
    if doc is not None and doc.get("deleted"):
        return None
    if doc is not None and doc.get("active"):
        return settings_change(doc, wanted)
    user_id, org_id = pair
    settings = FollowSettings(**wanted)
    fields = {"user_id": user_id, "org_id": org_id, "active": True, "since": now,
              **settings.model_dump()}  # fmt: skip
    return Change(set=fields, events=lambda seq: [org_followed(user_id, org_id, settings, seq)])


def settings_change(doc: Document | None, wanted: Mapping[str, Any]) -> Change | None:
    """New settings for an active follow (None: not following, or nothing differs)."""
    if doc is None or not doc.get("active") or doc.get("deleted"):
        return None
    current = settings_of(doc)
    settings = FollowSettings(**{**current.model_dump(), **wanted})
    if settings == current:
        return None
    user_id, org_id = doc["user_id"], doc["org_id"]
    return Change(
        set=settings.model_dump(),
        events=lambda seq: [org_follow_changed(user_id, org_id, settings, seq)],
    )


def unfollow_change(doc: Document | None, *, actor: str | None) -> Change | None:
    """End an active follow (None: not following)."""
    if doc is None or not doc.get("active") or doc.get("deleted"):
        return None
    user_id, org_id = doc["user_id"], doc["org_id"]
    return Change(
        set={"active": False}, unset=frozenset({"since", *SETTING_FIELDS}),
        events=lambda seq: [org_unfollowed(user_id, org_id, seq, actor=actor)],
    )  # fmt: skip


def forgotten(doc: Document | None) -> Change | None:
    """A deleted person's follow becomes a tombstone carrying org.unfollowed (if it was
    active); the earlier unsent events stay, so that none is lost."""
    if doc is None or doc.get("deleted"):
        return None
    ended = unfollow_change(doc, actor=None)
    gone = frozenset(k for k in doc if not k.startswith("_") and k not in ("version", "user_id"))
    return Change(set={"deleted": True}, unset=gone, events=ended.events if ended else ())


def follow_out(org_id: str, written: Written) -> FollowOut:
    """The answer of a follow write."""
    doc = written.after() if written.change else (written.before or {})
    active = bool(doc.get("active"))
    return FollowOut(
        org_id=org_id, following=active, settings=settings_of(doc) if active else None,
        changed=written.change is not None,
    )  # fmt: skip


def follower(follow: Document, person: Person | None) -> Follower:
    """A follower as the organization's admins see them (a person orgs has not heard of yet
    shows as a plain member)."""
    return Follower(
        user_id=follow["user_id"], since=follow["since"],
        display_name=person.display_name if person else "Jumo member",
        avatar_url=person.avatar_url if person else None,
    )  # fmt: skip


# ---- the use cases ------------------------------------------------------------------------------


class Following:
    """People following organizations, with their own settings."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._store = deps.stores.follows

    async def follow(
        self, caller: Principal, ref: str, wanted: Mapping[str, Any], *, now: datetime
    ) -> FollowOut:
        """Follow an organization (by id or slug) with ``wanted`` settings, or change the
        settings of the follow; repeating it changes and publishes nothing."""
        org_id = await self._followable(caller, ref)
        pair = (caller.user_id, org_id)
        written = await self._write(pair, lambda d: follow_change(d, pair, wanted, now=now))
        return follow_out(org_id, written)

    async def change_settings(
        self, caller: Principal, ref: str, wanted: Mapping[str, Any]
    ) -> FollowOut:
        """Change the settings of a follow (NotFollowing when there is none)."""
        org_id = await self._followable(caller, ref)
        written = await self._write((caller.user_id, org_id), lambda d: settings_change(d, wanted))
        if not (written.before or {}).get("active"):
            raise NotFollowing("You do not follow this organization.")
        return follow_out(org_id, written)

    async def unfollow(self, user_id: str, ref: str) -> FollowOut:
        """Stop following; needs no sight of the organization (it may be hidden since)."""
        org_id = await self._org_id(user_id, ref)
        written = await self._write((user_id, org_id), lambda d: unfollow_change(d, actor=user_id))
        return follow_out(org_id, written)

    async def state(self, caller: Principal, ref: str) -> FollowOut:
        """Whether the caller follows an organization they may see, and with what settings."""
        org = await self._deps.access.org(ref, caller)
        doc = await self._store.follow(caller.user_id, org["_id"]) or {}
        active = bool(doc.get("active")) and not doc.get("deleted")
        settings = settings_of(doc) if active else None
        return FollowOut(org_id=org["_id"], following=active, settings=settings)

    async def following(self, user_id: str, *, limit: int, cursor: str | None) -> Page[FollowedOrg]:
        """The organizations a person follows, newest follow first (hidden ones left out)."""
        page = await self._store.following_page(user_id, limit=limit, cursor=cursor)
        orgs = await self._store.orgs([f["org_id"] for f in page.items])
        items = [
            FollowedOrg(org=card(orgs[f["org_id"]]), settings=settings_of(f), since=f["since"])
            for f in page.items
            if f["org_id"] in orgs and not orgs[f["org_id"]].get("hidden")
        ]
        return Page[FollowedOrg](items=items, next_cursor=page.next_cursor)

    async def followers(
        self, caller: Principal, ref: str, *, limit: int, cursor: str | None
    ) -> FollowersPage:
        """An organization's followers, for its admins and owners only."""
        org = await self._deps.access.org(ref, caller)
        await self._deps.access.require(org["_id"], caller, "admin")
        page = await self._store.followers_page(org["_id"], limit=limit, cursor=cursor)
        people = await self._deps.people.people([f["user_id"] for f in page.items])
        items = [follower(f, people.get(f["user_id"])) for f in page.items]
        total = await self.count(org["_id"])
        return FollowersPage(items=items, next_cursor=page.next_cursor, total=total)

    async def count(self, org_id: str) -> int:
        """How many people follow an organization now (counted, exact)."""
        return await self._store.count_followers(org_id)

    async def forget(self, user_id: str) -> None:
        """A deleted person unfollows everything (org.unfollowed each); their follows go."""
        await self._store.purge_forgotten()  # earlier erasures whose events are out by now
        for doc in await self._store.every_follow_of(user_id):
            await self._store.change_follow(user_id, doc["org_id"], forgotten)
        await self._store.purge_forgotten(user_id)

    async def sweep(self) -> int:
        """Delete the tombstones of deleted people whose events were sent (housekeeping)."""
        return await self._store.purge_forgotten()

    # ---- checks -------------------------------------------------------------------------------

    async def _followable(self, caller: Principal, ref: str) -> str:
        """The id of an organization the caller may follow: visible to them, not a draft
        (unless they are one of its people), and not blocking them."""
        access = self._deps.access
        org = await access.org(ref, caller)
        org_id: str = org["_id"]
        if org.get("status") == "draft" and await access.role(org_id, caller.user_id) is None:
            raise OrgNotFound("No such organization.")
        await access.check_not_blocked(org_id, caller.user_id)
        person = await self._deps.stores.people.person(caller.user_id)
        if person is not None and person.get("deleted"):
            raise AccountDeleted("This account no longer exists.")
        return org_id

    async def _org_id(self, user_id: str, ref: str) -> str:
        """The id of an organization by id or slug, whatever its state; a follow of an
        organization that is gone is still found by its id."""
        orgs = self._deps.stores.orgs
        org = await orgs.org(ref) or await orgs.org_by_slug(ref)
        if org is not None:
            return str(org["_id"])
        if await self._store.follow(user_id, ref) is None:
            raise OrgNotFound("No such organization.")
        return ref

    async def _write(self, pair: tuple[str, str], plan: UpsertPlan) -> Written:
        try:
            return await self._store.change_follow(*pair, plan)
        except WriteConflict:
            raise ChangingConcurrently("This follow is changing; try again.") from None
