"""The people projection from identity's events: out of order, repeated, then erased."""

from __future__ import annotations

from jumo_common.events.identity import (
    Place,
    UserDeleted,
    UserFollowed,
    UserRegistered,
    UserUnfollowed,
    UserUpdated,
)

from .conftest import Client, publish, service


async def test_the_newest_profile_wins_whatever_the_order(client: Client) -> None:
    people = service(client).people
    lyon = Place(city="Lyon", lat=45.76, lng=4.84)
    newer = UserUpdated(
        user_id="u1", display_name="Ann B.", skills=("first-aid",), version=3, place=lyon,
        visibility="followers",
    )  # fmt: skip
    older = UserUpdated(user_id="u1", display_name="Ann", version=2)
    await publish(client, newer)
    await publish(client, older)  # late: changes nothing
    await publish(client, UserRegistered(user_id="u1", display_name="Ann"))  # later still
    await publish(client, newer)  # again: changes nothing
    profile = await people.profile("u1")
    assert profile is not None
    assert (profile["display_name"], profile["skills"], profile["profile_version"]) == (
        "Ann B.", ["first-aid"], 3,
    )  # fmt: skip
    assert profile["place"]["city"] == "Lyon"
    found = await people.person("u1")
    assert found is not None
    assert found.visibility == "followers"


async def test_followers_visibility_follows_identitys_follows(client: Client) -> None:
    people = service(client).people
    await publish(client, UserRegistered(user_id="ann", display_name="Ann"))
    await publish(client, UserUpdated(user_id="ann", display_name="Ann", visibility="followers",
                                      version=2))  # fmt: skip
    ann = await people.person("ann")
    assert ann is not None
    assert not await people.may_see("bob", ann)
    await publish(client, UserFollowed(follower_id="bob", followee_id="ann", seq=1))
    assert await people.may_see("bob", ann)
    await publish(client, UserUnfollowed(follower_id="bob", followee_id="ann", seq=2))
    await publish(client, UserFollowed(follower_id="bob", followee_id="ann", seq=1))  # late
    assert not await people.may_see("bob", ann)
    assert await people.may_see("ann", ann)
    assert not await people.may_see(None, ann)


async def test_a_deleted_person_is_forgotten_and_stays_forgotten(client: Client) -> None:
    people = service(client).people
    await publish(client, UserUpdated(user_id="u1", display_name="Ann Secret", bio="nurse",
                                      skills=("nursing",), version=2))  # fmt: skip
    await publish(client, UserFollowed(follower_id="u1", followee_id="u2", seq=1))
    await publish(client, UserDeleted(user_id="u1"))
    await publish(client, UserUpdated(user_id="u1", display_name="Ann Secret", version=9))  # late
    assert await people.person("u1") is None
    stored = await service(client).stores.people.person("u1")
    assert stored is not None
    assert set(stored) == {"_id", "deleted", "version"}
    assert not await people.follows("u1", "u2")
