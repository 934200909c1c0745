"""user.deleted erases a person from notifier: their notifications, the notifications that name
them, their preferences and blocks, their follows, causes and roles; a scan of every collection
finds none of their values afterwards, and late events do not bring them back."""

from __future__ import annotations

import uuid
from typing import Any

from jumo_common.events.calendar import EventRsvped
from jumo_common.events.identity import UserDeleted, UserFollowed, UserUpdated
from jumo_common.events.orgs import CauseJoined, CauseLeft, OrgMemberRemoved, OrgUnfollowed
from jumo_common.testing.tokens import TestKeys

from .conftest import Client, follow_org, new_org, person, publish, service


def contains(value: Any, needles: tuple[str, ...]) -> bool:
    """Whether any string inside ``value`` (recursively) contains one of ``needles``."""
    if isinstance(value, str):
        return any(n in value for n in needles)
    if isinstance(value, dict):
        return any(contains(k, needles) or contains(v, needles) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains(v, needles) for v in value)
    return False


async def traces(client: Client, needles: tuple[str, ...]) -> list[tuple[str, Any]]:
    """Every document of notifier's database that holds one of ``needles``, but the tombstone
    and the kit's processed-event claims (which hold event ids only)."""
    db = service(client).store.db
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            if name == "people" and doc.get("erased") and set(doc) == {"_id", "erased"}:
                continue
            if contains(doc, needles):
                found.append((name, doc))
    return found


async def test_a_deleted_person_leaves_nothing_in_notifier(client: Client, keys: TestKeys) -> None:
    zoe = await person(client, keys, "Zoe Quartermaine", email="zoe.q@example.org",
                       skills=("welding",))  # fmt: skip
    friend = await person(client, keys, "Friend")
    org = await new_org(client, zoe, "Zoe's Garden")
    await follow_org(client, friend, org)
    await follow_org(client, zoe, org)
    await publish(client, CauseJoined(cause="clean-water", user_id=zoe.user_id, seq=1))
    for follower, followee in ((zoe, friend), (friend, zoe)):
        await publish(client, UserFollowed(follower_id=follower.user_id,
                                           followee_id=followee.user_id, seq=1),
                      producer="identity")  # fmt: skip
    await client.put(f"/notifications/blocked/{friend.user_id}", headers=zoe.auth)
    await client.put(f"/notifications/blocked/{zoe.user_id}", headers=friend.auth)
    await client.put("/notifications/preferences", json={"digest": "daily"}, headers=zoe.auth)
    needles = (zoe.user_id, "Zoe Quartermaine", "zoe.q@example.org")
    assert len(await traces(client, needles)) > 5

    await publish(client, UserDeleted(user_id=zoe.user_id), producer="identity")
    assert await traces(client, needles) == []
    # Late events of the person change nothing.
    late = UserUpdated(
        user_id=zoe.user_id, display_name="Zoe Quartermaine", email="zoe.q@example.org", version=9
    )
    await publish(client, late, producer="identity")
    await publish(client, UserFollowed(follower_id=friend.user_id, followee_id=zoe.user_id, seq=5),
                  producer="identity")  # fmt: skip
    # orgs' own erasure comes after user.deleted: Zoe unfollows, leaves her causes, her
    # organization and her calendar events.
    for data in (OrgUnfollowed(org_id=org.org_id, user_id=zoe.user_id, seq=2),
                 CauseLeft(cause="clean-water", user_id=zoe.user_id, seq=2),
                 OrgMemberRemoved(org_id=org.org_id, user_id=zoe.user_id, seq=2),
                 EventRsvped(event_id=uuid.uuid4().hex, org_id=org.org_id, user_id=zoe.user_id,
                             status="removed", seq=2)):  # fmt: skip
        await publish(client, data)
    assert await traces(client, needles) == []
    # The friend keeps what is theirs (their welcome), minus what named Zoe.
    theirs = await service(client).store.notifications_of(friend.user_id, below=None, unread=None,
                                                          limit=10)  # fmt: skip
    assert [doc["kind"] for doc in theirs] == ["welcome"]
