"""Catch-up: after ``POST /feed/seen``, ``GET /feed?mode=catch-up`` holds only what came since,
grouped by source or by what people did, each group a sentence ("Water for All posted 3
updates", "2 people you follow joined Clean Water"), the group of the newest item first; the
mark never moves back, and it counts the items merged from large sources too.
"""

from __future__ import annotations

from typing import Any

import pytest

from jumo_common.events.opportunities import OpportunityPublished
from jumo_common.events.orgs import CauseJoined
from jumo_common.testing.tokens import TestKeys

from .conftest import (
    Client,
    Person,
    follow,
    follow_org,
    minutes_ago,
    new_org,
    open_feed,
    opportunity,
    person,
    post,
    publish,
    read_feed,
)


async def catch_up(client: Client, who: Person) -> dict[str, Any]:
    """``GET /feed?mode=catch-up`` as ``who``."""
    return await read_feed(client, who, mode="catch-up")


async def seen(client: Client, who: Person, cursor: str | None = None) -> str | None:
    """``POST /feed/seen`` (the newest item without a cursor); the mark."""
    body = {"cursor": cursor} if cursor else None
    answer = await client.post("/feed/seen", json=body, headers=who.auth)
    found: dict[str, Any] = await answer.json()
    assert answer.status == 200, found
    mark: str | None = found["seen"]
    return mark


def texts(found: dict[str, Any]) -> list[tuple[str, int]]:
    """Catch-up's groups as (sentence, count)."""
    return [(g["text"], g["count"]) for g in found["groups"]]


async def test_what_came_since_the_mark_is_grouped_into_sentences(
    client: Client, keys: TestKeys
) -> None:
    ann, bo, cy, dee = [await person(client, keys, n) for n in ("Ann", "Bo", "Cy", "Dee")]
    await open_feed(client, ann)
    water, food = await new_org(client, "Water for All"), await new_org(client, "Food Bank")
    await follow_org(client, ann, water)
    await follow_org(client, ann, food)
    for friend in (bo, cy, dee):
        await follow(client, ann, friend)
    await publish(client, post(water, "Before", minutes_ago(30)))
    await publish(client, CauseJoined(cause="education", user_id=bo.user_id, seq=1),
                  occurred_at=minutes_ago(29))  # fmt: skip
    first = await catch_up(client, ann)
    assert first["since"] is None
    assert texts(first) == [("Bo joined Education", 1), ("Water for All posted 1 update", 1)]

    mark = await seen(client, ann)
    assert mark == (await read_feed(client, ann))["items"][0]["cursor"]
    assert (await catch_up(client, ann))["total"] == 0

    for minutes, title in ((10, "Wells dug"), (8, "Pumps fixed"), (6, "Taps open")):
        await publish(client, post(water, title, minutes_ago(minutes)))
    for minutes, friend in ((9, bo), (7, cy)):
        await publish(client, CauseJoined(cause="clean-water", user_id=friend.user_id, seq=1),
                      occurred_at=minutes_ago(minutes))  # fmt: skip
    await publish(client, CauseJoined(cause="education", user_id=dee.user_id, seq=1),
                  occurred_at=minutes_ago(5))  # fmt: skip
    await publish(client, post(food, "Food drive", minutes_ago(4)))
    await publish(client, OpportunityPublished(opportunity=opportunity(water, "Dig a well"),
                                               published_at=minutes_ago(3), version=1))  # fmt: skip

    found = await catch_up(client, ann)

    assert found["since"] == mark
    assert found["total"] == 8
    assert texts(found) == [
        ("Water for All published 1 opportunity", 1),
        ("Food Bank posted 1 update", 1),
        ("Dee joined Education", 1),
        ("Water for All posted 3 updates", 3),
        ("2 people you follow joined Clean Water", 2),
    ]
    waters = found["groups"][3]["items"]
    assert [i["snapshot"]["title"] for i in waters] == ["Taps open", "Pumps fixed", "Wells dug"]
    assert found["newest"] == found["groups"][0]["items"][0]["cursor"]

    dee_joined = found["groups"][2]["items"][0]["cursor"]
    assert await seen(client, ann, dee_joined) == dee_joined
    assert texts(await catch_up(client, ann)) == [
        ("Water for All published 1 opportunity", 1), ("Food Bank posted 1 update", 1)
    ]  # fmt: skip
    assert await seen(client, ann, mark) == dee_joined  # never back
    assert await seen(client, ann, found["newest"]) == found["newest"]
    assert (await catch_up(client, ann))["groups"] == []


@pytest.mark.parametrize("overrides", [{"large_source_followers": 1}], ids=["large>1"])
async def test_the_mark_counts_what_large_sources_brought(client: Client, keys: TestKeys) -> None:
    ann, bo = await person(client, keys, "Ann"), await person(client, keys, "Bo")
    water = await new_org(client, "Water for All")
    for who in (ann, bo):
        await open_feed(client, who)
        await follow_org(client, who, water)  # two followers: merged when read
    await publish(client, post(water, "Wells dug", minutes_ago(2)))
    newest = (await read_feed(client, ann))["items"][0]["cursor"]

    assert await seen(client, ann) == newest
    assert (await catch_up(client, ann))["groups"] == []
    await publish(client, post(water, "Pumps fixed", minutes_ago(1)))
    assert texts(await catch_up(client, ann)) == [("Water for All posted 1 update", 1)]
