"""identity's use cases on the in-memory stores: no database, no broker, no Facebook.

What the HTTP tests check against the real servers, these check at the use-case level in
milliseconds; ``test_store_contract.py`` proves the memory stores behave like the real ones.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from pydantic import SecretStr

from jumo_common.events.identity import (
    UserDeleted,
    UserFollowed,
    UserFollowRequested,
    UserUnfollowed,
    UserUpdated,
)
from jumo_facebook import FacebookClient, FacebookSettings
from jumo_facebook.signed_request import sign_request
from jumo_identity.accounts import Accounts
from jumo_identity.callbacks import FacebookCallbacks
from jumo_identity.crypto import Sealer
from jumo_identity.errors import (
    CannotFollowSelf,
    FollowRequestNotFound,
    RefreshRefused,
    UserNotFound,
)
from jumo_identity.graph import Graph
from jumo_identity.roles import UnknownRole, set_role
from jumo_identity.schemas import ProfilePatch
from jumo_identity.sessions import Sessions
from jumo_identity.signing import KeyRingManager
from jumo_identity.tokens import TokenPolicy

from .memory import MemoryAuthStore, MemoryStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
APP_SECRET = "use-case-app-secret"


@dataclass
class World:
    """identity's use cases wired on memory stores."""

    store: MemoryStore
    auth: MemoryAuthStore
    accounts: Accounts
    graph: Graph
    sessions: Sessions
    callbacks: FacebookCallbacks


@pytest.fixture
async def world() -> AsyncIterator[World]:
    """A fresh identity in memory (its Facebook client is never called here)."""
    store, auth = MemoryStore(), MemoryAuthStore()
    sealer = Sealer(secrets.token_bytes(32))
    nowhere = "http://127.0.0.1:9"  # nothing here calls Facebook
    settings = FacebookSettings(
        app_id="1", app_secret=SecretStr(APP_SECRET), graph_url=nowhere, www_url=nowhere
    )
    async with FacebookClient(settings) as facebook:
        keyring = KeyRingManager(auth, sealer, cache_ttl_s=0, activation_delay_s=0)
        await keyring.ensure()
        policy = TokenPolicy("jumo-identity", "jumo", timedelta(minutes=15), timedelta(days=30))
        accounts = Accounts(store=store, auth=auth, sealer=sealer, facebook=facebook)
        callbacks = FacebookCallbacks(
            facebook=facebook, store=store, auth=auth, accounts=accounts, sealer=sealer,
            status_url=lambda code: f"https://jumo.example/facebook/data-deletion/{code}",
        )  # fmt: skip
        sessions = Sessions(auth, store, keyring, policy)
        yield World(store, auth, accounts, Graph(store), sessions, callbacks)


async def person(world: World, uid: str, **fields: Any) -> str:
    doc = {"_id": uid, "facebook_id": f"fb-{uid}", "display_name": uid.title(),
           "created_at": NOW, "updated_at": NOW, **fields}  # fmt: skip
    assert await world.store.create_user(doc, [])
    return uid


# ---- profiles ---------------------------------------------------------------------------------


async def test_a_profile_edit_publishes_what_changed_once(world: World) -> None:
    ann = await world.accounts.live_user(await person(world, "ann"))
    patch = ProfilePatch.model_validate({"bio": "Teacher", "skills": ["First Aid"]})
    updated = await world.accounts.update_profile(ann, patch, NOW)
    assert (updated.bio, updated.skills) == ("Teacher", ["first-aid"])
    again = await world.accounts.update_profile(updated, patch, NOW)  # the same edit: no news
    assert again.bio == "Teacher"
    [event] = world.store.published.of_type(UserUpdated)
    assert event.data.changed == ("bio", "skills")
    assert event.data.skills == ("first-aid",)
    assert event.data.version == 2  # the document's version: consumers keep the highest


async def test_an_update_carries_the_whole_profile_a_projection_needs(world: World) -> None:
    ann = await world.accounts.live_user(await person(world, "ann", interests=["water"]))
    patch = ProfilePatch.model_validate(
        {"location": {"city": "Lyon", "lat": 45.764, "lng": 4.8357}, "visibility": "followers",
         "availability": {"parts": ["weekend_mornings"], "hours_per_month": 8}}
    )  # fmt: skip
    await world.accounts.update_profile(ann, patch, NOW)
    [event] = world.store.published.of_type(UserUpdated)
    data = event.data
    assert data.place is not None
    assert (data.place.city, data.place.lat, data.place.lng) == ("Lyon", 45.76, 4.84)
    assert data.interests == ("water",)  # unchanged fields too: one overwrite suffices
    assert data.visibility == "followers"
    assert data.availability is not None
    assert data.availability.parts == ("weekend_mornings",)


