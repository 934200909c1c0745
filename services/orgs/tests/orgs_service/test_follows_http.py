"""Following organizations through the HTTP API on the real stack: settings, idempotence (each
change published once, seq increasing), who may follow what, the caller's follows, the
followers list for admins only with an exact total under 100 concurrent followers, and
erasure of a deleted person's follows."""

from __future__ import annotations

import asyncio
import functools
import uuid
from dataclasses import dataclass
from typing import Any

from jumo_common.events.identity import UserUpdated
from jumo_common.mongo import MONGO_DB
from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until

from .conftest import Client, Person, delete, person, publish, service

FOLLOW_EVENTS = ("org.followed", "org.follow_changed", "org.unfollowed")
DEFAULTS = {"in_feed": True, "notify": "important", "digest": "weekly"}


@dataclass(frozen=True)
class Org:
    """An organization made through the API, and its owner."""

    id: str
    owner: Person


async def ok(response: Any, status: int = 200) -> Any:
    """The JSON body of an answer that must have ``status``."""
    body = await response.json()
    assert response.status == status, body
    return body


async def add_org(client: Client, keys: TestKeys, slug: str, *, state: str = "verified") -> Org:
    """An organization created through the API by a new owner, then (``state``) left a draft,
    verified by a moderator, or verified and hidden by one."""
    owner = await person(client, keys, "Owner")
    body = {"name": slug.replace("-", " ").title(), "slug": slug, "causes": ["clean-water"]}
    org = Org(str((await ok(await client.post("/orgs", json=body, headers=owner.auth), 201))["id"]),
              owner)  # fmt: skip
    if state == "draft":
        return org
    moderator = await person(client, keys, "Mo", roles=("moderator",))
    await ok(await client.post(f"/orgs/{org.id}/submit", headers=owner.auth))
    await ok(await client.post(f"/orgs/{org.id}/verify", headers=moderator.auth))
    if state == "hidden":
        assert await service(client).organizations.set_hidden(org.id, True)
    return org


async def add_role(client: Client, org: Org, who: Person, role: str) -> None:
    """The owner invites ``who`` to ``role``, who accepts."""
    invitation = {"user_id": who.user_id, "role": role}
    path = f"/orgs/{org.id}/invitations"
    await ok(await client.post(path, json=invitation, headers=org.owner.auth), 201)
    await ok(await client.post(f"{path}/accept", headers=who.auth))


async def call(
    client: Client, method: str, path: str, who: Person | None = None, body: Any = None
) -> Any:
    """One request; its status and JSON body."""
    response = await client.request(method, path, headers=who.auth if who else None, json=body)
    return response.status, await response.json()


def problem(body: dict[str, Any]) -> str:
    """A problem's slug."""
    return str(body["type"]).rsplit("/", 1)[-1]


def follow_events(tap: EventTap, org_id: str) -> list[tuple[str, int, dict[str, Any] | None]]:
    """Each org.* follow event about an organization: type, seq, settings."""
    return [
        (e["type"], e["data"]["seq"], e["data"].get("settings"))
        for e in tap.received
        if e["type"] in FOLLOW_EVENTS and e["data"]["org_id"] == org_id
    ]


async def sentinel(client: Client, tap: EventTap, keys: TestKeys) -> None:
    """Follow another organization, twice, each after the last one's event: every earlier
    event has arrived by then (why twice: ``test_causes_http.sentinel``)."""
    for _ in range(2):
        org_id = (await add_org(client, keys, f"sentinel-{uuid.uuid4().hex[:8]}")).id
        other = await person(client, keys, "Sentinel")
        assert (await call(client, "PUT", f"/orgs/{org_id}/follow", other))[0] == 200
        arrived = functools.partial(_arrived, tap, org_id)
        await wait_until(arrived, what="the sentinel's org.followed")


async def _arrived(tap: EventTap, org_id: str) -> bool:
    return bool(follow_events(tap, org_id))


