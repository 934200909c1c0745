"""notifier's authorization and input matrix: every /notifications route is the caller's own
(the unsubscribe links excepted: their signed token is the authority), so each refuses a
request without a valid access token (401 problem+json, before it reads the query or the
body); nobody reads, streams or marks another person's notifications; bad input is refused
naming what is wrong.

The routes are taken from the app: a new route under /notifications that this matrix does not
name fails the test.
"""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import ClientResponse
from pydantic import SecretStr

from jumo_common.testing.tokens import TestKeys
from jumo_common.web import PROBLEM_CONTENT_TYPE, ROUTES, problem_type
from jumo_common.web.openapi import openapi_path
from jumo_facebook import FacebookSettings
from jumo_notifier.app import create_app
from jumo_notifier.settings import NotifierSettings

from .conftest import KEY, Client, notifications, person

SOMEONE = "b" * 32
A_NOTIFICATION = f"welcome:{'0' * 8}-0000-0000-0000-{'0' * 12}:{'a' * 32}"
# (method, path, query, JSON body): a valid request of each route.
CALLS: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", "/notifications", {}, None),
    ("GET", "/notifications", {"unread": "true", "limit": "5", "cursor": "MTIzNDU2Nzg5"}, None),
    ("GET", "/notifications/unread-count", {}, None),
    ("POST", f"/notifications/{A_NOTIFICATION}/read", {}, {"ids": []}),
    ("POST", "/notifications/read-all", {}, None),
    ("GET", "/notifications/stream", {}, None),
    ("GET", "/notifications/preferences", {}, None),
    ("PUT", "/notifications/preferences", {}, {"digest": "daily"}),
    ("PUT", f"/notifications/blocked/{SOMEONE}", {}, None),
    ("DELETE", f"/notifications/blocked/{SOMEONE}", {}, None),
    ("POST", "/notifications/email/resume", {}, None),
]
TEMPLATES = {
    f"/notifications/{A_NOTIFICATION}/read": "/notifications/{id}/read",
    f"/notifications/blocked/{SOMEONE}": "/notifications/blocked/{user_id}",
}
NOT_OURS = ("/notifications/unsubscribe",)


async def problem(answer: ClientResponse, status: int) -> dict[str, Any]:
    """The problem+json body of an answer that must have ``status``."""
    body: dict[str, Any] = await answer.json(content_type=None)
    assert answer.status == status, body
    assert answer.content_type == PROBLEM_CONTENT_TYPE
    return body


async def call(client: Client, method: str, path: str, query: dict[str, str], body: Any,
               **headers: str) -> ClientResponse:  # fmt: skip
    """One request (a JSON body when there is one)."""
    answer: ClientResponse = await client.request(method, path, params=query, json=body,
                                                  headers=headers)  # fmt: skip
    return answer


def test_the_matrix_names_every_route_of_notifications() -> None:
    facebook = FacebookSettings(app_id="1", app_secret=SecretStr("s"))
    settings = NotifierSettings(unsubscribe_key=SecretStr(KEY), page_token_key=SecretStr(KEY),
                                facebook=facebook)  # fmt: skip
    registered = create_app(settings).get(ROUTES)
    assert registered is not None
    ours = [r for r in registered.routes
            if r.path.startswith("/notifications") and not r.path.startswith(NOT_OURS)]  # fmt: skip
    named = {(m, TEMPLATES.get(p, p)) for m, p, _, _ in CALLS}
    assert {(r.method, openapi_path(r.path)) for r in ours} == named
    assert all(r.auth for r in ours)


