"""Moderation through the app on the real store and broker: reports end to end with a moderator
(the queue, hiding, report.resolved for each reporter, restoring), every moderation route
refused to others, blocks and what they stop, and erasure."""

from __future__ import annotations

from typing import Any

from bson import json_util

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys

from .community import answer_of, database
from .conftest import Client, Person, delete, person
from .test_search_http import verified_org


async def a_post(client: Client, org: dict[str, Any], author: Person) -> str:
    body = {"title": "Miracle cure", "body": "Send money now."}
    post = await answer_of(
        await client.post(f"/orgs/{org['id']}/posts", json=body, headers=author.auth), 201
    )
    post_id: str = post["id"]
    return post_id


async def report(
    client: Client, who: Person, kind: str, target: str, reason: str = "spam", status: int = 201
) -> Any:
    body = {
        "target_kind": kind,
        "target_id": target,
        "reason": reason,
        "text": f"{who.name}: {reason}",
    }
    return await answer_of(await client.post("/reports", json=body, headers=who.auth), status)


async def test_reports_end_to_end_with_a_moderator(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann, bob, cid, dan = [await person(client, keys, n) for n in ("Ann", "Bob", "Cid", "Dan")]
    mo = await person(client, keys, "Mo", roles=("moderator",))
    org = await verified_org(client, ann, mo, "Miracle Cures")
    post_id = await a_post(client, org, ann)
    first = await report(client, bob, "post", post_id)
    assert (await report(client, bob, "post", post_id, "fraud"))["id"] == first["id"]
    await report(client, cid, "post", post_id, "misleading")
    about_org = await report(client, dan, "org", org["slug"], "fraud")
    assert about_org["target_id"] == org["id"]

    queue = await answer_of(await client.get("/moderation/reports", headers=mo.auth))
    assert [(t["target_kind"], t["count"]) for t in queue["items"]] == [("post", 2), ("org", 1)]
    assert queue["items"][0]["reasons"] == {"spam": 1, "misleading": 1}

    decision = {"outcome": "hide", "note": "a scam"}
    resolved = await answer_of(await client.post(
        f"/moderation/reports/{first['id']}/resolve", json=decision, headers=mo.auth
    ))  # fmt: skip
    assert (resolved["outcome"], resolved["reports_resolved"]) == ("hidden", 2)
    [hidden] = await tap.wait_for("post.hidden")
    assert hidden["data"] == {"post_id": post_id, "org_id": org["id"], "hidden": True}
    told = await tap.wait_for("report.resolved", 2)
    assert sorted((e["data"]["reporter_id"], e["data"]["outcome"]) for e in told) == sorted(
        [(bob.user_id, "hidden"), (cid.user_id, "hidden")]
    )
    assert {e["actor_id"] for e in told} == {None}
    await answer_of(await client.get(f"/posts/{post_id}"), 404)
    mine = await answer_of(await client.get("/reports/mine", headers=bob.auth))
    assert [(r["status"], r["outcome"]) for r in mine["items"]] == [("resolved", "hidden")]
    assert "note" not in mine["items"][0]

    shown = await client.post(f"/moderation/post/{post_id}/restore", headers=mo.auth)
    assert (await answer_of(shown))["hidden"] is False
    await answer_of(await client.get(f"/posts/{post_id}"))
    await tap.wait_for("post.hidden", 2)

    dismissed = await client.post(
        f"/moderation/reports/{about_org['id']}/resolve", json={"outcome": "dismiss"},
        headers=mo.auth,
    )  # fmt: skip
    assert (await answer_of(dismissed))["outcome"] == "dismissed"
    events = await tap.wait_for("report.resolved", 3)
    assert events[-1]["data"]["outcome"] == "dismissed"
    again = await client.post(
        f"/moderation/reports/{about_org['id']}/resolve", json={"outcome": "hide"}, headers=mo.auth
    )
    assert (await answer_of(again, 409))["type"].endswith("already-decided")
    await answer_of(await client.get(f"/orgs/{org['id']}"))  # dismissed: still there


async def test_moderation_routes_refuse_everyone_but_moderators(
    client: Client, keys: TestKeys
) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    mo = await person(client, keys, "Mo", roles=("moderator",))
    org = await verified_org(client, ann, mo, "Watched Org")
    filed = await report(client, bob, "org", org["id"])
    calls = [
        ("GET", "/moderation/reports", None),
        ("GET", "/moderation/reports?status=resolved", None),
        ("POST", f"/moderation/reports/{filed['id']}/resolve", {"outcome": "hide"}),
        ("POST", f"/moderation/org/{org['id']}/restore", None),
        ("POST", f"/moderation/post/{'0' * 32}/restore", None),
        ("POST", f"/moderation/review/{org['id']}:{bob.user_id}/restore", None),
    ]
    for method, path, body in calls:
        for who in (ann, bob):  # its owner, a stranger
            answer = await client.request(method, path, json=body, headers=who.auth)
            assert answer.status == 403, (method, path, who.name)
        assert (await client.request(method, path, json=body)).status == 401
    await answer_of(await client.get(f"/orgs/{org['id']}"))  # nothing was hidden
    mine = await answer_of(await client.get("/reports/mine", headers=bob.auth))
    assert [r["status"] for r in mine["items"]] == ["open"]
    await answer_of(await client.get("/reports/mine"), 401)
    await answer_of(await client.post("/reports", json={}), 401)


async def test_blocks_are_for_admins_and_stop_the_blocked(client: Client, keys: TestKeys) -> None:
    ann, troll, eve = [await person(client, keys, n) for n in ("Ann", "Troll", "Eve")]
    mo = await person(client, keys, "Mo", roles=("moderator",))
    org = await verified_org(client, ann, mo, "Patient Org")
    path = f"/orgs/{org['id']}/blocks/{troll.user_id}"
    for who in (troll, eve, mo):
        assert (await client.put(path, headers=who.auth)).status == 403
    blocked = await answer_of(await client.put(path, headers=ann.auth))
    assert (blocked["user_id"], blocked["display_name"]) == (troll.user_id, "Troll")
    await answer_of(await client.put(path, headers=ann.auth))  # idempotent
    self_block = await client.put(f"/orgs/{org['id']}/blocks/{ann.user_id}", headers=ann.auth)
    assert (await answer_of(self_block, 409))["type"].endswith("blocking-a-member")
    listed = await answer_of(await client.get(f"/orgs/{org['id']}/blocks", headers=ann.auth))
    assert [b["user_id"] for b in listed["items"]] == [troll.user_id]
    assert (await client.get(f"/orgs/{org['id']}/blocks", headers=eve.auth)).status == 403

    follow = await client.put(f"/orgs/{org['id']}/follow", json={}, headers=troll.auth)
    assert (await answer_of(follow, 403))["type"].endswith("blocked-by-org")
    review = {"stars": 1, "text": "Terrible."}
    reviewed = await client.post(f"/orgs/{org['id']}/reviews", json=review, headers=troll.auth)
    assert (await answer_of(reviewed, 403))["type"].endswith("blocked-by-org")
    assert (await report(client, troll, "org", org["id"], status=403))["type"].endswith(
        "blocked-by-org"
    )
    post_id = await a_post(client, org, ann)
    await report(client, troll, "post", post_id, status=403)
    await report(client, eve, "post", post_id)  # others still can

    await answer_of(await client.delete(path, headers=ann.auth), 204)
    await answer_of(await client.delete(path, headers=ann.auth), 204)
    followed = await client.put(f"/orgs/{org['id']}/follow", json={}, headers=troll.auth)
    await answer_of(followed)


async def test_erasure_leaves_nothing_of_reporters_moderators_or_the_blocked(
    client: Client, keys: TestKeys
) -> None:
    ann, bob, troll = [await person(client, keys, n) for n in ("Ann", "Bob", "Troll")]
    mo = await person(client, keys, "Mo", roles=("moderator",))
    org = await verified_org(client, ann, mo, "Forgetful Org")
    filed = await report(client, bob, "org", org["id"], "misleading")
    await report(client, troll, "org", org["id"], "spam")
    await answer_of(await client.post(
        f"/moderation/reports/{filed['id']}/resolve", json={"outcome": "dismiss"}, headers=mo.auth
    ))  # fmt: skip
    await answer_of(await client.put(f"/orgs/{org['id']}/blocks/{troll.user_id}", headers=ann.auth))
    for gone in (bob, troll, mo):
        await delete(client, gone)
    db = database(client)
    for collection in ("reports", "org_blocks"):
        stored = json_util.dumps(await db[collection].find().to_list(length=None))
        for gone in (bob, troll, mo):
            assert gone.user_id not in stored, (collection, gone.name)
            assert f"{gone.name}:" not in stored  # the text they wrote
    assert await db["reports"].count_documents({}) == 0


async def test_the_routes_are_documented(client: Client) -> None:
    paths = (await answer_of(await client.get("/openapi.json")))["paths"]
    for path, method in (
        ("/orgs", "get"), ("/reports", "post"), ("/reports/mine", "get"),
        ("/moderation/reports", "get"), ("/moderation/reports/{id}/resolve", "post"),
        ("/moderation/{kind}/{id}/restore", "post"), ("/orgs/{id}/blocks", "get"),
        ("/orgs/{id}/blocks/{user_id}", "put"), ("/orgs/{id}/blocks/{user_id}", "delete"),
    ):  # fmt: skip
        assert method in paths.get(path, {}), (method, path)
    search = {p["name"] for p in paths["/orgs"]["get"]["parameters"]}
    assert {"q", "cause", "near", "radius_km", "verified", "sort", "cursor", "limit"} <= search
