"""Causes on the memory stores: the tree and its counts, a cause's page, joining and leaving
(idempotent, one event per change, seq = the pair's version), a person's causes as their
visibility allows, and erasure. No servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.events.orgs import CauseJoined, CauseLeft
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.causes import (
    AccountDeleted,
    CauseNotFound,
    Causes,
    CausesHidden,
    PersonNotFound,
)
from jumo_orgs.deps import Deps

from .memory import memory_deps
from .memory_orgs import MemoryOrgStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def world() -> tuple[Deps, PublishedEvents]:
    """orgs' deps in memory and the events they publish."""
    return memory_deps()


async def add_org(deps: Deps, name: str, causes: list[str], **fields: Any) -> str:
    """An organization document as the organizations area writes it (verified by default)."""
    store = deps.stores.orgs
    assert isinstance(store, MemoryOrgStore)
    org_id = f"org{len(store.orgs.documents):029d}"
    doc = {"_id": org_id, "slug": name.lower().replace(" ", "-"), "name": name, "causes": causes,
           "status": "verified", "hq": {"city": "Lyon", "country": "FR"}, **fields}  # fmt: skip
    assert await store.orgs.create(doc)
    return org_id


async def add_person(deps: Deps, user_id: str, visibility: str = "public") -> None:
    """A person the projection knows."""
    fields = {"display_name": user_id.title(), "visibility": visibility}
    await deps.stores.people.change_person(user_id, lambda _d: Change(set=fields))


