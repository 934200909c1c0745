"""Reading notifications: pages and cursors across groups, unread filters and counts, marking
read one, a group, or all."""

from __future__ import annotations

from jumo_common.events.identity import UserFollowed
from jumo_common.testing.tokens import TestKeys

from .conftest import Client, Person, follow_org, new_org, notifications, person, publish


async def followed_by(client: Client, keys: TestKeys, ann: Person, names: str) -> list[Person]:
    """People who each follow ``ann`` (one notification each, grouped as "X and N others")."""
    fans = []
    for seq, name in enumerate(names, start=1):
        fan = await person(client, keys, name)
        await publish(client, UserFollowed(follower_id=fan.user_id, followee_id=ann.user_id,
                                           seq=seq), producer="identity")  # fmt: skip
        fans.append(fan)
    return fans


async def test_pages_cover_every_notification_once(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    admin_orgs = [await new_org(client, ann, f"Org {i}") for i in range(5)]
    fan = await person(client, keys, "Fan")
    for org in admin_orgs:  # five groups of one (one per organization)
        await follow_org(client, fan, org)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = await notifications(client, ann, **query)
        seen += [i for item in page["items"] for i in item["ids"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 6  # five follows and the welcome


async def test_like_notifications_group_and_say_how_many(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    await followed_by(client, keys, ann, "BC")
    two = (await notifications(client, ann))["items"][0]
    assert two["text"] == "C and B followed you"
    assert two["actors"] == ["C", "B"]
    await followed_by(client, keys, ann, "DEF")
    five = (await notifications(client, ann))["items"][0]
    assert five["text"] == "F and 4 others followed you"
    assert five["count"] == 5


async def test_marking_read(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    await followed_by(client, keys, ann, "BCD")
    page = await notifications(client, ann)
    assert page["unread"] == 4
    group, welcome = page["items"]
    # One notification of a group, then the rest of it through ``ids``.
    answer = await client.post(f"/notifications/{group['id']}/read", headers=ann.auth)
    assert await answer.json() == {"marked": 1, "unread": 3}
    answer = await client.post(f"/notifications/{group['id']}/read", json={"ids": group["ids"]},
                               headers=ann.auth)  # fmt: skip
    assert await answer.json() == {"marked": 2, "unread": 1}
    unread = await notifications(client, ann, unread="true")
    assert [i["kind"] for i in unread["items"]] == ["welcome"]
    count = await client.get("/notifications/unread-count", headers=ann.auth)
    assert await count.json() == {"unread": 1}
    answer = await client.post("/notifications/read-all", headers=ann.auth)
    assert await answer.json() == {"marked": 1, "unread": 0}
    assert (await notifications(client, ann, unread="true"))["items"] == []
    assert all(i["read"] for i in (await notifications(client, ann))["items"])
    assert welcome["read"] is False  # as it was when read


async def test_nobody_marks_another_persons_notifications(client: Client, keys: TestKeys) -> None:
    ann, eve = await person(client, keys, "Ann"), await person(client, keys, "Eve")
    [mine] = (await notifications(client, ann))["items"]
    answer = await client.post(f"/notifications/{mine['id']}/read", headers=eve.auth)
    assert answer.status == 404
    [theirs] = (await notifications(client, eve))["items"]
    answer = await client.post(f"/notifications/{theirs['id']}/read", json={"ids": [mine["id"]]},
                               headers=eve.auth)  # fmt: skip
    assert await answer.json() == {"marked": 1, "unread": 0}  # hers only
    assert (await notifications(client, ann))["unread"] == 1
