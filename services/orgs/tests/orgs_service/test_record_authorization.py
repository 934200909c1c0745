"""The record's routes tried as every actor (authz_record.MATRIX), refusals first: only the
matrix's actors get a 2xx, and nothing changed but what they did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jumo_common.testing.tokens import TestKeys
from jumo_common.web import ROUTES

from . import authz_record as authz
from .conftest import Client, Person
from .test_authorization import template
from .test_record_http import HttpWorld, attest, call, http_world


@dataclass
class World:
    """The HTTP world with the volunteer's and another volunteer's attested check-ins."""

    base: HttpWorld
    application_id: str
    check_in_id: str
    another_check_in: str

    def actor(self, name: str) -> Person | None:
        b = self.base
        return {authz.OWNER: b.owner, authz.EDITOR: b.editor, authz.OTHER_OWNER: b.other_owner,
                authz.VOLUNTEER: b.volunteer, authz.ANOTHER: b.another,
                authz.STRANGER: b.stranger}.get(name)  # fmt: skip


async def _world(client: Client, keys: TestKeys) -> World:
    base = await http_world(client, keys)
    path = f"/opportunities/{base.opportunity.id}/check-ins"
    ids = []
    for who in (base.volunteer, base.another):
        application_id = await base.application(client, who)
        out = await call(client, "POST", path, base.owner, {"application_id": application_id}, 201)
        await attest(client, base, out["id"], 2)
        ids.append((application_id, out["id"]))
    return World(base, ids[0][0], ids[0][1], ids[1][1])


def _concrete(route: str, world: World) -> str:
    opp = world.base.opportunity.id
    return (route.replace("/applications/{id}", f"/applications/{world.application_id}")
            .replace("/opportunities/{id}", f"/opportunities/{opp}")
            .replace("{check_in_id}", world.check_in_id)
            .replace("/volunteering/{id}", f"/volunteering/{world.check_in_id}")
            .replace("/orgs/{id}", f"/orgs/{world.base.org_id}"))  # fmt: skip


def _body(method: str, route: str, world: World) -> Any:
    return (
        {
            "/applications/{id}/check-in-code": {},
            "/opportunities/{id}/check-ins": {"application_id": world.application_id},
            "/opportunities/{id}/check-ins/{check_in_id}/hours": {"hours": 3},
            "/users/me/volunteering/{id}/dispute": {"reason": "I stayed longer."},
        }.get(route)
        if method != "GET"
        else None
    )


def _order() -> list[tuple[str, str]]:
    return sorted(set(authz.MATRIX) - set(authz.LAST)) + list(authz.LAST)


async def test_only_the_matrix_may_succeed(client: Client, keys: TestKeys) -> None:
    world = await _world(client, keys)
    routes = {(r.method, template(r.path)) for r in client.app[ROUTES].routes}
    assert set(authz.MATRIX) <= routes
    unexpected = []
    for method, route in _order():
        may = authz.MATRIX[(method, route)]
        for actor in sorted(authz.EVERYONE - may) + sorted(may):  # refusals first
            who = world.actor(actor)
            answer = await client.request(method, _concrete(route, world),
                                          json=_body(method, route, world),
                                          headers=who.auth if who else {})  # fmt: skip
            if (answer.status < 300) != (actor in may) or answer.status >= 500:
                unexpected.append(f"{method} {route} as {actor}: {answer.status}")
    assert unexpected == [], "\n".join(unexpected)
    await _nothing_else_changed(client, world)


async def _nothing_else_changed(client: Client, world: World) -> None:
    base = world.base
    listed = await call(
        client, "GET", f"/opportunities/{base.opportunity.id}/check-ins", base.owner
    )
    assert {c["id"] for c in listed["items"]} == {world.check_in_id, world.another_check_in}
    theirs = next(c for c in listed["items"] if c["id"] == world.another_check_in)
    assert (theirs["hours"], theirs["answer"]) == (2, None)  # nobody but its volunteer answers
    mine = next(c for c in listed["items"] if c["id"] == world.check_in_id)
    assert (mine["hours"], mine["answer"]) == (3, "confirmed")
    assert mine["attested_by"] in (base.owner.user_id, base.editor.user_id)
    stranger = await call(client, "GET", "/users/me/volunteering", base.stranger)
    assert stranger["engagements"] == []
    another = await call(client, "GET", "/users/me/volunteering", base.another)
    assert [e["id"] for e in another["engagements"]] == [world.another_check_in]
