"""Matching's authorization matrix (authz_matching.py), tried on a real app: every route as
every actor, refusals first, only the matrix's actors get a 2xx — a stranger cannot list
candidates, an editor of A or B's owner cannot invite for A's opportunity, nobody answers
another's invitation, a person who is not findable is never a candidate nor invited — and
nothing changed but what the allowed actors did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jumo_common.testing.tokens import TestKeys
from jumo_common.web import ROUTES

from .authz_matching import (
    ANOTHER,
    EDITOR,
    EVERYONE,
    MATRIX,
    OTHER_OWNER,
    OWNER,
    STRANGER,
    VOLUNTEER,
)
from .community import http_member, http_org
from .conftest import Client, Person, person
from .test_applications_http import opportunity
from .test_authorization import template

FINDABLE: dict[str, Any] = {"findable": True, "skills": ("cuisine",)}


@dataclass
class World:
    people: dict[str, Person]
    opp_id: str
    invitations: dict[str, str]  # accept | decline → the volunteer's invitation


async def _ok(client: Client, method: str, path: str, who: Person, body: Any = None) -> Any:
    answer = await client.request(method, path, json=body, headers=who.auth)
    assert answer.status < 300, (method, path, answer.status, await answer.text())
    return await answer.json()


async def _world(client: Client, keys: TestKeys) -> World:
    people = {name: await person(client, keys, name.title()) for name in (OWNER, EDITOR,
              OTHER_OWNER, STRANGER)}  # fmt: skip
    for name in (VOLUNTEER, ANOTHER):
        people[name] = await person(client, keys, name.title(), **FINDABLE)
    org, org_b = await http_org(client, "water-for-all"), await http_org(client, "other-water")
    await http_member(client, org, people[OWNER].user_id, "owner")
    await http_member(client, org, people[EDITOR].user_id, "editor")
    await http_member(client, org_b, people[OTHER_OWNER].user_id, "owner")
    owner = people[OWNER]
    opps = [await opportunity(client, org["_id"], owner.auth, places=3) for _ in range(3)]
    invitations = {}
    for action, opp in (("accept", opps[1]), ("decline", opps[2])):
        made = await _ok(client, "POST", f"/opportunities/{opp['id']}/invitations", owner,
                         {"volunteer_id": people[VOLUNTEER].user_id})  # fmt: skip
        invitations[action] = made["id"]
    return World(people, opps[0]["id"], invitations)


def _path(route: str, world: World) -> str:
    if route.startswith("/opportunities/invitations/{id}"):
        return route.replace("{id}", world.invitations[route.rsplit("/", 1)[-1]])
    return route.replace("{id}", world.opp_id)


def _body(route: str, world: World) -> Any:
    if route == "/opportunities/{id}/invitations":
        return {"volunteer_id": world.people[ANOTHER].user_id}
    return {} if route.endswith("/accept") else None


async def test_only_the_matrix_may_succeed(client: Client, keys: TestKeys) -> None:
    world = await _world(client, keys)
    mine = {(r.method, template(r.path)) for r in client.app[ROUTES].routes} & set(MATRIX)
    assert mine == set(MATRIX), "every route of the matrix exists"
    unexpected = []
    for method, route in sorted(MATRIX):
        may = MATRIX[(method, route)]
        for actor in sorted(EVERYONE - may) + sorted(may):  # refusals first
            who = world.people.get(actor)
            answer = await client.request(method, _path(route, world), json=_body(route, world),
                                          headers=who.auth if who else {})  # fmt: skip
            if (answer.status < 300) != (actor in may) or answer.status >= 500:
                unexpected.append(f"{method} {route} as {actor}: {answer.status}")
    assert unexpected == [], "\n".join(unexpected)
    await _only_the_allowed_changed(client, world)


async def _only_the_allowed_changed(client: Client, world: World) -> None:
    mine = await _ok(client, "GET", "/opportunities/invitations", world.people[VOLUNTEER])
    status = {i["id"]: i["status"] for i in mine["items"]}
    assert status == {world.invitations["accept"]: "accepted",
                      world.invitations["decline"]: "declined"}  # fmt: skip
    theirs = await _ok(client, "GET", "/opportunities/invitations", world.people[ANOTHER])
    assert [i["opportunity_id"] for i in theirs["items"]] == [world.opp_id]  # invited once
    page = await _ok(client, "GET", f"/opportunities/{world.opp_id}/candidates",
                     world.people[OWNER])  # fmt: skip
    listed = {c["id"] for c in page["items"]}
    assert listed == {world.people[VOLUNTEER].user_id, world.people[ANOTHER].user_id}
    assert world.people[STRANGER].user_id not in listed  # not findable: never a candidate
