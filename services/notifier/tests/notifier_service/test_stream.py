"""The live stream (Server-Sent Events): a new notification arrives while the stream is open;
a reconnect with Last-Event-ID gets what was stored meanwhile; the stream is the caller's own."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from aiohttp import ClientResponse

from jumo_common.events.identity import UserFollowed
from jumo_common.testing.tokens import TestKeys

from .conftest import Client, Person, person, publish


async def next_event(response: ClientResponse, timeout: float = 10.0) -> dict[str, Any]:
    """The next ``notification`` event of a stream: its id and data (comments skipped)."""
    event: dict[str, Any] = {}
    async with asyncio.timeout(timeout):
        while True:
            line = (await response.content.readline()).decode().rstrip("\n")
            if line.startswith("id: "):
                event["id"] = line[4:]
            elif line.startswith("data: "):
                event["data"] = orjson.loads(line[6:])
            elif line == "" and "data" in event:
                return event


async def follow(client: Client, who: Person, whom: Person, seq: int = 1) -> None:
    """``who`` follows ``whom``."""
    await publish(client, UserFollowed(follower_id=who.user_id, followee_id=whom.user_id, seq=seq),
                  producer="identity")  # fmt: skip


async def test_a_new_notification_arrives_on_the_open_stream(
    client: Client, keys: TestKeys
) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    response = await client.get("/notifications/stream", headers=ann.auth)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert response.headers["X-Accel-Buffering"] == "no"
    await follow(client, bob, ann)
    event = await next_event(response)
    assert event["data"]["text"] == "Bob followed you"
    assert event["id"] == event["data"]["cursor"]
    response.close()


async def test_a_reconnect_resumes_after_the_last_event_id(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    fans = [await person(client, keys, n) for n in ("Bob", "Cat", "Dan")]
    response = await client.get("/notifications/stream", headers=ann.auth)
    await follow(client, fans[0], ann)
    first = await next_event(response)
    response.close()
    for fan in fans[1:]:  # while disconnected
        await follow(client, fan, ann)
    again = await client.get("/notifications/stream",
                             headers={**ann.auth, "Last-Event-ID": first["id"]})  # fmt: skip
    missed = [await next_event(again), await next_event(again)]
    assert [e["data"]["text"] for e in missed] == ["Cat followed you", "Dan followed you"]
    again.close()


async def test_a_stream_carries_only_its_owners_notifications(
    client: Client, keys: TestKeys
) -> None:
    ann, eve, bob = [await person(client, keys, n) for n in ("Ann", "Eve", "Bob")]
    eves = await client.get("/notifications/stream", headers=eve.auth)
    await follow(client, bob, ann)
    await follow(client, bob, eve)
    event = await next_event(eves)
    assert event["data"]["text"] == "Bob followed you"
    assert event["data"]["id"].endswith(eve.user_id)
    eves.close()


async def test_a_bad_last_event_id_is_a_bad_cursor(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    response = await client.get("/notifications/stream",
                                headers={**ann.auth, "Last-Event-ID": "nonsense!"})  # fmt: skip
    assert response.status == 400
    assert (await response.json(content_type=None))["type"].endswith("bad-cursor")