async def test_findable_and_radius_default_off_and_travel_in_user_updated(world: World) -> None:
    ann = await world.accounts.live_user(await person(world, "ann"))
    assert (ann.findable, ann.radius_km) == (False, 25)  # nobody is findable unless they say so
    patch = ProfilePatch.model_validate({"findable": True, "radius_km": 40})
    after = await world.accounts.update_profile(ann, patch, NOW)
    assert (after.findable, after.radius_km) == (True, 40)
    [event] = world.store.published.of_type(UserUpdated)
    assert event.data.changed == ("findable", "radius_km")
    assert (event.data.findable, event.data.radius_km) == (True, 40)


def test_a_v1_user_updated_without_the_matching_fields_still_parses() -> None:
    old = UserUpdated.model_validate({"user_id": "u1", "display_name": "Ann"})
    assert (old.findable, old.radius_km) == (False, 25)


async def test_editing_a_deleted_account_is_user_not_found(world: World) -> None:
    ann = await world.accounts.live_user(await person(world, "ann"))
    assert await world.accounts.delete("ann", NOW, revoke_facebook=False, actor="ann")
    with pytest.raises(UserNotFound):
        await world.accounts.update_profile(ann, ProfilePatch(bio="x"), NOW)


# ---- deletion ---------------------------------------------------------------------------------


async def test_deletion_leaves_a_tombstone_that_says_nothing_of_the_person(world: World) -> None:
    await person(world, "ann", bio="Nurse in Lyon", email="ann@example.org",
                 skills=["nursing"], facebook_friend_ids=["fb-bob"])  # fmt: skip
    await person(world, "bob", facebook_friend_ids=["fb-ann"])
    await world.graph.set_following("bob", "ann", follow=True, now=NOW)
    assert await world.accounts.delete("ann", NOW, revoke_facebook=False, actor="ann")
    tombstone = world.store.users.documents["ann"]
    assert set(tombstone) == {"_id", "deleted", "deleted_at", "facebook_id", "version"}
    for value in ("Nurse", "ann@example.org", "nursing", "fb-ann"):
        assert value not in repr(world.store.users.documents)  # friends' lists too
    assert world.store.follows.documents == {}
    [deleted] = world.store.published.of_type(UserDeleted)
    assert deleted.data.user_id == "ann"
    assert not await world.accounts.delete("ann", NOW, revoke_facebook=False, actor="ann")


async def test_a_deleted_persons_logins_are_over(world: World) -> None:
    await person(world, "ann")
    pair = await world.sessions.start(await world.accounts.live_user("ann"), NOW)
    await world.accounts.delete("ann", NOW, revoke_facebook=False, actor="ann")
    with pytest.raises(RefreshRefused):
        await world.sessions.refresh(pair.refresh_token, NOW)
    assert await world.auth.families_of("ann") == []


# ---- the follow graph -------------------------------------------------------------------------


async def test_following_a_public_profile_is_immediate_and_ordered(world: World) -> None:
    await person(world, "ann")
    await person(world, "bob")
    first = await world.graph.set_following("bob", "ann", follow=True, now=NOW)
    again = await world.graph.set_following("bob", "ann", follow=True, now=NOW)
    gone = await world.graph.set_following("bob", "ann", follow=False, now=NOW)
    assert (first.following, first.changed, again.changed, gone.following) == (
        True, True, False, False,
    )  # fmt: skip
    [followed] = world.store.published.of_type(UserFollowed)
    [unfollowed] = world.store.published.of_type(UserUnfollowed)
    assert followed.data.seq < unfollowed.data.seq  # a late follow cannot undo the unfollow


async def test_a_private_profile_approves_its_followers(world: World) -> None:
    await person(world, "ann", visibility="followers")
    await person(world, "bob")
    asked = await world.graph.set_following("bob", "ann", follow=True, now=NOW)
    assert (asked.following, asked.requested, asked.changed) == (False, True, True)
    # A request is not a follow: only the request is published, for the notifier to tell Ann.
    [request] = world.store.published
    assert request.data == UserFollowRequested(follower_id="bob", followee_id="ann", seq=1)
    assert (request.actor_id, request.subject_id) == ("bob", "ann")
    again = await world.graph.set_following("bob", "ann", follow=True, now=NOW)
    assert (again.requested, again.changed) == (True, False)
    assert len(world.store.published) == 1  # asking again while pending publishes nothing
    assert not await world.graph.follows("bob", "ann")
    ann = await world.accounts.live_user("ann")
    requests, _ = await world.graph.page(ann, direction="requests", limit=10, cursor=None)
    assert [r.id for r in requests] == ["bob"]
    approved = await world.graph.answer_request("ann", "bob", approve=True, now=NOW)
    assert (approved.following, approved.changed) == (True, True)
    assert await world.graph.follows("bob", "ann")
    [followed] = world.store.published.of_type(UserFollowed)
    assert followed.data.seq == 2  # after the request's seq: the pair's order holds
    assert len(world.store.published.of_type(UserFollowRequested)) == 1


