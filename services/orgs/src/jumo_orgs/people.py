"""The people orgs knows, from identity's events: who they are, what they can do, who may see
what of them. Handlers of ``user.registered``, ``user.updated``, ``user.followed``,
``user.unfollowed``; every one idempotent and order-safe (a late event changes nothing)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope
from jumo_common.events.identity import (
    UserFollowed,
    UserRegistered,
    UserUnfollowed,
    UserUpdated,
)
from jumo_common.mongo import Document
from jumo_orgs.people_store import PeopleStore

PROFILE_FIELDS = ("display_name", "avatar_url", "skills", "interests", "languages", "place",
                  "availability", "visibility", "findable", "radius_km")  # fmt: skip
# Called with a person's id after every change of their projection (matching's index of
# findable people keeps in step through it).
PersonHook = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Person:
    """A person as orgs shows them: enough for a name, a picture and the visibility rule."""

    id: str
    display_name: str
    avatar_url: str | None = None
    visibility: str = "public"


def person_of(doc: Document) -> Person:
    """The ``Person`` of a stored document."""
    return Person(
        id=doc["_id"],
        display_name=doc.get("display_name") or "Jumo member",
        avatar_url=doc.get("avatar_url"),
        visibility=doc.get("visibility", "public"),
    )


def registered(doc: Document | None, data: UserRegistered) -> Change | None:
    """A sign-up creates the person, unless anything (an update, a deletion) came first."""
    if doc is not None:
        return None
    fields = {"display_name": data.display_name, "avatar_url": data.avatar_url,
              "visibility": data.visibility, "profile_version": 0}  # fmt: skip
    return Change(set=fields)


def updated(doc: Document | None, data: UserUpdated) -> Change | None:
    """A newer profile replaces the projection; an older or repeated one changes nothing."""
    if doc is not None and doc.get("deleted"):
        return None
    version = data.version or 0
    if doc is not None and int(doc.get("profile_version", -1)) >= version and version:
        return None
    profile: dict[str, Any] = data.model_dump(mode="python", include=set(PROFILE_FIELDS))
    return Change(set={**profile, "profile_version": version})


def followed(doc: Document | None, pair: tuple[str, str], seq: int, active: bool) -> Change | None:
    """A follow or unfollow newer than what is known; an older one changes nothing."""
    if doc is not None and int(doc.get("seq", 0)) >= seq:
        return None
    follower_id, followee_id = pair
    return Change(set={"follower_id": follower_id, "followee_id": followee_id, "active": active,
                       "seq": seq})  # fmt: skip


class People:
    """The projection of people, and the questions the other use cases ask of it."""

    def __init__(self, store: PeopleStore, hooks: Sequence[PersonHook] = ()) -> None:
        self._store = store
        self.hooks = list(hooks)

    async def _changed(self, user_id: str) -> None:
        for hook in self.hooks:
            await hook(user_id)

    # ---- handlers -----------------------------------------------------------------------------

    async def on_registered(self, event: Envelope[UserRegistered]) -> None:
        """``user.registered``: a new person."""
        await self._store.change_person(event.data.user_id, lambda d: registered(d, event.data))
        await self._changed(event.data.user_id)

    async def on_updated(self, event: Envelope[UserUpdated]) -> None:
        """``user.updated``: a person's whole profile as it is now."""
        await self._store.change_person(event.data.user_id, lambda d: updated(d, event.data))
        await self._changed(event.data.user_id)

    async def on_followed(self, event: Envelope[UserFollowed]) -> None:
        """``user.followed``: follower now follows followee."""
        await self._set_follow(event.data.follower_id, event.data.followee_id, event.data.seq, True)

    async def on_unfollowed(self, event: Envelope[UserUnfollowed]) -> None:
        """``user.unfollowed``: follower no longer follows followee."""
        await self._set_follow(
            event.data.follower_id, event.data.followee_id, event.data.seq, False
        )

    async def _set_follow(self, follower_id: str, followee_id: str, seq: int, active: bool) -> None:
        pair = (follower_id, followee_id)
        await self._store.change_follow(*pair, lambda d: followed(d, pair, seq, active))

    async def forget(self, user_id: str) -> None:
        """A deleted person: a bare tombstone, and none of their follows."""
        await self._store.change_person(user_id, lambda d: _tombstone(d))
        await self._store.forget_follows(user_id)
        await self._changed(user_id)

    # ---- questions ----------------------------------------------------------------------------

    async def person(self, user_id: str) -> Person | None:
        """A live person orgs knows of (None: unknown or deleted)."""
        doc = await self._store.person(user_id)
        return person_of(doc) if doc is not None and not doc.get("deleted") else None

    async def profile(self, user_id: str) -> Document | None:
        """The whole projected profile of a live person (for matching)."""
        doc = await self._store.person(user_id)
        return doc if doc is not None and not doc.get("deleted") else None

    async def people(self, user_ids: Sequence[str]) -> dict[str, Person]:
        """The live people among ``user_ids``, by id."""
        return {doc["_id"]: person_of(doc) for doc in await self._store.people(user_ids)}

    async def follows(self, follower_id: str, followee_id: str) -> bool:
        """Whether one person follows another now (as identity last said)."""
        doc = await self._store.follow(follower_id, followee_id)
        return bool(doc and doc.get("active"))

    async def may_see(self, viewer_id: str | None, person: Person) -> bool:
        """Identity's visibility rule: public to all, followers to followers, private to oneself."""
        if viewer_id == person.id or person.visibility == "public":
            return True
        return (
            person.visibility == "followers"
            and viewer_id is not None
            and await self.follows(viewer_id, person.id)
        )


def _tombstone(doc: Document | None) -> Change:
    gone = frozenset(name for name in (doc or {}) if name not in ("_id", "version"))
    return Change(set={"deleted": True}, unset=gone - {"deleted"})
