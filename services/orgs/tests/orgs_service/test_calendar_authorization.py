"""Calendar events' authorization matrix (authz_calendar.py), tried on a real app: every route
as every actor, refusals first, only the matrix's actors get a 2xx — an editor of B cannot
touch A's calendar events, a volunteer answers only for themself — and nothing changed but
what the allowed actors did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jumo_common.testing.tokens import TestKeys
from jumo_common.web import ROUTES

from .authz_calendar import (
    ANON,
    EDITOR,
    EVERYONE,
    LAST,
    MATRIX,
    OTHER_OWNER,
    OWNER,
    STRANGER,
    VOLUNTEER,
)
from .calendar_world import event_body
from .community import http_member, http_org
from .conftest import Client, Person, person
from .test_authorization import template


@dataclass
class World:
    people: dict[str, Person]
    org_id: str
    org_b: str
    event_id: str
    secret: str


async def _ok(client: Client, method: str, path: str, who: Person, body: Any = None) -> Any:
    answer = await client.request(method, path, json=body, headers=who.auth)
    assert answer.status < 300, (method, path, answer.status, await answer.text())
    return await answer.json()


async def _world(client: Client, keys: TestKeys) -> World:
    names = (OWNER, EDITOR, OTHER_OWNER, VOLUNTEER, "another-volunteer", STRANGER)
    people = {name: await person(client, keys, name.title()) for name in names}
    org, org_b = await http_org(client, "sea-friends"), await http_org(client, "river-friends")
    await http_member(client, org, people[OWNER].user_id, "owner")
    await http_member(client, org, people[EDITOR].user_id, "editor")
    await http_member(client, org_b, people[OTHER_OWNER].user_id, "owner")
    made = await _ok(client, "POST", f"/orgs/{org['_id']}/events", people[OWNER], event_body())
    await _ok(client, "PUT", f"/events/{made['id']}/rsvp", people[VOLUNTEER], {"answer": "going"})
    feed = await _ok(client, "POST", "/users/me/calendar", people[VOLUNTEER])
    secret = feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")
    return World(people, org["_id"], org_b["_id"], made["id"], secret)


def _path(route: str, world: World) -> str:
    if route.startswith("/orgs/"):
        return route.replace("{id}", world.org_id)
    return route.replace("{id}", world.event_id).replace("{secret}", world.secret)


def _body(method: str, route: str) -> Any:
    if route == "/orgs/{id}/events":
        return event_body(title="Another clean-up")
    if method == "PATCH":
        return {"capacity": 20}
    if method == "PUT":
        return {"answer": "maybe"}
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
            answer = await client.request(method, _path(route, world), json=_body(method, route),
                                          headers=who.auth if who else {})  # fmt: skip
            if (answer.status < 300) != (actor in may) or answer.status >= 500:
                unexpected.append(f"{method} {route} as {actor}: {answer.status}")
    assert unexpected == [], "\n".join(unexpected)
    await _only_the_allowed_changed(client, world)


async def _only_the_allowed_changed(client: Client, world: World) -> None:
    stranger = world.people[STRANGER]
    event = await _ok(client, "GET", f"/events/{world.event_id}", stranger)
    assert (event["status"], event["capacity"]) == ("cancelled", 20)
    theirs = await _ok(client, "GET", f"/orgs/{world.org_id}/events", stranger)
    assert len(theirs["items"]) == 3  # the first, and one by each of its two editors
    assert (await _ok(client, "GET", f"/orgs/{world.org_b}/events", stranger))["items"] == []
    assert (await client.get(f"/calendars/{world.secret}.ics")).status == 404  # revoked
    assert ANON not in world.people
