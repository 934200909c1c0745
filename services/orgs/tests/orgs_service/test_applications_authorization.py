"""Applications' authorization matrix (authz_applications.py), tried on a real app: every route
as every actor, refusals first, only the matrix's actors get a 2xx — a volunteer cannot read
another's application or answer it as the organization, an editor of A (or B's owner) cannot
answer A's — and nothing changed but what the allowed actors did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.testing.tokens import TestKeys
from jumo_common.web import ROUTES

from .authz_applications import (
    ANON,
    ANOTHER,
    EDITOR,
    EVERYONE,
    LAST,
    MATRIX,
    OTHER_OWNER,
    OWNER,
    STRANGER,
    VOLUNTEER,
)
from .community import http_member, http_org
from .conftest import Client, Person, person
from .opportunities_samples import one_off_body
from .test_authorization import template


@dataclass
class World:
    people: dict[str, Person]
    org_id: str
    opp_id: str
    slots: list[str]
    apps: dict[str, str]  # the route's action → the application it is tried on


async def _ok(client: Client, method: str, path: str, who: Person, body: Any = None) -> Any:
    answer = await client.request(method, path, json=body, headers=who.auth)
    assert answer.status < 300, (method, path, answer.status, await answer.text())
    return await answer.json()


def _four_slots() -> dict[str, Any]:
    day = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    slots = [{"starts_at": (day + timedelta(days=i)).isoformat(),
              "ends_at": (day + timedelta(days=i, hours=2)).isoformat(), "places": 1}
             for i in range(4)]  # fmt: skip
    return one_off_body(commitment={"kind": "one_off", "slots": slots}, questions=[],
                        minimum_age=None, deadline=None, publish=True)  # fmt: skip


async def _world(client: Client, keys: TestKeys) -> World:
    names = (OWNER, EDITOR, OTHER_OWNER, VOLUNTEER, ANOTHER, STRANGER)
    people = {name: await person(client, keys, name.title()) for name in names}
    org, org_b = await http_org(client, "water-for-all"), await http_org(client, "other-water")
    await http_member(client, org, people[OWNER].user_id, "owner")
    await http_member(client, org, people[EDITOR].user_id, "editor")
    await http_member(client, org_b, people[OTHER_OWNER].user_id, "owner")
    opp = await _ok(client, "POST", f"/orgs/{org['_id']}/opportunities", people[OWNER],
                    _four_slots())  # fmt: skip
    slots = [s["id"] for s in opp["slots"]]
    path = f"/opportunities/{opp['id']}/applications"

    async def applied(who: str, slot: int) -> str:
        made = await _ok(client, "POST", path, people[who], {"slot_id": slots[slot]})
        return str(made["id"])

    apps = {"accept": await applied(VOLUNTEER, 0), "decline": await applied(VOLUNTEER, 1),
            "withdraw": await applied(VOLUNTEER, 2), "cancel": await applied(ANOTHER, 3),
            "waitlist": await applied(VOLUNTEER, 3)}  # fmt: skip
    await _ok(client, "POST", f"/applications/{apps['cancel']}/accept", people[OWNER])
    return World(people, org["_id"], opp["id"], slots, apps)


def _path(route: str, world: World) -> str:
    if route.startswith("/applications/{id}"):
        action = route.rsplit("/", 1)[-1]
        return route.replace("{id}", world.apps.get(action, world.apps["accept"]))
    if route.startswith("/orgs/"):
        return route.replace("{id}", world.org_id)
    return route.replace("{id}", world.opp_id)


def _body(route: str, world: World) -> Any:
    if route.endswith("/decline") or route.endswith("/cancel"):
        return {"reason": "other", "text": "Sorry."}
    if route == "/opportunities/{id}/applications":
        return {"slot_id": world.slots[0]}
    return None


async def test_only_the_matrix_may_succeed(client: Client, keys: TestKeys) -> None:
    world = await _world(client, keys)
    mine = {(r.method, template(r.path)) for r in client.app[ROUTES].routes} & set(MATRIX)
    assert mine == set(MATRIX), "every route of the matrix exists"
    unexpected = []
    for method, route in sorted(set(MATRIX) - set(LAST)) + list(LAST):
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
    owner = world.people[OWNER]
    status = {action: (await _ok(client, "GET", f"/applications/{app_id}", owner))["status"]
              for action, app_id in world.apps.items()}  # fmt: skip
    # the waitlisted one got the place the cancellation freed
    assert status == {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn",
                      "cancel": "cancelled", "waitlist": "accepted"}  # fmt: skip
    page = await _ok(client, "GET", f"/orgs/{world.org_id}/applications?limit=100", owner)
    by = {a["volunteer"]["id"] for a in page["items"]}
    expected = {world.people[n].user_id for n in (VOLUNTEER, ANOTHER, STRANGER, OTHER_OWNER)}
    assert by == expected  # the organization's own people applied to nothing
    assert world.people[EDITOR].user_id not in by
    assert ANON not in by
