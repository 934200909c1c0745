"""feed's authorization and input matrix: every route is the caller's own feed, so every route
refuses a request without a valid access token (401 problem+json, before it looks at the
query or the body), and a person only ever sees their own feed; bad cursors, queries and bodies
are refused with a problem that names what is wrong.

The routes are taken from the app: a new route that this matrix does not name fails the test.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from aiohttp import ClientResponse

from jumo_common.testing.tokens import TestKeys
from jumo_common.web import PROBLEM_CONTENT_TYPE, ROUTES, problem_type
from jumo_feed.app import create_app
from jumo_feed.settings import FeedSettings

from .conftest import (
    Client,
    Person,
    follow_org,
    minutes_ago,
    new_org,
    open_feed,
    person,
    post,
    publish,
    read_feed,
    titles,
)

# (method, path, query, JSON body): a valid request of each route.
CALLS: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", "/feed", {}, None),
    ("GET", "/feed", {"mode": "catch-up"}, None),
    ("GET", "/feed", {"limit": "5", "cursor": "MTIzNDU2Nzg5"}, None),
    ("POST", "/feed/seen", {}, {"cursor": "MTIzNDU2Nzg5"}),
    ("GET", "/feed/preferences", {}, None),
    ("PUT", "/feed/preferences", {}, {"cause_opportunities": True}),
]
BAD_CURSORS = {
    "YWJj": "not a number (abc)",
    "MA": "zero",
    "LTU": "negative",
    base64.urlsafe_b64encode(str(2**53).encode()).decode().rstrip("="): "past 2**53",
    "_w": "not UTF-8",
    "A": "not base64",
}


async def problem(answer: ClientResponse, status: int) -> dict[str, Any]:
    """The problem+json body of an answer that must have ``status``."""
    body: dict[str, Any] = await answer.json(content_type=None)
    assert answer.status == status, body
    assert answer.content_type == PROBLEM_CONTENT_TYPE
    assert body["status"] == status
    return body


async def call(
    client: Client, method: str, path: str, query: dict[str, str], body: Any, **headers: str
) -> ClientResponse:
    """One request (a JSON body when there is one)."""
    answer: ClientResponse = await client.request(method, path, params=query, json=body,
                                                  headers=headers)  # fmt: skip
    return answer


def test_the_matrix_names_every_route_of_feed() -> None:
    registered = create_app(FeedSettings()).get(ROUTES)  # nothing connects until it starts
    assert registered is not None
    feed = [r for r in registered.routes if r.path.startswith("/feed")]
    assert {(r.method, r.path) for r in feed} == {(method, path) for method, path, _, _ in CALLS}
    assert all(r.auth for r in feed)


async def test_every_route_refuses_a_request_without_a_valid_token(
    client: Client, keys: TestKeys
) -> None:
    victim = await person(client, keys, "Ann")
    stranger_keys = TestKeys()
    forged = {
        "unsigned (alg none)": keys.forge_unsigned(victim.user_id),
        "HS256 keyed with the public key": keys.forge_hs256_with_public_key(victim.user_id),
        "signed by a key not in the JWKS": stranger_keys.mint(victim.user_id),
        "expired an hour ago": keys.mint(victim.user_id, ttl_s=-3600),
        "for another audience": keys.mint(victim.user_id, aud="elsewhere"),
        "from another issuer": keys.mint(victim.user_id, iss="someone-else"),
        "not a token": "abc.def.ghi",
    }
    for method, path, query, body in CALLS:
        anonymous = await problem(await call(client, method, path, query, body), 401)
        assert anonymous["type"] == problem_type("unauthorized")
        for what, token in forged.items():
            answer = await call(client, method, path, query, body,
                                Authorization=f"Bearer {token}")  # fmt: skip
            assert answer.status == 401, (method, path, query, what)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            await problem(answer, 401)
        basic = await call(client, method, path, query, body, Authorization="Basic YTpi")
        await problem(basic, 401)
    # Nothing the refused requests asked for happened to the person they named.
    preferences = await client.get("/feed/preferences", headers=victim.auth)
    assert await preferences.json() == {"cause_opportunities": False}
    assert (await read_feed(client, victim, mode="catch-up"))["since"] is None


async def test_the_token_is_checked_before_the_query_and_the_body(client: Client) -> None:
    wrong = [
        ("GET", "/feed", {"cursor": "YWJj"}, None),
        ("GET", "/feed", {"limit": "0"}, None),
        ("POST", "/feed/seen", {}, {"cursor": 5}),
        ("PUT", "/feed/preferences", {}, {"cause_opportunities": "yes"}),
    ]
    for method, path, query, body in wrong:
        await problem(await call(client, method, path, query, body), 401)


async def test_a_person_only_ever_sees_their_own_feed(client: Client, keys: TestKeys) -> None:
    ann, bo = await person(client, keys, "Ann"), await person(client, keys, "Bo")
    water, food = await new_org(client, "Water for All"), await new_org(client, "Food Bank")
    for who, org in ((ann, water), (bo, food)):
        await open_feed(client, who)
        await follow_org(client, who, org)
    await publish(client, post(water, "Wells dug", minutes_ago(2)))
    await publish(client, post(food, "Food drive", minutes_ago(1)))
    answer = await client.put("/feed/preferences", json={"cause_opportunities": True},
                              headers=bo.auth)  # fmt: skip
    assert answer.status == 200

    assert titles(await read_feed(client, ann)) == ["post:Wells dug"]
    assert titles(await read_feed(client, bo)) == ["post:Food drive"]
    mine = await client.get("/feed/preferences", headers=ann.auth)
    assert await mine.json() == {"cause_opportunities": False}
    for query in ({"user_id": bo.user_id}, {"user": bo.user_id}, {"sub": bo.user_id}):
        refused = await problem(await client.get("/feed", params=query, headers=ann.auth), 422)
        assert [e["field"] for e in refused["errors"]] == list(query)


@pytest.fixture
async def ann(client: Client, keys: TestKeys) -> Person:
    """A person who reads their feed."""
    found = await person(client, keys, "Ann")
    await open_feed(client, found)
    return found


async def test_a_cursor_feed_did_not_give_out_is_a_bad_cursor(client: Client, ann: Person) -> None:
    for cursor, what in BAD_CURSORS.items():
        for answer in (
            await client.get("/feed", params={"cursor": cursor}, headers=ann.auth),
            await client.post("/feed/seen", json={"cursor": cursor}, headers=ann.auth),
        ):
            found = await problem(answer, 400)
            assert found["type"] == problem_type("bad-cursor"), what


async def test_bad_queries_and_bodies_are_refused_naming_the_field(
    client: Client, ann: Person
) -> None:
    queries = [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "x"}, "limit"),
               ({"mode": "everything"}, "mode"), ({"cursor": "no spaces"}, "cursor"),
               ({"cursor": "A" * 2049}, "cursor"), ({"colour": "red"}, "colour")]  # fmt: skip
    for query, field in queries:
        found = await problem(await client.get("/feed", params=query, headers=ann.auth), 422)
        assert [e["field"] for e in found["errors"]] == [field], query
    bodies = [
        ("POST", "/feed/seen", {"cursor": 5}, "cursor"),
        ("POST", "/feed/seen", {"cursor": "A" * 65}, "cursor"),
        ("POST", "/feed/seen", {"cursor": "MA", "until": "now"}, "until"),
        ("PUT", "/feed/preferences", {"cause_opportunities": "yes"}, "cause_opportunities"),
        ("PUT", "/feed/preferences", {"cause_opportunities": 1}, "cause_opportunities"),
        ("PUT", "/feed/preferences", {"digest": "weekly"}, "digest"),
    ]
    for method, path, body, field in bodies:
        answer = await client.request(method, path, json=body, headers=ann.auth)
        found = await problem(answer, 422)
        assert [e["field"] for e in found["errors"]] == [field], body
    for method, path in (("POST", "/feed/seen"), ("PUT", "/feed/preferences")):
        not_json = await client.request(method, path, data=b"{", headers={
            **ann.auth, "Content-Type": "application/json"})  # fmt: skip
        assert (await problem(not_json, 400))["type"] == problem_type("invalid-json")
        text = await client.request(method, path, data=b"cursor=1", headers={
            **ann.auth, "Content-Type": "text/plain"})  # fmt: skip
        await problem(text, 415)


async def test_a_nul_character_is_refused_with_a_clear_problem(client: Client, ann: Person) -> None:
    for query in ({"cursor": "\x00"}, {"mode": "catch-up\x00"}, {"limit": "5\x00"}):
        found = await problem(await client.get("/feed", params=query, headers=ann.auth), 422)
        assert [e["field"] for e in found["errors"]] == list(query)
    answer = await client.post("/feed/seen", json={"cursor": "MA\x00"}, headers=ann.auth)
    found = await problem(answer, 422)
    assert [e["field"] for e in found["errors"]] == ["cursor"]
    assert (await problem(await client.get("/feed%00", headers=ann.auth), 404))["detail"]
