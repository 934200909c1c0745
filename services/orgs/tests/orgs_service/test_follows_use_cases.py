"""Following organizations on the memory stores: settings and their defaults, idempotence
(one event per change, seq = the pair's version), who may follow what, the followers list for
admins only, the exact count, and erasure. No servers."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.events.orgs import OrgFollowChanged, OrgFollowed, OrgUnfollowed
from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.causes import AccountDeleted
from jumo_orgs.deps import Deps
from jumo_orgs.errors import Blocked, NotAllowed, OrgNotFound
from jumo_orgs.following import Following, NotFollowing
from jumo_orgs.moderation_store import block_key
from jumo_orgs.org_store import member_key

from .memory import memory_deps
from .memory_moderation import MemoryModerationStore
from .memory_orgs import MemoryOrgStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ORG = "a" * 32


def who(user_id: str, *roles: str) -> Principal:
    """A caller with a token."""
    return Principal(user_id, f"jti-{user_id}", int(time.time()) + 900, frozenset(roles))


@pytest.fixture
async def world() -> tuple[Deps, PublishedEvents]:
    """orgs' deps in memory with one verified organization, ``ORG`` (slug ``water``)."""
    deps, published = memory_deps()
    await add_org(deps, ORG, "water")
    return deps, published


def _orgs(deps: Deps) -> MemoryOrgStore:
    store = deps.stores.orgs
    assert isinstance(store, MemoryOrgStore)
    return store


async def add_org(deps: Deps, org_id: str, slug: str, **fields: Any) -> None:
    """An organization document as the organizations area writes it (verified by default)."""
    doc = {"_id": org_id, "slug": slug, "name": slug.title(), "status": "verified", **fields}
    assert await _orgs(deps).orgs.create(doc)


async def add_role(deps: Deps, org_id: str, user_id: str, role: str) -> None:
    """One of the organization's people."""
    doc = {"_id": member_key(org_id, user_id), "org_id": org_id, "user_id": user_id,
           "role": role, "state": "active"}  # fmt: skip
    assert await _orgs(deps).members.create(doc)


def block(deps: Deps, org_id: str, user_id: str) -> None:
    """The organization's admins block a person."""
    store = deps.stores.moderation
    assert isinstance(store, MemoryModerationStore)
    store.blocks[block_key(org_id, user_id)] = {"_id": block_key(org_id, user_id)}


def always(change: Change) -> Callable[[Document | None], Change]:
    """A plan that makes ``change`` whatever the document."""
    return lambda _doc: change


def kinds(published: PublishedEvents) -> list[tuple[str, int]]:
    """Each event's type and seq."""
    return [(e.type, e.data.seq) for e in published]