async def test_every_route_refuses_a_request_without_a_valid_token(
    client: Client, keys: TestKeys
) -> None:
    victim = await person(client, keys, "Ann")
    forged = {
        "unsigned (alg none)": keys.forge_unsigned(victim.user_id),
        "HS256 keyed with the public key": keys.forge_hs256_with_public_key(victim.user_id),
        "signed by a key not in the JWKS": TestKeys().mint(victim.user_id),
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
            assert answer.status == 401, (method, path, what)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            await problem(answer, 401)
    # Nothing the refused requests asked for happened.
    page = await notifications(client, victim)
    assert page["unread"] == 1
    prefs = await client.get("/notifications/preferences", headers=victim.auth)
    assert (await prefs.json())["digest"] == "weekly"


async def test_the_token_is_checked_before_the_query_and_the_body(client: Client) -> None:
    wrong = [
        ("GET", "/notifications", {"cursor": "YWJj"}, None),
        ("GET", "/notifications", {"limit": "0"}, None),
        ("PUT", "/notifications/preferences", {}, {"digest": "hourly"}),
    ]
    for method, path, query, body in wrong:
        await problem(await call(client, method, path, query, body), 401)


async def test_bad_input_is_refused_naming_the_field(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    queries = [
        ({"limit": "0"}, "limit"),
        ({"unread": "maybe"}, "unread"),
        ({"colour": "red"}, "colour"),
        ({"user_id": SOMEONE}, "user_id"),
    ]
    for query, field in queries:
        found = await problem(await client.get("/notifications", params=query, headers=ann.auth),
                              422)  # fmt: skip
        assert [e["field"] for e in found["errors"]] == [field], query
    bad_cursor = base64.urlsafe_b64encode(b"abc").decode()
    found = await problem(await client.get("/notifications", params={"cursor": bad_cursor},
                                           headers=ann.auth), 400)  # fmt: skip
    assert found["type"] == problem_type("bad-cursor")
    bodies = [
        ({"digest": "hourly"}, "digest"),
        ({"kinds": {"followed": {"facebook": True}}}, "kinds"),
        ({"kinds": {"no_such_kind": {"email": True}}}, "kinds.no_such_kind.[key]"),
        ({"quiet_hours": {"start": "22:00", "end": "07:00", "time_zone": "Mars/Olympus"}},
         "quiet_hours.time_zone"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00", "time_zone": "UTC"}},
         "quiet_hours.start"),
        ({"kinds": {"followed": {"sms": True}}}, "kinds.followed.sms"),
    ]  # fmt: skip
    for body, field in bodies:
        answer = await client.put("/notifications/preferences", json=body, headers=ann.auth)
        found = await problem(answer, 422)
        assert [e["field"] for e in found["errors"]] == [field], body
    json_type = {**ann.auth, "Content-Type": "application/json"}
    not_json = await client.put("/notifications/preferences", data=b"{", headers=json_type)
    assert (await problem(not_json, 400))["type"] == problem_type("invalid-json")
    for path in (f"/notifications/blocked/{'x' * 32}", "/notifications/nope/read"):
        await problem(await client.put(path, headers=ann.auth), 404)


async def test_preferences_default_then_change_only_what_is_named(
    client: Client, keys: TestKeys
) -> None:
    ann = await person(client, keys, "Ann")
    answer = await client.get("/notifications/preferences", headers=ann.auth)
    prefs = await answer.json()
    assert prefs["kinds"]["followed"] == {"in_app": True, "email": False, "facebook": None}
    assert prefs["kinds"]["welcome"]["facebook"] is False  # off until the member opts in
    assert prefs["kinds"]["application_accepted"]["email"] is True
    assert prefs["digest"] == "weekly"
    change = {"kinds": {"followed": {"email": True}, "welcome": {"facebook": True}},
              "quiet_hours": {"start": "22:00", "end": "07:00",
                              "time_zone": "Europe/Paris"}}  # fmt: skip
    answer = await client.put("/notifications/preferences", json=change, headers=ann.auth)
    prefs = await answer.json()
    assert prefs["kinds"]["followed"] == {"in_app": True, "email": True, "facebook": None}
    assert prefs["kinds"]["welcome"]["facebook"] is True
    assert prefs["quiet_hours"]["time_zone"] == "Europe/Paris"
    answer = await client.put("/notifications/preferences", json={"digest": "daily"},
                              headers=ann.auth)  # fmt: skip
    prefs = await answer.json()
    assert prefs["digest"] == "daily"
    assert prefs["kinds"]["followed"]["email"] is True  # kept
    assert prefs["quiet_hours"] is not None  # kept
    answer = await client.put("/notifications/preferences", json={"quiet_hours": None},
                              headers=ann.auth)  # fmt: skip
    assert (await answer.json())["quiet_hours"] is None
