"""Follow requests through the HTTP API: a non-public profile approves its followers.

Asking publishes user.follow_requested (once, with the pair's seq), approving user.followed;
declining and withdrawing publish nothing. "Publishes nothing" is checked with a later event of
the SAME follow edge: the outbox sends the events of one document in the order they were
written, so once that later event has arrived, anything the earlier moves had published would
have arrived before it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from jumo_common.mongo import MONGO_DB
from jumo_common.testing.bus import EventTap
from jumo_facebook.sandbox.testing import SandboxControl

from .conftest import Client, LoggedIn, login


async def _person(client: Client, sandbox: SandboxControl, name: str) -> LoggedIn:
    return await login(client, sandbox, await sandbox.create_test_user(name))


async def _call(client: Client, method: str, path: str, who: LoggedIn | None) -> Any:
    response = await client.request(method, path, headers=who.auth if who else {})
    return response.status, await response.json()


async def _follow(client: Client, who: LoggedIn, target: LoggedIn, *, on: bool = True) -> Any:
    status, body = await _call(
        client, "PUT" if on else "DELETE", f"/users/{target.user_id}/follow", who
    )
    assert status == 200, body
    return body


async def _answer(client: Client, who: LoggedIn, asker: str, verb: str) -> tuple[int, Any]:
    result: tuple[int, Any] = await _call(
        client, "POST", f"/users/me/follow-requests/{asker}/{verb}", who
    )
    return result


async def _requests(client: Client, who: LoggedIn) -> list[str]:
    status, page = await _call(client, "GET", "/users/me/follow-requests", who)
    assert status == 200, page
    return [item["id"] for item in page["items"]]


async def _followers(client: Client, who: LoggedIn) -> list[str]:
    status, page = await _call(client, "GET", "/users/me/followers", who)
    assert status == 200, page
    return [item["id"] for item in page["items"]]


async def _set_visibility(client: Client, who: LoggedIn, visibility: str) -> None:
    response = await client.patch("/users/me", json={"visibility": visibility}, headers=who.auth)
    assert response.status == 200, await response.text()


async def _edge_version(client: Client, follower: LoggedIn, followee: LoggedIn) -> int:
    edge = await client.app[MONGO_DB]["follows"].find_one(
        {"_id": f"{follower.user_id}:{followee.user_id}"}
    )
    assert edge is not None
    return int(edge["version"])


FOLLOW_EVENTS = ("user.follow_requested", "user.followed", "user.unfollowed")


def _follow_events(tap: EventTap) -> list[dict[str, Any]]:
    return [e for e in tap.received if e["type"] in FOLLOW_EVENTS]


def _pair(follower: LoggedIn, followee: LoggedIn, seq: int) -> dict[str, Any]:
    return {"follower_id": follower.user_id, "followee_id": followee.user_id, "seq": seq}


@pytest.mark.parametrize("visibility", ["followers", "private"])
async def test_following_a_non_public_profile_is_a_request_published_once(
    client: Client, sandbox: SandboxControl, tap: EventTap, visibility: str
) -> None:
    ann, bob = await _person(client, sandbox, "Ann"), await _person(client, sandbox, "Bob")
    await _set_visibility(client, bob, visibility)

    first = await _follow(client, ann, bob)
    again = await _follow(client, ann, bob)

    assert (first["following"], first["requested"], first["changed"]) == (False, True, True)
    assert (again["following"], again["requested"], again["changed"]) == (False, True, False)
    assert await _followers(client, bob) == []
    status, approved = await _answer(client, bob, ann.user_id, "approve")  # the same edge
    assert (status, approved["following"], approved["requested"]) == (200, True, False)
    [followed] = await tap.wait_for("user.followed")
    assert followed["data"] == _pair(ann, bob, 2)
    # The request was published once (asking again while pending changed nothing), before
    # the follow it became, with the edge's seq and Ann as its actor.
    [requested] = tap.of_type("user.follow_requested")
    assert requested["data"] == _pair(ann, bob, 1)
    assert (requested["actor_id"], requested["subject_id"]) == (ann.user_id, bob.user_id)
    assert requested["producer"] == "identity"
    assert _follow_events(tap) == [requested, followed]


async def test_asking_at_once_many_times_publishes_one_request(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann, bob = await _person(client, sandbox, "Ann"), await _person(client, sandbox, "Bob")
    await _set_visibility(client, bob, "private")

    answers = await asyncio.gather(
        *(_call(client, "PUT", f"/users/{bob.user_id}/follow", ann) for _ in range(6))
    )

    # One move wins the edge's next version; the others find the request already made.
    assert all(status == 200 for status, _ in answers), answers
    assert sum(body["changed"] for _, body in answers) == 1
    assert all(body["requested"] for _, body in answers)
    await _answer(client, bob, ann.user_id, "approve")  # the edge's next event
    [followed] = await tap.wait_for("user.followed")
    [requested] = tap.of_type("user.follow_requested")
    assert (requested["data"], followed["data"]) == (_pair(ann, bob, 1), _pair(ann, bob, 2))
    assert _follow_events(tap) == [requested, followed]


async def test_a_request_shows_to_the_followee_only(
    client: Client, sandbox: SandboxControl
) -> None:
    ann, bob, cy = [await _person(client, sandbox, name) for name in ("Ann", "Bob", "Cy")]
    await _set_visibility(client, bob, "followers")
    await _follow(client, ann, bob)

    status, page = await _call(client, "GET", "/users/me/follow-requests", bob)
    assert status == 200
    [entry] = page["items"]
    assert (entry["id"], entry["display_name"]) == (ann.user_id, "Ann")
    assert entry["since"]
    assert await _requests(client, ann) == []  # the requester sees nothing of it there
    assert await _requests(client, cy) == []  # nor does a third person
    status, _ = await _call(client, "GET", "/users/me/follow-requests", None)
    assert status == 401


async def test_requests_are_paginated_newest_first(client: Client, sandbox: SandboxControl) -> None:
    star = await _person(client, sandbox, "Star")
    await _set_visibility(client, star, "private")
    fans = [await _person(client, sandbox, f"Fan {i}") for i in range(3)]
    for fan in fans:
        await _follow(client, fan, star)

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        response = await client.get("/users/me/follow-requests", params=params, headers=star.auth)
        page = await response.json()
        assert response.status == 200, page
        seen += [item["id"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == [fan.user_id for fan in reversed(fans)]


async def test_approving_publishes_one_followed_with_the_edges_seq_and_opens_the_profile(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann, bob = await _person(client, sandbox, "Ann"), await _person(client, sandbox, "Bob")
    await client.patch("/users/me", json={"bio": "only for followers"}, headers=bob.auth)
    await _set_visibility(client, bob, "followers")
    await _follow(client, ann, bob)
    _, limited = await _call(client, "GET", f"/users/{bob.user_id}", ann)
    assert (limited["limited"], limited["bio"]) == (True, None)

    status, state = await _answer(client, bob, ann.user_id, "approve")

    assert status == 200, state
    assert state == {"follower_id": ann.user_id, "followee_id": bob.user_id, "following": True,
                     "requested": False, "changed": True}  # fmt: skip
    [followed] = await tap.wait_for("user.followed")
    assert followed["data"]["seq"] == await _edge_version(client, ann, bob) == 2
    assert (followed["actor_id"], followed["subject_id"]) == (ann.user_id, bob.user_id)
    _, full = await _call(client, "GET", f"/users/{bob.user_id}", ann)
    assert (full["limited"], full["bio"]) == (False, "only for followers")
    assert await _followers(client, bob) == [ann.user_id]
    assert await _requests(client, bob) == []
    status, following = await _call(client, "GET", f"/users/{bob.user_id}/followers", ann)
    assert (status, [i["id"] for i in following["items"]]) == (200, [ann.user_id])

    # Approving again changes nothing; the unfollow after it is the edge's next event.
    status, twice = await _answer(client, bob, ann.user_id, "approve")
    assert (status, twice["following"], twice["changed"]) == (200, True, False)
    await _follow(client, ann, bob, on=False)
    [unfollowed] = await tap.wait_for("user.unfollowed")
    assert unfollowed["data"]["seq"] == 3
    [requested] = tap.of_type("user.follow_requested")
    assert _follow_events(tap) == [requested, followed, unfollowed]


async def test_declining_publishes_nothing_and_asking_again_is_a_new_request(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann, bob = await _person(client, sandbox, "Ann"), await _person(client, sandbox, "Bob")
    await _set_visibility(client, bob, "followers")
    await _follow(client, ann, bob)

    status, declined = await _answer(client, bob, ann.user_id, "decline")

    assert status == 200, declined
    assert (declined["following"], declined["requested"], declined["changed"]) == (
        False, False, True,
    )  # fmt: skip
    assert await _requests(client, bob) == []
    assert await _followers(client, bob) == []
    status, _ = await _answer(client, bob, ann.user_id, "decline")  # nothing left to decline
    assert status == 404
    asked = await _follow(client, ann, bob)
    assert (asked["requested"], asked["changed"]) == (True, True)
    assert await _requests(client, bob) == [ann.user_id]
    await _answer(client, bob, ann.user_id, "approve")
    [followed] = await tap.wait_for("user.followed")
    assert followed["data"]["seq"] == 4  # request, decline, request, approve
    first, second = tap.of_type("user.follow_requested")
    assert (first["data"], second["data"]) == (_pair(ann, bob, 1), _pair(ann, bob, 3))
    assert _follow_events(tap) == [first, second, followed]  # nothing for the decline


async def test_unfollowing_a_pending_request_withdraws_it_and_publishes_nothing(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann, bob = await _person(client, sandbox, "Ann"), await _person(client, sandbox, "Bob")
    await _set_visibility(client, bob, "private")
    await _follow(client, ann, bob)

    withdrawn = await _follow(client, ann, bob, on=False)

    assert (withdrawn["following"], withdrawn["requested"], withdrawn["changed"]) == (
        False, False, True,
    )  # fmt: skip
    assert await _requests(client, bob) == []
    status, problem = await _answer(client, bob, ann.user_id, "approve")
    assert (status, problem["type"].split("/")[-1]) == (404, "follow-request-not-found")
    await _set_visibility(client, bob, "public")
    assert (await _follow(client, ann, bob))["following"] is True  # the edge's next event
    [followed] = await tap.wait_for("user.followed")
    assert followed["data"]["seq"] == 3
    [requested] = tap.of_type("user.follow_requested")
    assert requested["data"]["seq"] == 1
    assert _follow_events(tap) == [requested, followed]  # no user.unfollowed for the withdrawal


async def test_answering_a_request_nobody_made_is_404(
    client: Client, sandbox: SandboxControl
) -> None:
    ann, bob = await _person(client, sandbox, "Ann"), await _person(client, sandbox, "Bob")
    await _set_visibility(client, bob, "followers")
    for asker in (ann.user_id, "f" * 32):
        for verb in ("approve", "decline"):
            status, problem = await _answer(client, bob, asker, verb)
            assert status == 404, (asker, verb, problem)
            assert problem["type"].endswith("/follow-request-not-found"), problem
    assert (await _call(client, "POST", f"/users/me/follow-requests/{ann.user_id}/approve",
                        None))[0] == 401  # fmt: skip


async def test_nobody_answers_a_request_addressed_to_someone_else(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann, bob, eve = [await _person(client, sandbox, name) for name in ("Ann", "Bob", "Eve")]
    await _set_visibility(client, bob, "followers")
    await _follow(client, ann, bob)

    # The routes act on the caller's own requests only: Eve's and Ann's have none from Ann/Bob.
    for who, asker in ((eve, ann.user_id), (ann, bob.user_id), (ann, ann.user_id)):
        for verb in ("approve", "decline"):
            status, _ = await _answer(client, who, asker, verb)
            assert status == 404, (who.body["user"]["display_name"], asker, verb)
    # There is no route naming the followee: only /users/me/follow-requests exists.
    for path in (f"/users/{bob.user_id}/follow-requests",
                 f"/users/{bob.user_id}/follow-requests/{ann.user_id}/approve"):  # fmt: skip
        for method in ("GET", "POST"):
            response = await client.request(method, path, headers=eve.auth)
            assert response.status in (404, 405), (method, path, response.status)

    assert await _requests(client, bob) == [ann.user_id]  # still pending, untouched
    _, view = await _call(client, "GET", f"/users/{bob.user_id}", ann)
    assert view["limited"] is True
    await _answer(client, bob, ann.user_id, "approve")
    [followed] = await tap.wait_for("user.followed")
    assert followed["data"]["seq"] == 2  # nothing happened to the edge in between
    [requested] = tap.of_type("user.follow_requested")
    assert _follow_events(tap) == [requested, followed]


async def test_following_a_public_profile_is_immediate(
    client: Client, sandbox: SandboxControl, tap: EventTap
) -> None:
    ann, bob = await _person(client, sandbox, "Ann"), await _person(client, sandbox, "Bob")

    state = await _follow(client, ann, bob)

    assert (state["following"], state["requested"], state["changed"]) == (True, False, True)
    assert await _followers(client, bob) == [ann.user_id]
    assert await _requests(client, bob) == []
    [followed] = await tap.wait_for("user.followed")
    assert followed["data"]["seq"] == 1
    status, _ = await _answer(client, bob, ann.user_id, "approve")  # already a follower
    assert status == 200
    await _follow(client, ann, bob, on=False)  # the edge's next event: nothing came between
    await tap.wait_for("user.unfollowed")
    assert [e["type"] for e in _follow_events(tap)] == ["user.followed", "user.unfollowed"]


async def test_the_openapi_document_lists_the_follow_request_routes(client: Client) -> None:
    response = await client.get("/openapi.json")
    paths = (await response.json())["paths"]

    assert "get" in paths["/users/me/follow-requests"]
    for verb in ("approve", "decline"):
        [path] = [p for p in paths if p.startswith("/users/me/follow-requests/") and
                  p.endswith(f"/{verb}")]  # fmt: skip
        operation = paths[path]["post"]
        assert {"200", "404"} <= set(operation["responses"]), operation["responses"]
        assert operation.get("security"), f"{path} must require a token"