async def test_declining_publishes_nothing_and_the_person_may_ask_again(world: World) -> None:
    await person(world, "ann", visibility="private")
    await person(world, "bob")
    await world.graph.set_following("bob", "ann", follow=True, now=NOW)
    declined = await world.graph.answer_request("ann", "bob", approve=False, now=NOW)
    assert (declined.following, declined.requested) == (False, False)
    with pytest.raises(FollowRequestNotFound):
        await world.graph.answer_request("ann", "bob", approve=True, now=NOW)
    asked = await world.graph.set_following("bob", "ann", follow=True, now=NOW)
    assert asked.requested
    # One request each time Bob asked; the decline published nothing.
    requests = world.store.published.of_type(UserFollowRequested)
    assert [r.data.seq for r in requests] == [1, 3]
    assert len(world.store.published) == 2


async def test_nobody_follows_themselves_or_a_stranger_that_does_not_exist(world: World) -> None:
    await person(world, "ann")
    with pytest.raises(CannotFollowSelf):
        await world.graph.set_following("ann", "ann", follow=True, now=NOW)
    with pytest.raises(UserNotFound):
        await world.graph.set_following("ann", "nobody", follow=True, now=NOW)


# ---- sessions ---------------------------------------------------------------------------------


async def test_a_refresh_token_works_once_and_its_reuse_ends_the_login(world: World) -> None:
    await person(world, "ann")
    first = await world.sessions.start(await world.accounts.live_user("ann"), NOW)
    second = await world.sessions.refresh(first.refresh_token, NOW)
    with pytest.raises(RefreshRefused):
        await world.sessions.refresh(first.refresh_token, NOW)  # reuse: stolen or leaked
    with pytest.raises(RefreshRefused):
        await world.sessions.refresh(second.refresh_token, NOW)  # the whole login is over


# ---- Facebook's callbacks ---------------------------------------------------------------------


def signed(facebook_id: str) -> str:
    now = int(time.time())
    payload = {"algorithm": "HMAC-SHA256", "issued_at": now, "user_id": facebook_id}
    return sign_request(payload, APP_SECRET)


async def test_data_deletion_deletes_once_and_answers_a_replay_alike(world: World) -> None:
    await person(world, "ann")
    answer = await world.callbacks.request_deletion(signed("fb-ann"), NOW)
    replay = await world.callbacks.request_deletion(signed("fb-ann"), NOW)
    assert replay.confirmation_code == answer.confirmation_code
    status = await world.callbacks.status(answer.confirmation_code)
    assert (status.status, status.outcome) == ("completed", "deleted")
    assert len(world.store.published.of_type(UserDeleted)) == 1
    assert "fb-ann" not in repr(world.auth.deletions)  # the request keeps a pseudonym only


async def test_deauthorize_unlinks_facebook_and_ends_the_logins(world: World) -> None:
    await person(world, "ann", facebook={"token": "sealed"}, facebook_friend_ids=["fb-bob"])
    pair = await world.sessions.start(await world.accounts.live_user("ann"), NOW)
    await world.callbacks.deauthorize(signed("fb-ann"), NOW)
    doc = await world.store.user_document("ann")
    assert doc is not None
    assert "facebook" not in doc
    assert "facebook_friend_ids" not in doc
    assert doc["facebook_deauthorized_at"] == NOW
    with pytest.raises(RefreshRefused):
        await world.sessions.refresh(pair.refresh_token, NOW)


# ---- platform roles ---------------------------------------------------------------------------


async def test_a_granted_role_is_in_the_next_access_token_and_a_revoked_one_is_not(
    world: World,
) -> None:
    await person(world, "ann")
    assert await set_role(world.store, "ann", "grant", "moderator") == ["moderator"]
    assert await set_role(world.store, "ann", "grant", "moderator") == ["moderator"]  # idempotent
    pair = await world.sessions.start(await world.accounts.live_user("ann"), NOW)
    assert jwt.decode(pair.access_token, options={"verify_signature": False})["roles"] == [
        "moderator"
    ]
    assert await set_role(world.store, "ann", "revoke", "moderator") == []
    refreshed = await world.sessions.refresh(pair.refresh_token, NOW)
    assert "roles" not in jwt.decode(refreshed.access_token, options={"verify_signature": False})
    assert world.store.published == []  # roles travel in tokens, never in events


async def test_only_known_roles_for_live_people(world: World) -> None:
    await person(world, "ann")
    with pytest.raises(UnknownRole):
        await set_role(world.store, "ann", "grant", "admin")
    with pytest.raises(UserNotFound):
        await set_role(world.store, "nobody", "grant", "moderator")
