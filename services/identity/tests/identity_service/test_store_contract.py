"""One suite over identity's MongoDB stores and their in-memory twins (tests/…/memory.py).

The use-case tests run on the memory stores in seconds; this suite is what entitles them to:
whatever it checks, both implementations do alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.mongo import ensure_indexes
from jumo_common.outbox import Outbox
from jumo_identity.store import INDEXES, OUTBOX_COLLECTIONS, MongoStore, Store
from jumo_identity.store_auth import AuthStore, MongoAuthStore
from jumo_identity.tokens import NewRefreshToken

from .memory import MemoryAuthStore, MemoryStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class Stores:
    """Both stores of one implementation."""

    store: Store
    auth: AuthStore


@pytest.fixture(params=["mongo", "memory"])
async def stores(request: pytest.FixtureRequest, mongo_db: Any) -> AsyncIterator[Stores]:
    """MongoStore + MongoAuthStore on this test's database, or the memory twins."""
    if request.param == "memory":
        yield Stores(MemoryStore(), MemoryAuthStore())
        return
    await ensure_indexes(mongo_db, INDEXES)
    outbox = Outbox(mongo_db, OUTBOX_COLLECTIONS)
    yield Stores(MongoStore(mongo_db, outbox), MongoAuthStore(mongo_db))


def person(uid: str, fid: str, **extra: Any) -> dict[str, Any]:
    return {"_id": uid, "facebook_id": fid, "display_name": uid.title(), "created_at": NOW,
            "updated_at": NOW, **extra}  # fmt: skip


def tombstone(doc: dict[str, Any]) -> Change:
    kept = {"_id", "version"}
    return Change(
        set={"deleted": True, "facebook_id": f"deleted:{doc['_id']}"},
        unset=frozenset(k for k in doc if k not in kept),
    )


async def follow(store: Store, a: str, b: str, state: str, at: datetime) -> int:
    def plan(_doc: dict[str, Any] | None) -> Change:
        return Change(set={"follower_id": a, "followee_id": b, "state": state, "since": at})

    return (await store.change_follow(a, b, plan)).version


# ---- users ------------------------------------------------------------------------------------


async def test_users_are_created_once_per_facebook_id(stores: Stores) -> None:
    store = stores.store
    assert await store.create_user(person("ann", "fb1"), [])
    assert not await store.create_user(person("ann2", "fb1"), [])  # a concurrent first login
    user = await store.user("ann")
    assert user is not None
    assert user.display_name == "Ann"
    assert (await store.user_by_facebook_id("fb1") or {})["_id"] == "ann"
    assert await store.user("nobody") is None


async def test_a_tombstone_is_no_user(stores: Stores) -> None:
    store = stores.store
    await store.create_user(person("ann", "fb1", bio="hi"), [])
    assert await store.change_user("ann", tombstone) is not None
    assert await store.user("ann") is None
    assert await store.user_document("ann") is None
    assert await store.user_by_facebook_id("fb1") is None
    assert await store.users_by_ids(["ann"]) == {}
    assert await store.change_user("ann", lambda _d: Change(set={"bio": "back"})) is None


async def test_changes_apply_to_live_users_one_version_at_a_time(stores: Stores) -> None:
    store = stores.store
    await store.create_user(person("ann", "fb1"), [])
    written = await store.change_user("ann", lambda _d: Change(set={"bio": "hello"}))
    assert written is not None
    assert written.version == 2
    user = await store.user("ann")
    assert user is not None
    assert user.bio == "hello"


async def test_friends_are_found_from_either_side(stores: Stores) -> None:
    store = stores.store
    await store.create_user(person("ann", "fb1", facebook_friend_ids=["fb2"]), [])
    await store.create_user(person("bob", "fb2"), [])
    await store.create_user(person("cat", "fb3", facebook_friend_ids=["fb1"]), [])
    await store.create_user(person("dan", "fb4"), [])
    ann = await store.user("ann")
    assert ann is not None
    assert sorted(u.id for u in await store.friends_using_jumo(ann)) == ["bob", "cat"]
    assert await store.users_with_friend("fb1") == ["cat"]


# ---- follows ----------------------------------------------------------------------------------


async def test_an_edge_counts_its_versions(stores: Stores) -> None:
    store = stores.store
    assert await store.follow_edge("a", "b") is None
    assert await follow(store, "a", "b", "active", NOW) == 1
    assert await follow(store, "a", "b", "none", NOW) == 2
    edge_doc = await store.follow_edge("a", "b")
    assert edge_doc is not None
    assert (edge_doc["state"], edge_doc["version"]) == ("none", 2)


