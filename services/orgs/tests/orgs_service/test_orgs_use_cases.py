"""Organizations' use cases on the memory stores: pages, states, people and roles, claims, imports,
hiding and erasure — no database, no broker. The HTTP tests check the same against the real
servers; ``test_orgs_store_contract.py`` proves the memory store behaves like MongoDB's."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from jumo_common.events import make_event
from jumo_common.events.identity import UserRegistered
from jumo_common.events.orgs import (
    OrgCreated,
    OrgHidden,
    OrgMemberAdded,
    OrgMemberRemoved,
    OrgUpdated,
)
from jumo_common.jwt import Principal
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs import org_pages
from jumo_orgs.errors import NotAllowed, OrgNotFound
from jumo_orgs.imports import import_csv
from jumo_orgs.org_errors import (
    AlreadyClaimed,
    AlreadyMember,
    ClaimOpen,
    InvalidState,
    LastOwner,
    PersonNotFound,
    SlugTaken,
)
from jumo_orgs.organizations import Organizations
from jumo_orgs.people import People
from jumo_orgs.schemas.orgs import OrgCreate, OrgPatch

from .memory import memory_deps
from .memory_orgs import MemoryOrgStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EIN = {"country": "US", "kind": "us-ein", "number": "12-3456789"}


@dataclass
class World:
    """Organizations on memory stores, and what they published."""

    orgs: Organizations
    people: People
    published: PublishedEvents
    store: MemoryOrgStore

    async def person(self, name: str, *, moderator: bool = False) -> Principal:
        """Someone orgs knows, with their token's principal."""
        user_id = name.lower()
        event = make_event(UserRegistered(user_id=user_id, display_name=name), producer="identity")
        await self.people.on_registered(event)
        roles = frozenset({"moderator"}) if moderator else frozenset()
        return Principal(user_id=user_id, token_id=f"t-{user_id}", expires_at=0, roles=roles)

    def of_type(self, model: type[Any]) -> list[Any]:
        """The data of the published events of one type."""
        return [e.data for e in self.published.of_type(model)]


@pytest.fixture
def world() -> World:
    deps, published = memory_deps()
    store = deps.stores.orgs
    assert isinstance(store, MemoryOrgStore)
    return World(Organizations(deps), deps.people, published, store)


def draft(name: str = "Water for All", **fields: Any) -> OrgCreate:
    return OrgCreate.model_validate({"name": name, "causes": ["clean-water"], **fields})


async def test_a_creator_owns_a_draft_whose_slug_comes_from_its_name(world: World) -> None:
    ann = await world.person("Ann")
    first = await world.orgs.create(ann, draft(), NOW)
    second = await world.orgs.create(ann, draft(), NOW)
    assert (first.slug, second.slug) == ("water-for-all", "water-for-all-2")
    assert (first.status, first.your_role, first.claimed) == ("draft", "owner", True)
    with pytest.raises(SlugTaken):
        await world.orgs.create(ann, draft(slug="water-for-all"), NOW)
    [created, _] = world.of_type(OrgCreated)
    assert (created.org.slug, created.created_by, created.version) == ("water-for-all", "ann", 1)
    assert [(e.user_id, e.role, e.seq) for e in world.of_type(OrgMemberAdded)] == [
        ("ann", "owner", 1), ("ann", "owner", 1),
    ]  # fmt: skip
    stored = await world.store.org(first.id)
    assert stored is not None
    assert {"water", "all", "wat", "wate"} <= set(stored["terms"]) | set(stored["prefixes"])


def test_derived_slugs_end_with_one_made_unique_by_the_id() -> None:
    slugs = list(org_pages.derived_slugs("東京", "0123456789abcdef" * 2))
    assert (slugs[0], slugs[1], slugs[-1]) == ("organization", "organization-2",
                                               "organization-01234567")  # fmt: skip
    assert next(org_pages.derived_slugs("A", "f" * 32)) == "a-org"


async def test_a_draft_is_seen_by_its_people_and_moderators_only(world: World) -> None:
    ann, bob = await world.person("Ann"), await world.person("Bob")
    mod = await world.person("Mod", moderator=True)
    org = await world.orgs.create(ann, draft(), NOW)
    for nobody in (bob, None):
        with pytest.raises(OrgNotFound):
            await world.orgs.view(org.slug, nobody)
    assert (await world.orgs.view(org.id, mod)).your_role is None
    await world.orgs.submit(org.id, ann, NOW)
    await world.orgs.verify(org.id, mod, NOW)
    assert (await world.orgs.view(org.slug, None)).verified