async def test_a_follow_its_settings_and_unfollowing_each_published_once(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org_id = (await add_org(client, keys, "water-for-all")).id
    ann = await person(client, keys, "Ann")
    path = f"/orgs/{org_id}/follow"
    status, first = await call(client, "PUT", path, ann)  # no body: the defaults
    assert (status, first) == (200, {"org_id": org_id, "following": True, "settings": DEFAULTS,
                                     "changed": True})  # fmt: skip
    assert (await call(client, "PUT", "/orgs/water-for-all/follow", ann))[1]["changed"] is False
    assert (await call(client, "PUT", path, ann, {"notify": "important"}))[1]["changed"] is False
    status, changed = await call(client, "PUT", path, ann, {"notify": "all"})
    assert (changed["changed"], changed["settings"]["notify"]) == (True, "all")
    status, patched = await call(client, "PATCH", path, ann, {"digest": "daily", "in_feed": False})
    assert patched["settings"] == {"in_feed": False, "notify": "all", "digest": "daily"}
    assert (await call(client, "PATCH", path, ann, {"digest": "daily"}))[1]["changed"] is False
    status, state = await call(client, "GET", path, ann)
    assert (status, state["settings"]) == (200, patched["settings"])
    status, gone = await call(client, "DELETE", path, ann)
    assert (gone["following"], gone["settings"], gone["changed"]) == (False, None, True)
    assert (await call(client, "DELETE", path, ann))[1]["changed"] is False
    status, body = await call(client, "PATCH", path, ann, {"notify": "none"})
    assert (status, problem(body)) == (404, "not-following")
    await sentinel(client, tap, keys)
    assert follow_events(tap, org_id) == [
        ("org.followed", 1, DEFAULTS),
        ("org.follow_changed", 2, {**DEFAULTS, "notify": "all"}),
        ("org.follow_changed", 3, patched["settings"]),
        ("org.unfollowed", 4, None),
    ]
    followed = next(e for e in tap.of_type("org.followed") if e["data"]["org_id"] == org_id)
    assert (followed["actor_id"], followed["subject_id"]) == (ann.user_id, org_id)


async def test_bad_settings_and_anonymous_callers_are_refused(
    client: Client, keys: TestKeys
) -> None:
    org_id = (await add_org(client, keys, "strict")).id
    ann = await person(client, keys, "Ann")
    path = f"/orgs/{org_id}/follow"
    for body in ({"notify": "loud"}, {"digest": None}, {"in_feed": "yes"}, {"active": False}):
        assert (await call(client, "PUT", path, ann, body))[0] == 422, body
    assert (await call(client, "PUT", path, None))[0] == 401
    assert (await call(client, "GET", "/users/me/following/orgs"))[0] == 401
    status, body = await call(client, "PUT", f"/orgs/{uuid.uuid4().hex}/follow", ann)
    assert (status, problem(body)) == (404, "org-not-found")


async def test_blocked_hidden_and_draft_organizations_cannot_be_followed(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann = await person(client, keys, "Ann")
    opened = await add_org(client, keys, "open")
    open_org = opened.id
    hidden = (await add_org(client, keys, "hidden", state="hidden")).id
    drafted = await add_org(client, keys, "draft", state="draft")
    draft, owner = drafted.id, drafted.owner
    block = f"/orgs/{open_org}/blocks/{ann.user_id}"
    await ok(await client.put(block, headers=opened.owner.auth))
    status, body = await call(client, "PUT", f"/orgs/{open_org}/follow", ann)
    assert (status, problem(body)) == (403, "blocked-by-org")
    for org_id in (hidden, draft):
        status, body = await call(client, "PUT", f"/orgs/{org_id}/follow", ann)
        assert (status, problem(body)) == (404, "org-not-found")
    assert (await call(client, "PUT", f"/orgs/{draft}/follow", owner))[0] == 200
    assert await service(client).organizations.set_hidden(draft, True)
    status, body = await call(client, "DELETE", f"/orgs/{draft}/follow", owner)  # hidden since
    assert (status, body["changed"]) == (200, True)
    await sentinel(client, tap, keys)
    assert [kind for kind, _, _ in follow_events(tap, draft)] == ["org.followed", "org.unfollowed"]
    assert follow_events(tap, open_org) == follow_events(tap, hidden) == []


async def test_my_follows_newest_first_with_cards_and_settings(
    client: Client, keys: TestKeys
) -> None:
    ann = await person(client, keys, "Ann")
    orgs = [(await add_org(client, keys, slug)).id for slug in ("first-one", "second-one",
                                                                  "third-one")]  # fmt: skip
    for org_id in orgs:
        assert (await call(client, "PUT", f"/orgs/{org_id}/follow", ann, {"digest": "never"}))[
            0
        ] == 200
    status, page = await call(client, "GET", "/users/me/following/orgs?limit=2", ann)
    assert status == 200
    assert [f["org"]["slug"] for f in page["items"]] == ["third-one", "second-one"]
    assert page["items"][0]["org"]["initials"] == "TO"
    assert page["items"][0]["settings"] == {**DEFAULTS, "digest": "never"}
    cursor = page["next_cursor"]
    status, rest = await call(client, "GET", f"/users/me/following/orgs?cursor={cursor}", ann)
    assert ([f["org"]["org_id"] for f in rest["items"]], rest["next_cursor"]) == ([orgs[0]], None)


async def test_the_followers_list_is_for_admins_and_owners_with_an_exact_total(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await add_org(client, keys, "popular")
    org_id, owner = org.id, org.owner
    admin, editor, stranger = [
        await person(client, keys, name) for name in ("Admin", "Editor", "Stranger")
    ]
    for who, role in ((admin, "admin"), (editor, "editor")):
        await add_role(client, org, who, role)
    fans = [await person(client, keys, f"Fan {i}") for i in range(100)]
    answers = await asyncio.gather(
        *(call(client, "PUT", f"/orgs/{org_id}/follow", fan) for fan in fans)
    )
    assert [status for status, _ in answers] == [200] * 100
    await publish(
        client,
        UserUpdated(
            user_id=fans[0].user_id,
            display_name="Fan Zero",
            avatar_url="https://pics.example/0.png",
            version=3,
        ),
    )
    for who in (admin, owner):
        status, page = await call(client, "GET", f"/orgs/{org_id}/followers?limit=100", who)
        assert (status, page["total"], len(page["items"])) == (200, 100, 100)
    by_id = {f["user_id"]: f for f in page["items"]}
    assert (by_id[fans[0].user_id]["display_name"], by_id[fans[0].user_id]["avatar_url"]) == (
        "Fan Zero", "https://pics.example/0.png",
    )  # fmt: skip
    for who in (editor, stranger, fans[1]):
        status, body = await call(client, "GET", f"/orgs/{org_id}/followers", who)
        assert (status, problem(body)) == (403, "not-allowed")
    assert (await call(client, "GET", f"/orgs/{org_id}/followers"))[0] == 401
    assert await service(client).following.count(org_id) == 100
    followed = await tap.wait_for("org.followed", 100)
    assert len({e["data"]["user_id"] for e in followed}) == 100


async def test_a_deleted_persons_follows_are_ended_and_erased(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    pat, bob = await person(client, keys, "Pat"), await person(client, keys, "Bob")
    kept, ended = (
        (await add_org(client, keys, "kept")).id,
        (await add_org(client, keys, "ended")).id,
    )
    for who, org_id in ((pat, kept), (pat, ended), (bob, kept)):
        assert (await call(client, "PUT", f"/orgs/{org_id}/follow", who))[0] == 200
    assert (await call(client, "DELETE", f"/orgs/{ended}/follow", pat))[0] == 200
    await delete(client, pat)
    unfollowed = await tap.wait_for("org.unfollowed", 2)
    [forgotten] = [e for e in unfollowed if e["data"]["org_id"] == kept]
    assert (forgotten["data"]["user_id"], forgotten["data"]["seq"], forgotten["actor_id"]) == (
        pat.user_id, 2, None,
    )  # fmt: skip
    assert await service(client).following.count(kept) == 1
    status, body = await call(client, "PUT", f"/orgs/{kept}/follow", pat)  # a stale token
    assert (status, problem(body)) == (401, "account-deleted")
    follows = client.app[MONGO_DB]["org_follows"]
    following = service(client).following

    async def erased() -> bool:
        await following.sweep()  # once the relay has confirmed org.unfollowed
        return bool(await follows.count_documents({"user_id": pat.user_id}) == 0)

    await wait_until(erased, what="the deleted person's follows to go")