async def test_a_follow_takes_defaults_and_settings_change_once_per_change(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, published = world
    following = Following(deps)
    ann = who("ann")
    first = await following.follow(ann, "water", {}, now=NOW)
    assert (first.org_id, first.following, first.changed) == (ORG, True, True)
    assert first.settings is not None
    assert first.settings.model_dump() == {"in_feed": True, "notify": "important",
                                           "digest": "weekly"}  # fmt: skip
    assert not (await following.follow(ann, ORG, {}, now=NOW)).changed  # nothing sent: as is
    same = await following.follow(ann, ORG, {"notify": "important"}, now=NOW)
    assert not same.changed
    changed = await following.follow(ann, ORG, {"notify": "all"}, now=NOW)
    assert changed.changed
    assert changed.settings is not None
    assert changed.settings.notify == "all"
    patched = await following.change_settings(ann, ORG, {"digest": "never", "in_feed": False})
    assert patched.settings is not None
    assert (patched.settings.notify, patched.settings.digest, patched.settings.in_feed) == (
        "all", "never", False,
    )  # fmt: skip
    assert not (await following.change_settings(ann, ORG, {"digest": "never"})).changed
    assert kinds(published) == [
        ("org.followed", 1), ("org.follow_changed", 2), ("org.follow_changed", 3),
    ]  # fmt: skip
    last = published.of_type(OrgFollowChanged)[-1]
    assert (last.actor_id, last.subject_id, last.data.settings.in_feed) == ("ann", ORG, False)


async def test_unfollowing_is_idempotent_and_a_new_follow_starts_from_the_defaults(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, published = world
    following = Following(deps)
    ann = who("ann")
    await following.follow(ann, ORG, {"notify": "none"}, now=NOW)
    gone = await following.unfollow("ann", ORG)
    assert (gone.following, gone.settings, gone.changed) == (False, None, True)
    assert not (await following.unfollow("ann", "water")).changed
    with pytest.raises(NotFollowing):
        await following.change_settings(ann, ORG, {"notify": "all"})
    again = await following.follow(ann, ORG, {}, now=NOW)
    assert again.settings is not None
    assert again.settings.notify == "important"
    assert kinds(published) == [("org.followed", 1), ("org.unfollowed", 2), ("org.followed", 3)]
    assert published.of_type(OrgFollowed)[-1].data.settings.notify == "important"


async def test_who_may_follow_what(world: tuple[Deps, PublishedEvents]) -> None:
    deps, published = world
    following = Following(deps)
    await add_org(deps, "b" * 32, "hidden", hidden=True)
    await add_org(deps, "c" * 32, "draft", status="draft")
    await add_role(deps, "c" * 32, "owner", "owner")
    block(deps, ORG, "troll")
    with pytest.raises(Blocked):
        await following.follow(who("troll"), ORG, {}, now=NOW)
    for ref in ("hidden", "draft", "nothing-here"):
        with pytest.raises(OrgNotFound):
            await following.follow(who("ann"), ref, {}, now=NOW)
    assert (await following.follow(who("owner"), "draft", {}, now=NOW)).following
    assert (await following.follow(who("mod", "moderator"), "hidden", {}, now=NOW)).following
    assert [e.data.user_id for e in published] == ["owner", "mod"]
    tombstone = Change(set={"deleted": True})
    await deps.stores.people.change_person("gone", lambda _d: tombstone)
    with pytest.raises(AccountDeleted):
        await following.follow(who("gone"), ORG, {}, now=NOW)


async def test_unfollowing_needs_no_sight_of_the_organization(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, published = world
    following = Following(deps)
    await following.follow(who("ann"), ORG, {}, now=NOW)
    _orgs(deps).orgs.documents[ORG]["hidden"] = True  # a moderator hid it since
    assert (await following.unfollow("ann", ORG)).changed
    del _orgs(deps).orgs.documents[ORG]
    assert not (await following.unfollow("ann", ORG)).changed  # gone, but the follow is known
    with pytest.raises(OrgNotFound):
        await following.unfollow("bob", ORG)  # neither an organization nor a follow
    assert kinds(published) == [("org.followed", 1), ("org.unfollowed", 2)]


async def test_the_followers_list_is_for_admins_and_the_count_is_exact(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, _ = world
    following = Following(deps)
    await add_role(deps, ORG, "boss", "admin")
    await add_role(deps, ORG, "ed", "editor")
    for i, name in enumerate(["ann", "bob", "cat"]):
        profile = Change(set={"display_name": name.title(),
                              "avatar_url": f"https://pics.example/{name}"})  # fmt: skip
        await deps.stores.people.change_person(name, always(profile))
        await following.follow(who(name), ORG, {}, now=NOW + timedelta(minutes=i))
    await following.unfollow("bob", ORG)
    for outsider in ("ed", "ann", "stranger"):
        with pytest.raises(NotAllowed):
            await following.followers(who(outsider), ORG, limit=10, cursor=None)
    page = await following.followers(who("boss"), ORG, limit=1, cursor=None)
    assert ([f.display_name for f in page.items], page.total) == (["Cat"], 2)
    rest = await following.followers(who("boss"), ORG, limit=1, cursor=page.next_cursor)
    assert [(f.user_id, f.avatar_url) for f in rest.items] == [("ann", "https://pics.example/ann")]
    assert rest.next_cursor is None
    assert await following.count(ORG) == 2


async def test_my_follows_are_newest_first_and_leave_hidden_organizations_out(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, _ = world
    following = Following(deps)
    await add_org(deps, "b" * 32, "trees")
    await add_org(deps, "c" * 32, "books")
    for i, ref in enumerate(["water", "trees", "books"]):
        await following.follow(who("ann"), ref, {"digest": "daily"}, now=NOW + timedelta(hours=i))
    _orgs(deps).orgs.documents["b" * 32]["hidden"] = True
    page = await following.following("ann", limit=10, cursor=None)
    assert [(f.org.slug, f.settings.digest) for f in page.items] == [
        ("books", "daily"), ("water", "daily"),
    ]  # fmt: skip
    assert page.items[0].org.initials == "B"


async def test_forgetting_a_person_unfollows_everything_and_keeps_nothing(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, published = world
    following = Following(deps)
    await add_org(deps, "b" * 32, "trees")
    await following.follow(who("ann"), ORG, {}, now=NOW)
    await following.follow(who("ann"), "trees", {}, now=NOW)
    await following.unfollow("ann", "trees")
    await following.follow(who("bob"), ORG, {}, now=NOW)
    published.clear()
    await following.forget("ann")
    assert [(e.data.org_id, e.data.seq, e.actor_id) for e in published] == [(ORG, 2, None)]
    assert isinstance(published[0].data, OrgUnfollowed)
    assert await deps.stores.follows.follow("ann", ORG) is None
    assert await deps.stores.follows.follow("ann", "b" * 32) is None
    assert await following.count(ORG) == 1
    await following.forget("ann")
    assert len(published) == 1