async def test_the_lifecycle_with_a_rejection_and_a_registration_change(world: World) -> None:
    ann, mod = await world.person("Ann"), await world.person("Mod", moderator=True)
    org = await world.orgs.create(ann, draft(registration=EIN), NOW)
    with pytest.raises(InvalidState):
        await world.orgs.verify(org.id, mod, NOW)  # a draft is not submitted yet
    with pytest.raises(NotAllowed):
        await world.orgs.verify(org.id, ann, NOW)  # owners do not verify themselves
    await world.orgs.submit(org.id, ann, NOW)
    rejected = await world.orgs.reject(org.id, mod, "Registration unknown", NOW)
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "Registration unknown")
    await world.orgs.update(org.id, ann, OrgPatch(mission="Wells in villages"), NOW)
    assert (await world.orgs.submit(org.id, ann, NOW)).rejection_reason is None
    assert (await world.orgs.verify(org.id, mod, NOW)).status == "verified"
    new_number = {**EIN, "number": "98-7654321"}
    patch = OrgPatch.model_validate({"registration": new_number})
    again = await world.orgs.update(org.id, ann, patch, NOW)
    assert again.status == "pending"
    assert (await world.orgs.view(org.id, None)).status == "pending"  # still public
    updated = world.of_type(OrgUpdated)
    assert [(u.status, u.changed) for u in updated] == [
        ("rejected", ("mission",)), ("pending", ("registration",)),
    ]  # fmt: skip
    [queued], _ = await world.orgs.pending(mod, limit=10, cursor=None)
    assert queued.id == org.id


async def test_editors_may_not_edit_the_page(world: World) -> None:
    ann, eve = await world.person("Ann"), await world.person("Eve")
    org = await world.orgs.create(ann, draft(), NOW)
    await world.orgs.members.invite(org.id, ann, "eve", "editor", NOW)
    await world.orgs.members.accept(org.id, eve, NOW)
    with pytest.raises(NotAllowed):
        await world.orgs.update(org.id, eve, OrgPatch(mission="mine"), NOW)
    assert not world.of_type(OrgUpdated)


async def test_an_edit_that_changes_nothing_publishes_nothing(world: World) -> None:
    ann = await world.person("Ann")
    org = await world.orgs.create(ann, draft(mission="Wells"), NOW)
    await world.orgs.update(org.id, ann, OrgPatch(mission="Wells", name="Water for All"), NOW)
    assert not world.of_type(OrgUpdated)


async def test_invitations_roles_and_ranks(world: World) -> None:
    ann, ada, eve = [await world.person(n) for n in ("Ann", "Ada", "Eve")]
    org = await world.orgs.create(ann, draft(), NOW)
    members = world.orgs.members
    with pytest.raises(PersonNotFound):
        await members.invite(org.id, ann, "stranger", "editor", NOW)
    await members.invite(org.id, ann, "ada", "admin", NOW)
    invitations, _ = await members.invitations(ada, limit=10, cursor=None)
    assert [(i.org.slug, i.role, i.invited_by and i.invited_by.display_name)
            for i in invitations] == [("water-for-all", "admin", "Ann")]  # fmt: skip
    await members.accept(org.id, ada, NOW)
    with pytest.raises(AlreadyMember):
        await members.invite(org.id, ann, "ada", "editor", NOW)
    with pytest.raises(NotAllowed):
        await members.invite(org.id, ada, "eve", "owner", NOW)  # only owners make owners
    await members.invite(org.id, ada, "eve", "editor", NOW)
    await members.decline(org.id, eve)
    with pytest.raises(NotAllowed):
        await members.change_role(org.id, ada, "ann", "editor")  # an admin under an owner
    with pytest.raises(NotAllowed):
        await members.remove(org.id, ada, "ann")
    assert [(e.user_id, e.role) for e in world.of_type(OrgMemberAdded)] == [
        ("ann", "owner"), ("ada", "admin"),
    ]  # fmt: skip