async def test_joining_and_leaving_publish_once_per_change_with_the_pairs_version(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, published = world
    causes = Causes(deps)
    first = await causes.set_membership("ann", "literacy", member=True, now=NOW)
    again = await causes.set_membership("ann", "literacy", member=True, now=NOW)
    left = await causes.set_membership("ann", "literacy", member=False, now=NOW)
    left_again = await causes.set_membership("ann", "literacy", member=False, now=NOW)
    back = await causes.set_membership("ann", "literacy", member=True, now=NOW)
    assert [(m.member, m.changed) for m in (first, again, left, left_again, back)] == [
        (True, True), (True, False), (False, True), (False, False), (True, True),
    ]  # fmt: skip
    assert [(type(e.data).__name__, e.data.seq) for e in published] == [
        ("CauseJoined", 1), ("CauseLeft", 2), ("CauseJoined", 3),
    ]  # fmt: skip
    assert {(e.actor_id, e.subject_id, e.producer) for e in published} == {
        ("ann", "literacy", "orgs")
    }


async def test_an_unknown_cause_is_not_found(world: tuple[Deps, PublishedEvents]) -> None:
    causes = Causes(world[0])
    with pytest.raises(CauseNotFound):
        await causes.set_membership("ann", "knitting", member=True, now=NOW)
    with pytest.raises(CauseNotFound):
        await causes.detail("knitting", limit=10, cursor=None)


async def test_the_tree_counts_children_into_their_parent_once(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, _ = world
    causes = Causes(deps)
    for who, cause in [("ann", "education"), ("ann", "literacy"), ("bob", "literacy"),
                       ("cat", "tutoring"), ("dan", "health")]:  # fmt: skip
        await causes.set_membership(who, cause, member=True, now=NOW)
    await causes.set_membership("dan", "health", member=False, now=NOW)
    await add_org(deps, "Read Together", ["literacy", "education"])
    await add_org(deps, "Tutors", ["tutoring"])
    await add_org(deps, "Draft One", ["literacy"], status="draft")
    await add_org(deps, "Hidden One", ["literacy"], hidden=True)
    tree = {node.slug: node for node in (await causes.tree()).items}
    assert len(tree) == 12
    assert sum(len(node.children) for node in tree.values()) == 60
    education = tree["education"]
    assert (education.members, education.organizations) == (3, 2)  # ann once; each org once
    by_slug = {c.slug: c for c in education.children}
    assert (by_slug["literacy"].members, by_slug["literacy"].organizations) == (2, 1)
    assert (by_slug["tutoring"].members, by_slug["tutoring"].organizations) == (1, 1)
    assert (tree["health"].members, tree["health"].organizations) == (0, 0)


async def test_a_cause_page_lists_its_verified_organizations_by_name_with_a_cursor(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, _ = world
    causes = Causes(deps)
    for name in ["Zebra Readers", "Alpha Books", "Mid Literacy"]:
        await add_org(deps, name, ["literacy"])
    await add_org(deps, "Beta Tutors", ["tutoring"])
    await add_org(deps, "Not Yet", ["literacy"], status="pending")
    first = await causes.detail("education", limit=2, cursor=None)
    assert [o.name for o in first.organizations.items] == ["Alpha Books", "Beta Tutors"]
    assert first.organizations.items[0].city == "Lyon"
    assert first.cause.organizations == 4
    assert first.parent is None
    assert len(first.children) == 5
    rest = await causes.detail("education", limit=2, cursor=first.organizations.next_cursor)
    assert [o.name for o in rest.organizations.items] == ["Mid Literacy", "Zebra Readers"]
    assert rest.organizations.next_cursor is None
    child = await causes.detail("literacy", limit=10, cursor=None)
    assert child.parent is not None
    assert (child.parent.slug, child.parent.organizations) == ("education", 4)
    assert (child.children, child.cause.organizations) == ([], 3)


async def test_a_persons_causes_follow_their_visibility(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, _ = world
    causes = Causes(deps)
    await add_person(deps, "ann", "followers")
    await add_person(deps, "pub")
    await causes.set_membership("ann", "literacy", member=True, now=NOW)
    await causes.set_membership("ann", "wildlife", member=True, now=NOW + timedelta(minutes=1))
    own = await causes.of_person("ann", "ann")
    assert [c.slug for c in own.items] == ["wildlife", "literacy"]
    with pytest.raises(CausesHidden):
        await causes.of_person("bob", "ann")
    with pytest.raises(CausesHidden):
        await causes.of_person(None, "ann")
    follow = Change(set={"follower_id": "bob", "followee_id": "ann", "active": True, "seq": 1})
    await deps.stores.people.change_follow("bob", "ann", lambda _d: follow)
    assert [c.slug for c in (await causes.of_person("bob", "ann")).items] == [
        "wildlife", "literacy",
    ]  # fmt: skip
    assert (await causes.of_person(None, "pub")).items == []
    with pytest.raises(PersonNotFound):
        await causes.of_person("bob", "nobody")


async def test_forgetting_a_person_leaves_every_cause_and_keeps_nothing(
    world: tuple[Deps, PublishedEvents],
) -> None:
    deps, published = world
    causes = Causes(deps)
    await add_person(deps, "ann")
    await causes.set_membership("ann", "literacy", member=True, now=NOW)
    await causes.set_membership("ann", "wildlife", member=True, now=NOW)
    await causes.set_membership("ann", "wildlife", member=False, now=NOW)
    await causes.set_membership("bob", "literacy", member=True, now=NOW)
    published.clear()
    await causes.forget("ann")
    assert [(e.data.cause, e.data.seq, e.actor_id) for e in published.of_type(CauseLeft)] == [
        ("literacy", 2, None)
    ]
    assert published.of_type(CauseJoined) == []
    assert await deps.stores.causes.membership("literacy", "ann") is None
    assert await deps.stores.causes.membership("wildlife", "ann") is None
    assert (await causes.tree()).items[0].children[0].members == 1  # bob's literacy
    await causes.forget("ann")  # again: nothing more
    assert len(published) == 1


async def test_a_deleted_persons_token_cannot_join(world: tuple[Deps, PublishedEvents]) -> None:
    deps, published = world
    tombstone = Change(set={"deleted": True})
    await deps.stores.people.change_person("ann", lambda _d: tombstone)
    with pytest.raises(AccountDeleted):
        await Causes(deps).set_membership("ann", "literacy", member=True, now=NOW)
    assert published == []