async def test_follow_lists_are_newest_first_and_page_with_a_cursor(stores: Stores) -> None:
    store = stores.store
    for i, who in enumerate(["b", "c", "d", "e"]):
        await follow(store, who, "a", "active", NOW + timedelta(minutes=i))
    await follow(store, "f", "a", "requested", NOW)
    await follow(store, "a", "b", "active", NOW)
    first = await store.follow_page("a", direction="followers", limit=3, cursor=None)
    assert [e["follower_id"] for e in first.items] == ["e", "d", "c"]
    assert first.next_cursor is not None
    rest = await store.follow_page("a", direction="followers", limit=3, cursor=first.next_cursor)
    assert [e["follower_id"] for e in rest.items] == ["b"]
    assert rest.next_cursor is None
    requests = await store.follow_page("a", direction="requests", limit=10, cursor=None)
    assert [e["follower_id"] for e in requests.items] == ["f"]
    following = await store.follow_page("a", direction="following", limit=10, cursor=None)
    assert [e["followee_id"] for e in following.items] == ["b"]


async def test_followed_among_edges_of_and_their_deletion(stores: Stores) -> None:
    store = stores.store
    await follow(store, "a", "b", "active", NOW)
    await follow(store, "a", "c", "requested", NOW)
    await follow(store, "d", "a", "active", NOW)
    assert await store.followed_among("a", ["b", "c", "x"]) == {"b"}
    assert sorted((e["follower_id"], e["followee_id"]) for e in await store.edges_of("a")) == [
        ("a", "b"),
        ("d", "a"),
    ]
    await store.delete_edges_of("a")
    assert await store.edges_of("a") == []
    assert await store.follow_edge("a", "c") is None


# ---- credentials ------------------------------------------------------------------------------


async def test_a_login_state_is_taken_once(stores: Stores) -> None:
    auth = stores.auth
    await auth.save_login_state("s1", {"nonce_hash": "n", "expires_at": NOW + timedelta(minutes=9)})
    taken = await auth.take_login_state("s1", NOW)
    assert taken is not None
    assert taken["nonce_hash"] == "n"
    assert await auth.take_login_state("s1", NOW) is None
    assert await auth.take_login_state("unknown", NOW) is None


async def test_refresh_tokens_retire_once_and_revocation_ends_a_family(stores: Stores) -> None:
    auth = stores.auth
    await auth.start_family("f1", "ann", NOW)
    token = NewRefreshToken("t", "hash1", "f1", NOW + timedelta(days=30))
    await auth.save_refresh_token(token, "ann", NOW)
    assert (await auth.retire_refresh_token("hash1", NOW) or {})["family_id"] == "f1"
    assert await auth.retire_refresh_token("hash1", NOW) is None  # reuse
    assert await auth.refresh_token("hash1") is not None  # still known: reuse is detectable
    await auth.revoke_family("f1", NOW)
    assert (await auth.family("f1") or {})["revoked_at"] == NOW
    assert await auth.refresh_token("hash1") is None
    assert [f["_id"] for f in await auth.families_of("ann")] == ["f1"]
    await auth.forget_user("ann")
    assert await auth.families_of("ann") == []
    await auth.save_refresh_token(token, "ann", NOW)  # the same hash again, after forgetting
    assert await auth.retire_refresh_token("hash1", NOW) is not None  # its used marker is gone


async def test_expired_records_are_purged(stores: Stores) -> None:
    auth = stores.auth
    await auth.save_login_state("old", {"expires_at": NOW - timedelta(seconds=1)})
    await auth.save_login_state("new", {"expires_at": NOW + timedelta(minutes=1)})
    assert await auth.purge_expired(NOW) == 1
    assert await auth.take_login_state("new", NOW) is not None


async def test_keyring_versions_are_exclusive(stores: Stores) -> None:
    auth = stores.auth
    await auth.save_signing_key("k1", "sealed", NOW)
    assert await auth.add_keyring_version(1, "k1", None, NOW)
    assert not await auth.add_keyring_version(1, "k9", None, NOW)
    assert await auth.add_keyring_version(2, "k2", "k1", NOW)
    assert (await auth.keyring_record() or {})["current"] == "k2"
    assert [k["_id"] for k in await auth.signing_key_records(["k1", "k2"])] == ["k1"]


async def test_a_replayed_deletion_request_finds_the_first(stores: Stores) -> None:
    auth = stores.auth
    first = await auth.save_deletion({"_id": "c1", "subject": "p", "status": "pending"})
    again = await auth.save_deletion({"_id": "c2", "subject": "p", "status": "pending"})
    assert (first["_id"], again["_id"]) == ("c1", "c1")
    await auth.finish_deletion("c1", "deleted", NOW)
    record = await auth.deletion_by_code("c1")
    assert record is not None
    assert (record["status"], record["outcome"]) == ("completed", "deleted")
    assert (await auth.deletion_by_subject("p") or {})["_id"] == "c1"
