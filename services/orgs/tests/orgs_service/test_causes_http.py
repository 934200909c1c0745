"""Causes through the HTTP API on the real stack: the tree and a cause's page with exact counts,
joining and leaving (idempotent, each change published once with an increasing seq), 100
concurrent joins and 100 concurrent toggles, a person's causes as their visibility allows, and
erasure of a deleted person's memberships."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from jumo_common.events.identity import UserFollowed
from jumo_common.mongo import MONGO_DB
from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until

from .conftest import Client, Person, delete, person, publish, service


async def add_org(
    client: Client, keys: TestKeys, name: str, causes: list[str], *, state: str = "verified"
) -> str:
    """An organization created through the API, then (``state``) left a draft, verified by a
    moderator, or verified and hidden by one."""
    owner = await person(client, keys, "Owner")
    body = {"name": name, "causes": causes, "hq": {"city": "Lyon", "country": "FR"}}
    response = await client.post("/orgs", json=body, headers=owner.auth)
    assert response.status == 201, await response.text()
    org_id = str((await response.json())["id"])
    if state == "draft":
        return org_id
    moderator = await person(client, keys, "Mo", roles=("moderator",))
    for step, who in (("submit", owner), ("verify", moderator)):
        response = await client.post(f"/orgs/{org_id}/{step}", headers=who.auth)
        assert response.status == 200, await response.text()
    if state == "hidden":
        assert await service(client).organizations.set_hidden(org_id, True)
    return org_id


def token_of(keys: TestKeys) -> dict[str, str]:
    """A signed-in stranger's Authorization header (the projection need not know them)."""
    return {"Authorization": f"Bearer {keys.mint(uuid.uuid4().hex)}"}


async def call(client: Client, method: str, path: str, who: Person | None = None) -> Any:
    """One request; its status and JSON body."""
    response = await client.request(method, path, headers=who.auth if who else None)
    return response.status, await response.json()


def events_of(tap: EventTap, who: Person) -> list[dict[str, Any]]:
    """The cause.* events about one person, in arrival order."""
    return [
        e for e in tap.received
        if e["type"].startswith("cause.") and e["data"]["user_id"] == who.user_id
    ]  # fmt: skip


async def sentinel(client: Client, tap: EventTap, keys: TestKeys) -> None:
    """Join another cause, twice, each after the last one's event: every earlier event has
    arrived by then. Once is not enough: the relay reads its ten-second buckets one after the
    other, so a write that commits into a bucket it has just read goes out at the next pass,
    after a later write in the next bucket (no order across documents); the second sentinel's
    pass reaches back over that one (the relay's slack)."""
    for _ in range(2):
        before = len(tap.of_type("cause.joined"))
        response = await client.put("/causes/foster-care/membership", headers=token_of(keys))
        assert response.status == 200
        await tap.wait_for("cause.joined", before + 1)


async def test_the_tree_and_a_cause_page_with_exact_counts(client: Client, keys: TestKeys) -> None:
    await add_org(client, keys, "Read Together", ["literacy", "education"])
    await add_org(client, keys, "Tutors", ["tutoring"])
    await add_org(client, keys, "Draft One", ["literacy"], state="draft")
    await add_org(client, keys, "Hidden One", ["literacy"], state="hidden")
    ann = token_of(keys)
    for cause in ("education", "literacy"):
        assert (await client.put(f"/causes/{cause}/membership", headers=ann)).status == 200
    response = await client.get("/causes")
    assert response.status == 200
    tree = {node["slug"]: node for node in (await response.json())["items"]}
    assert (len(tree), sum(len(n["children"]) for n in tree.values())) == (12, 60)
    assert (tree["education"]["members"], tree["education"]["organizations"]) == (1, 2)
    literacy = next(c for c in tree["education"]["children"] if c["slug"] == "literacy")
    assert (literacy["members"], literacy["organizations"], literacy["parent"]) == (
        1, 1, "education",
    )  # fmt: skip
    status, page = await call(client, "GET", "/causes/education?limit=1")
    assert status == 200
    assert [o["name"] for o in page["organizations"]["items"]] == ["Read Together"]
    assert page["organizations"]["items"][0]["city"] == "Lyon"
    cursor = page["organizations"]["next_cursor"]
    status, rest = await call(client, "GET", f"/causes/education?limit=1&cursor={cursor}")
    assert [o["slug"] for o in rest["organizations"]["items"]] == ["tutors"]
    assert rest["organizations"]["next_cursor"] is None
    status, child = await call(client, "GET", "/causes/literacy")
    assert (child["parent"]["slug"], child["cause"]["organizations"], child["children"]) == (
        "education", 1, [],
    )  # fmt: skip


async def test_unknown_causes_and_bad_cursors_are_problems(client: Client, keys: TestKeys) -> None:
    status, body = await call(client, "GET", "/causes/knitting")
    assert (status, body["type"].rsplit("/", 1)[-1]) == (404, "cause-not-found")
    response = await client.put("/causes/knitting/membership", headers=token_of(keys))
    assert response.status == 404
    assert (await client.put("/causes/literacy/membership")).status == 401
    assert (await client.get("/causes/literacy?cursor=bm9wZQ")).status == 400


