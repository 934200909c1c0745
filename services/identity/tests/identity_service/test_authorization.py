"""identity's authorization matrix, generated from its routes: every route is tried as nobody,
as a stranger and as the person concerned, and must answer what the matrix says.

A route the matrix does not name fails the test, so a new route cannot ship unconsidered. The
person concerned is Bob, a private profile; Mallory is a stranger with a valid token of her
own. After Mallory's tries, nothing of Bob's has changed.
"""

from __future__ import annotations

import re
from typing import Any

from jumo_common.web import ROUTES
from jumo_facebook.sandbox.testing import SandboxControl

from .conftest import Client, LoggedIn, login

ANON, STRANGER, OWNER = "anonymous", "stranger", "owner"
OK = frozenset({200, 204})
# (method, route) → actor → the statuses that actor may get. Paths name Bob where they take an
# id; "me" is the caller. 401 = "log in first"; 403/404 = "not yours to see"; a write that only
# ever acts as the caller (follow, me) gives the stranger their OWN effect, never Bob's.
MATRIX: dict[tuple[str, str], dict[str, frozenset[int]]] = {
    ("GET", "/users/me"): {ANON: frozenset({401}), STRANGER: OK, OWNER: OK},
    ("PATCH", "/users/me"): {ANON: frozenset({401}), STRANGER: OK, OWNER: OK},
    ("DELETE", "/users/me"): {ANON: frozenset({401})},  # deleting the caller: tried last, apart
    ("GET", "/users/me/export"): {ANON: frozenset({401}), STRANGER: OK, OWNER: OK},
    ("GET", "/users/me/suggestions"): {ANON: frozenset({401}), STRANGER: OK, OWNER: OK},
    ("GET", "/users/me/follow-requests"): {ANON: frozenset({401}), STRANGER: OK, OWNER: OK},
    ("POST", "/users/me/follow-requests/{id}/approve"): {
        ANON: frozenset({401}),
        STRANGER: frozenset({404}),
        OWNER: frozenset({404}),
    },
    ("POST", "/users/me/follow-requests/{id}/decline"): {
        ANON: frozenset({401}),
        STRANGER: frozenset({404}),
        OWNER: frozenset({404}),
    },
    ("GET", "/users/{id}"): {ANON: OK, STRANGER: OK, OWNER: OK},  # limited for the first two
    ("PUT", "/users/{id}/follow"): {ANON: frozenset({401}), STRANGER: OK, OWNER: frozenset({422})},
    ("DELETE", "/users/{id}/follow"): {
        ANON: frozenset({401}),
        STRANGER: OK,
        OWNER: frozenset({422}),
    },
    ("GET", "/users/{id}/followers"): {
        ANON: frozenset({403}),
        STRANGER: frozenset({403}),
        OWNER: OK,
    },
    ("GET", "/users/{id}/following"): {
        ANON: frozenset({403}),
        STRANGER: frozenset({403}),
        OWNER: OK,
    },
    ("GET", "/auth/facebook/login"): {ANON: frozenset({302})},
    ("GET", "/auth/facebook/callback"): {ANON: frozenset({400})},  # no state: nothing happens
    ("POST", "/auth/refresh"): {ANON: frozenset({401})},  # a made-up refresh token
    ("POST", "/auth/logout"): {ANON: frozenset({204})},  # unknown tokens are ignored
    ("GET", "/.well-known/jwks.json"): {ANON: OK},
    ("POST", "/facebook/deauthorize"): {ANON: frozenset({400})},  # unsigned
    ("POST", "/facebook/data-deletion"): {ANON: frozenset({400})},  # unsigned
    ("GET", "/facebook/data-deletion/{code}"): {ANON: frozenset({404})},
    ("GET", "/healthz"): {ANON: OK},
    ("GET", "/readyz"): {ANON: OK},
}
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/users/me"): {"bio": "changed by {actor}"},
    ("POST", "/auth/refresh"): {"refresh_token": "made-up"},
    ("POST", "/auth/logout"): {"refresh_token": "made-up"},
}


def template(path: str) -> str:
    """An aiohttp route path with its parameters' regexes dropped: ``/users/{id}``."""
    return re.sub(r"\{(\w+):[^/]*\}", r"{\1}", path.replace("{32}", ""))


def concrete(path: str, bob: LoggedIn) -> str:
    return path.replace("{id}", bob.user_id).replace("{code}", "no-such-code")


async def _status(
    client: Client, method: str, route: str, actor: tuple[str, LoggedIn | None], bob: LoggedIn
) -> int:
    name, who = actor
    headers = who.auth if who else {}
    body = BODIES.get((method, route)) or {}
    json = {k: v.format(actor=name) for k, v in body.items()} if body else None
    response = await client.request(
        method, concrete(route, bob), headers=headers, json=json, allow_redirects=False
    )
    return response.status


async def test_every_route_answers_each_actor_as_the_matrix_says(
    client: Client, sandbox: SandboxControl
) -> None:
    bob = await login(client, sandbox, await sandbox.create_test_user("Bob"))
    mallory = await login(client, sandbox, await sandbox.create_test_user("Mallory"))
    await client.patch("/users/me", json={"bio": "Bob's own words", "visibility": "private"},
                       headers=bob.auth)  # fmt: skip
    before = await (await client.get("/users/me/export", headers=bob.auth)).json()

    routes = {(r.method, template(r.path)) for r in client.app[ROUTES].routes}
    assert routes == set(MATRIX), "every route must be in the authorization matrix"
    actors: dict[str, LoggedIn | None] = {ANON: None, STRANGER: mallory, OWNER: bob}
    unexpected = []
    for (method, route), allowed in MATRIX.items():
        for actor, statuses in allowed.items():
            if (method, route) == ("DELETE", "/users/me") and actor != ANON:
                continue
            status = await _status(client, method, route, (actor, actors[actor]), bob)
            if status not in statuses:
                unexpected.append(f"{method} {route} as {actor}: {status}, not {sorted(statuses)}")
    assert unexpected == []

    after = await (await client.get("/users/me/export", headers=bob.auth)).json()
    assert after["profile"]["bio"] == "changed by owner"  # Mallory's PATCH changed only hers
    assert after["followers"] == before["followers"]  # Mallory's follow is only a request
    assert after["logins"] == before["logins"]


async def test_deleting_acts_on_the_caller_only(client: Client, sandbox: SandboxControl) -> None:
    bob = await login(client, sandbox, await sandbox.create_test_user("Bob"))
    mallory = await login(client, sandbox, await sandbox.create_test_user("Mallory"))
    assert (await client.delete("/users/me", headers=mallory.auth)).status == 204
    assert (await client.get("/users/me", headers=bob.auth)).status == 200
    assert (await client.get("/users/me", headers=mallory.auth)).status == 401
