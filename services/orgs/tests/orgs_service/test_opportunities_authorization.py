"""Opportunities' authorization matrix (authz_opportunities.py), tried on a real app: every
route as every actor, refusals first, only the matrix's actors get a 2xx; an editor of A
cannot touch B's opportunities; a draft is its organization's own; and nothing else changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jumo_common.testing.tokens import TestKeys

from .authz_opportunities import (
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
    WRITERS,
)
from .conftest import Client, Person, person
from .opportunities_samples import one_off_body


@dataclass
class World:
    people: dict[str, Person]
    org_a: str
    org_b: str
    opp_a: str
    draft_a: str
    opp_b: str


async def _ok(client: Client, method: str, path: str, who: Person, body: Any = None) -> Any:
    answer = await client.request(method, path, json=body, headers=who.auth)
    assert answer.status < 300, (method, path, answer.status, await answer.text())
    return await answer.json()


async def _verified(client: Client, owner: Person, moderator: Person, name: str) -> str:
    org = await _ok(client, "POST", "/orgs", owner, {"name": name, "causes": ["clean-water"]})
    await _ok(client, "POST", f"/orgs/{org['id']}/submit", owner)
    await _ok(client, "POST", f"/orgs/{org['id']}/verify", moderator)
    org_id: str = org["id"]
    return org_id


async def _world(client: Client, keys: TestKeys) -> World:
    names = (OWNER, EDITOR, OTHER_OWNER, VOLUNTEER, ANOTHER, STRANGER)
    people = {name: await person(client, keys, name.title()) for name in names}
    moderator = await person(client, keys, "Mo", roles=("moderator",))
    org_a = await _verified(client, people[OWNER], moderator, "Water for All")
    org_b = await _verified(client, people[OTHER_OWNER], moderator, "Other Water")
    invite = {"user_id": people[EDITOR].user_id, "role": "editor"}
    await _ok(client, "POST", f"/orgs/{org_a}/invitations", people[OWNER], invite)
    await _ok(client, "POST", f"/orgs/{org_a}/invitations/accept", people[EDITOR])
    now = datetime.now(UTC)
    body = one_off_body(now, publish=True)
    opp_a = await _ok(client, "POST", f"/orgs/{org_a}/opportunities", people[EDITOR], body)
    draft = await _ok(client, "POST", f"/orgs/{org_a}/opportunities", people[OWNER],
                      one_off_body(now))  # fmt: skip
    opp_b = await _ok(client, "POST", f"/orgs/{org_b}/opportunities", people[OTHER_OWNER], body)
    return World(people, org_a, org_b, opp_a["id"], draft["id"], opp_b["id"])


def _path(route: str, world: World, opp_id: str | None = None) -> str:
    if route.startswith("/orgs/"):
        return route.replace("{id}", world.org_a)
    return route.replace("{id}", opp_id or world.opp_a)


def _body(method: str, route: str, actor: str) -> Any:
    if (method, route) == ("POST", "/orgs/{id}/opportunities"):
        return one_off_body(datetime.now(UTC), title=f"By {actor}")
    if method == "PATCH":
        return {"title": f"Edited by {actor}"}
    return None


async def test_only_the_matrix_may_succeed(client: Client, keys: TestKeys) -> None:
    world = await _world(client, keys)
    unexpected = []
    for method, route in sorted(set(MATRIX) - set(LAST)) + list(LAST):
        may = MATRIX[(method, route)]
        for actor in sorted(EVERYONE - may) + sorted(may):
            who = world.people.get(actor)
            answer = await client.request(
                method, _path(route, world), json=_body(method, route, actor),
                headers=who.auth if who else {},
            )  # fmt: skip
            allowed = actor in may
            if (answer.status < 300) != allowed and not (allowed and 400 <= answer.status < 500):
                unexpected.append(f"{method} {route} as {actor}: {answer.status}")
            if answer.status >= 500:
                unexpected.append(f"{method} {route} as {actor}: {answer.status}")
    assert unexpected == [], "\n".join(unexpected)
    await _nothing_else_changed(client, world)


async def test_an_editor_of_a_cannot_touch_bs_opportunities(client: Client, keys: TestKeys) -> None:
    world = await _world(client, keys)
    editor = world.people[EDITOR]
    writes = [(m, r) for (m, r), may in MATRIX.items() if may == WRITERS and "{id}" in r
              and r.startswith("/opportunities/")]  # fmt: skip
    for method, route in writes:
        answer = await client.request(
            method, _path(route, world, world.opp_b), json=_body(method, route, EDITOR),
            headers=editor.auth,
        )  # fmt: skip
        assert answer.status == 403, (method, route, answer.status)
    body = _body("POST", "/orgs/{id}/opportunities", EDITOR)
    answer = await client.post(f"/orgs/{world.org_b}/opportunities", json=body, headers=editor.auth)
    assert answer.status == 403
    b = await (await client.get(f"/opportunities/{world.opp_b}")).json()
    assert (b["status"], b["title"], b["version"]) == ("open", "Food bank sorting", 2)


async def test_a_draft_is_its_organizations_own(client: Client, keys: TestKeys) -> None:
    world = await _world(client, keys)
    path = f"/opportunities/{world.draft_a}"
    for actor in (ANON, STRANGER, VOLUNTEER, OTHER_OWNER):
        who = world.people.get(actor)
        answer = await client.get(path, headers=who.auth if who else {})
        assert answer.status == 404, actor
        answer = await client.post(f"{path}/publish", headers=who.auth if who else {})
        assert answer.status in (401, 404), actor  # nobody learns it exists
    for actor in (OWNER, EDITOR):
        assert (await client.get(path, headers=world.people[actor].auth)).status == 200


async def _nothing_else_changed(client: Client, world: World) -> None:
    owner = world.people[OWNER]
    b = await (await client.get(f"/opportunities/{world.opp_b}")).json()
    assert (b["title"], b["version"]) == ("Food bank sorting", 2)
    a = await (await client.get(f"/opportunities/{world.opp_a}")).json()
    assert a["title"] in {f"Edited by {actor}" for actor in WRITERS}
    listed = await (await client.get(f"/orgs/{world.org_a}/opportunities?limit=100",
                                     headers=owner.auth)).json()  # fmt: skip
    titles = sorted(o["title"] for o in listed["items"])
    assert titles == sorted(["Food bank sorting", *(f"By {a}" for a in WRITERS), a["title"]])