async def test_the_last_owner_stays_and_transfers_ownership(world: World) -> None:
    ann, bob = await world.person("Ann"), await world.person("Bob")
    org = await world.orgs.create(ann, draft(), NOW)
    members = world.orgs.members
    with pytest.raises(LastOwner):
        await members.remove(org.id, ann, "ann")
    with pytest.raises(LastOwner):
        await members.change_role(org.id, ann, "ann", "admin")
    await members.invite(org.id, ann, "bob", "editor", NOW)
    await members.accept(org.id, bob, NOW)
    assert (await members.transfer(org.id, ann, "bob")).role == "owner"
    people, _ = await members.page(org.id, bob, "active", limit=10, cursor=None)
    assert {(p.user_id, p.role) for p in people} == {("ann", "admin"), ("bob", "owner")}
    await members.remove(org.id, ann, "ann")  # an admin leaves
    [removed] = world.of_type(OrgMemberRemoved)
    assert (removed.user_id, removed.seq) == ("ann", 3)  # owner 1, admin 2, gone 3
    stored = await world.store.org(org.id)
    assert stored is not None
    assert stored["owners"] == ["bob"]


async def test_a_claim_approved_makes_the_claimant_owner(world: World) -> None:
    ann, bob = await world.person("Ann"), await world.person("Bob")
    mod = await world.person("Mod", moderator=True)
    csv_text = "external_id,name,causes,city,country\nx1,Clean Rivers,clean-water,Lyon,FR\n"
    await import_csv(world.store, csv_text, NOW, io.StringIO())
    org = await world.orgs.view("clean-rivers", None)
    assert (org.status, org.claimed) == ("verified", False)
    claims = world.orgs.claims
    first = await claims.claim(org.id, ann, "I chair it.", NOW)
    second = await claims.claim(org.id, bob, "I founded it.", NOW)
    with pytest.raises(ClaimOpen):
        await claims.claim(org.id, ann, "Again.", NOW)
    queue, _ = await claims.queue(mod, limit=10, cursor=None)
    assert [(c.id, c.claimant and c.claimant.display_name) for c in queue] == [
        (first.id, "Ann"), (second.id, "Bob"),
    ]  # fmt: skip
    assert (await claims.approve(mod, first.id, None, NOW)).state == "approved"
    with pytest.raises(AlreadyClaimed):
        await claims.approve(mod, second.id, None, NOW)
    await claims.reject(mod, second.id, "Someone else runs it.", NOW)
    [mine], _ = await claims.mine(bob, limit=10, cursor=None)
    assert (mine.state, mine.reason) == ("rejected", "Someone else runs it.")
    assert (await world.orgs.view(org.id, ann)).your_role == "owner"
    [added] = world.of_type(OrgMemberAdded)
    assert (added.user_id, added.role) == ("ann", "owner")


async def test_hiding_publishes_once_and_hides_from_strangers(world: World) -> None:
    ann, mod = await world.person("Ann"), await world.person("Mod", moderator=True)
    org = await world.orgs.create(ann, draft(), NOW)
    await world.orgs.submit(org.id, ann, NOW)
    await world.orgs.verify(org.id, mod, NOW)
    assert await world.orgs.set_hidden(org.id, True)
    assert await world.orgs.set_hidden(org.id, True)  # again: no event
    assert not await world.orgs.set_hidden("f" * 32, True)
    assert [e.hidden for e in world.of_type(OrgHidden)] == [True]
    with pytest.raises(OrgNotFound):
        await world.orgs.view(org.id, None)
    assert (await world.orgs.view(org.id, ann)).hidden


async def test_forgetting_a_person(world: World) -> None:
    ann, bob = await world.person("Ann"), await world.person("Bob")
    org = await world.orgs.create(ann, draft(), NOW)
    other = await world.orgs.create(bob, draft("Food Bank", causes=["food-banks"]), NOW)
    await world.orgs.members.invite(org.id, ann, "bob", "admin", NOW)
    await world.orgs.members.accept(org.id, bob, NOW)
    await world.orgs.members.invite(other.id, bob, "ann", "editor", NOW)
    await world.orgs.forget("ann")
    [removed] = world.of_type(OrgMemberRemoved)
    assert (removed.org_id, removed.user_id) == (org.id, "ann")
    stored = await world.store.org(org.id)
    assert stored is not None
    assert (stored["owners"], "created_by" in stored) == ([], False)  # unclaimed now
    assert (await world.orgs.view(org.id, bob)).your_role == "admin"
    for doc in world.store.members.documents.values():
        if doc["user_id"] == "ann":
            assert set(doc) == {"_id", "org_id", "user_id", "state", "version"}