async def test_joining_and_leaving_are_idempotent_and_published_once_per_change(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann = await person(client, keys, "Ann")
    answers = [await call(client, method, "/causes/wildlife/membership", ann)
               for method in ("PUT", "PUT", "DELETE", "DELETE", "PUT")]  # fmt: skip
    assert [(s, b["member"], b["changed"]) for s, b in answers] == [
        (200, True, True), (200, True, False), (200, False, True), (200, False, False),
        (200, True, True),
    ]  # fmt: skip
    assert answers[0][1]["cause"] == "wildlife"
    await sentinel(client, tap, keys)
    mine = events_of(tap, ann)
    assert [(e["type"], e["data"]["seq"]) for e in mine] == [
        ("cause.joined", 1), ("cause.left", 2), ("cause.joined", 3),
    ]  # fmt: skip
    assert {(e["actor_id"], e["subject_id"]) for e in mine} == {(ann.user_id, "wildlife")}


async def test_a_hundred_concurrent_joins_count_exactly_a_hundred(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    people = [token_of(keys) for _ in range(100)]
    answers = await asyncio.gather(
        *(client.put("/causes/literacy/membership", headers=who) for who in people)
    )
    assert [a.status for a in answers] == [200] * 100
    _, page = await call(client, "GET", "/causes/literacy")
    assert page["cause"]["members"] == 100
    tree = (await (await client.get("/causes")).json())["items"]
    assert next(n for n in tree if n["slug"] == "education")["members"] == 100
    joined = await tap.wait_for("cause.joined", 100)
    assert {e["data"]["seq"] for e in joined} == {1}  # one first join per pair


async def test_a_hundred_concurrent_toggles_end_consistent_with_their_events(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann = await person(client, keys, "Ann")
    methods = ["PUT" if i % 2 == 0 else "DELETE" for i in range(100)]
    answers = await asyncio.gather(
        *(call(client, m, "/causes/dementia/membership", ann) for m in methods)
    )
    assert {status for status, _ in answers} <= {200, 409}
    changes = [body for status, body in answers if status == 200 and body["changed"]]
    assert changes, "at least one toggle changes the membership"
    await sentinel(client, tap, keys)
    mine = sorted(events_of(tap, ann), key=lambda e: int(e["data"]["seq"]))
    assert len(mine) == len(changes)  # one event per change, none for the others
    assert [e["data"]["seq"] for e in mine] == sorted({e["data"]["seq"] for e in mine})
    expected = ["cause.joined", "cause.left"] * len(mine)
    assert [e["type"] for e in mine] == expected[: len(mine)]  # they alternate, in seq order
    _, body = await call(client, "GET", "/users/me/causes", ann)
    member = any(item["slug"] == "dementia" for item in body["items"])
    assert member == (mine[-1]["type"] == "cause.joined")
    _, page = await call(client, "GET", "/causes/dementia")
    assert page["cause"]["members"] == int(member)


async def test_a_persons_causes_as_their_visibility_allows(client: Client, keys: TestKeys) -> None:
    public = await person(client, keys, "Pub")
    friendly = await person(client, keys, "Fri", visibility="followers")
    private = await person(client, keys, "Pri", visibility="private")
    stranger = await person(client, keys, "Str")
    for who in (public, friendly, private):
        assert (await call(client, "PUT", "/causes/music/membership", who))[0] == 200
    status, body = await call(client, "GET", f"/users/{public.user_id}/causes")
    assert (status, [c["slug"] for c in body["items"]]) == (200, ["music"])
    assert body["items"][0]["parent"] == "arts-culture"
    for viewer in (None, stranger):
        status, body = await call(client, "GET", f"/users/{friendly.user_id}/causes", viewer)
        assert (status, body["type"].rsplit("/", 1)[-1]) == (403, "causes-hidden")
    await publish(client, UserFollowed(follower_id=stranger.user_id,
                                       followee_id=friendly.user_id, seq=1))  # fmt: skip
    status, body = await call(client, "GET", f"/users/{friendly.user_id}/causes", stranger)
    assert (status, len(body["items"])) == (200, 1)
    status, _ = await call(client, "GET", f"/users/{private.user_id}/causes", stranger)
    assert status == 403
    status, own = await call(client, "GET", f"/users/{private.user_id}/causes", private)
    assert (status, own["user_id"]) == (200, private.user_id)
    status, me = await call(client, "GET", "/users/me/causes", private)
    assert (status, me) == (200, own)
    assert (await call(client, "GET", "/users/me/causes"))[0] == 401
    status, body = await call(client, "GET", f"/users/{uuid.uuid4().hex}/causes", stranger)
    assert (status, body["type"].rsplit("/", 1)[-1]) == (404, "user-not-found")


async def test_a_deleted_persons_memberships_are_left_and_erased(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    pat = await person(client, keys, "Pat")
    for method, cause in [("PUT", "music"), ("PUT", "heritage"), ("DELETE", "heritage")]:
        assert (await call(client, method, f"/causes/{cause}/membership", pat))[0] == 200
    await delete(client, pat)
    [left] = [e for e in await tap.wait_for("cause.left", 2) if e["data"]["cause"] == "music"]
    assert (left["data"]["user_id"], left["data"]["seq"], left["actor_id"]) == (
        pat.user_id, 2, None,
    )  # fmt: skip
    _, page = await call(client, "GET", "/causes/music")
    assert page["cause"]["members"] == 0
    status, body = await call(client, "PUT", "/causes/music/membership", pat)  # a stale token
    assert (status, body["type"].rsplit("/", 1)[-1]) == (401, "account-deleted")
    members = client.app[MONGO_DB]["cause_members"]
    causes = service(client).causes

    async def erased() -> bool:
        await causes.sweep()  # once the relay has confirmed cause.left
        return bool(await members.count_documents({}) == 0)

    await wait_until(erased, what="the deleted person's memberships to go")
