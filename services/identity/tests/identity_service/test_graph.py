"""The follow graph: idempotent follow/unfollow, per-pair seq events, lists, suggestions."""

from __future__ import annotations

import asyncio
from typing import Any

from jumo_common.testing.bus import EventTap
from jumo_facebook.sandbox.testing import SandboxControl

from .conftest import Client, LoggedIn, befriend, login


async def _follow(client: Client, who: LoggedIn, target: str, *, on: bool = True) -> Any:
    method = client.put if on else client.delete
    response = await method(f"/users/{target}/follow", headers=who.auth)
    return response.status, await response.json()


async def test_follow_and_unfollow_are_idempotent_and_publish_once(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    bob = await login(client, sandbox, await sandbox.create_test_user("Bob"))

    status, first = await _follow(client, ann, bob.user_id)
    assert (status, first["following"], first["changed"]) == (200, True, True)
    status, repeat = await _follow(client, ann, bob.user_id)
    assert (status, repeat["following"], repeat["changed"]) == (200, True, False)
    [followed] = await tap.wait_for("user.followed")
    assert followed["data"] == {"follower_id": ann.user_id, "followee_id": bob.user_id, "seq": 1}

    status, gone = await _follow(client, ann, bob.user_id, on=False)
    assert (status, gone["changed"]) == (200, True)
    status, gone_again = await _follow(client, ann, bob.user_id, on=False)
    assert (status, gone_again["changed"]) == (200, False)
    [unfollowed] = await tap.wait_for("user.unfollowed")
    assert unfollowed["data"]["seq"] == 2

    await _follow(client, ann, bob.user_id)
    followed_again = await tap.wait_for("user.followed", 2)
    assert [e["data"]["seq"] for e in followed_again] == [1, 3]
    # Give a duplicate publish a chance to show up, then check none did.
    await _follow(client, bob, ann.user_id)
    await tap.wait_for("user.followed", 3)
    assert len(tap.of_type("user.followed")) == 3
    assert len(tap.of_type("user.unfollowed")) == 1


async def test_concurrent_follows_of_one_pair_change_it_once(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    bob = await login(client, sandbox, await sandbox.create_test_user("Bob"))
    answers = await asyncio.gather(*(_follow(client, ann, bob.user_id) for _ in range(6)))
    assert all(status == 200 for status, _ in answers)
    assert sum(body["changed"] for _, body in answers) == 1
    await tap.wait_for("user.followed")
    await _follow(client, bob, ann.user_id)  # a later event, to know the earlier ones arrived
    await tap.wait_for("user.followed", 2)
    assert len(tap.of_type("user.followed")) == 2


async def test_follow_yourself_is_422_and_unknown_is_404(
    client: Client, sandbox: SandboxControl
) -> None:
    ann = await login(client, sandbox, await sandbox.create_test_user("Ann"))
    status, problem = await _follow(client, ann, ann.user_id)
    assert status == 422
    assert problem["type"].endswith("/cannot-follow-self")
    for on in (True, False):
        status, _ = await _follow(client, ann, "f" * 32, on=on)
        assert status == 404
    response = await client.put(f"/users/{ann.user_id}/follow")
    assert response.status == 401


async def test_followers_and_following_are_paginated_newest_first(
    client: Client, sandbox: SandboxControl
) -> None:
    star = await login(client, sandbox, await sandbox.create_test_user("Star"))
    fans = [
        await login(client, sandbox, await sandbox.create_test_user(f"Fan {i}")) for i in range(5)
    ]
    for fan in fans:
        await _follow(client, fan, star.user_id)

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"/users/{star.user_id}/followers", params=params)
        page = await response.json()
        assert response.status == 200, page
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [fan.user_id for fan in reversed(fans)]

    mine = await client.get("/users/me/following", headers=fans[0].auth)
    assert [i["id"] for i in (await mine.json())["items"]] == [star.user_id]
    bad = await client.get(f"/users/{star.user_id}/followers", params={"cursor": "garbage"})
    assert bad.status == 400
    assert (await client.get("/users/" + "0" * 32 + "/followers")).status == 404


async def test_follow_lists_obey_the_profile_visibility(
    client: Client, sandbox: SandboxControl
) -> None:
    shy = await login(client, sandbox, await sandbox.create_test_user("Shy"))
    fan = await login(client, sandbox, await sandbox.create_test_user("Fan"))
    other = await login(client, sandbox, await sandbox.create_test_user("Other"))
    await _follow(client, fan, shy.user_id)

    async def status_of(path: str, who: LoggedIn | None) -> int:
        response = await client.get(path, headers=who.auth if who else {})
        return response.status

    for visibility, fan_sees in (("followers", 200), ("private", 403)):
        edit = await client.patch("/users/me", json={"visibility": visibility}, headers=shy.auth)
        assert edit.status == 200, await edit.text()
        for direction in ("followers", "following"):
            path = f"/users/{shy.user_id}/{direction}"
            assert await status_of(path, None) == 403
            assert await status_of(path, other) == 403
            assert await status_of(path, fan) == fan_sees
            assert await status_of(path, shy) == 200
            assert await status_of(f"/users/me/{direction}", shy) == 200
    hidden = await client.get(f"/users/{shy.user_id}/followers")
    assert (await hidden.json())["type"].endswith("/connections-hidden")


async def test_suggestions_are_facebook_friends_on_jumo_not_yet_followed(
    client: Client, sandbox: SandboxControl
) -> None:
    fb_ann, fb_bob, fb_cy, fb_dee = [
        await sandbox.create_test_user(n) for n in ("Ann", "Bob", "Cy", "Dee")
    ]
    await befriend(sandbox, fb_ann, fb_bob)
    await befriend(sandbox, fb_ann, fb_cy)
    # Ann joins first, when none of her friends use Jumo yet; they join after her.
    ann = await login(client, sandbox, fb_ann)
    bob = await login(client, sandbox, fb_bob)
    cy = await login(client, sandbox, fb_cy)
    await login(client, sandbox, fb_dee)  # on Jumo, but not a friend

    response = await client.get("/users/me/suggestions", headers=ann.auth)
    names = [s["display_name"] for s in (await response.json())["items"]]
    assert names == ["Bob", "Cy"]
    bob_view = await (await client.get("/users/me/suggestions", headers=bob.auth)).json()
    assert [s["id"] for s in bob_view["items"]] == [ann.user_id]

    await _follow(client, ann, cy.user_id)
    response = await client.get("/users/me/suggestions", headers=ann.auth)
    assert [s["id"] for s in (await response.json())["items"]] == [bob.user_id]
