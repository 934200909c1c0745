"""Matching over HTTP: a findable volunteer's recommendations with their reasons, the
organization's candidates, an invitation accepted (the volunteer accepted at once, its events
on the bus), bodies setting what the caller may not set refused with 422, and erasure (no
invitation nor index row names a deleted person)."""

from __future__ import annotations

from typing import Any

from jumo_common.mongo import MONGO_DB
from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until

from .community import answer_of, http_member, http_org
from .conftest import Client, delete, person
from .test_applications_http import opportunity
from .test_erasure import values

# in Lille: the remote opportunities are read by their own keys (rs:<skill>), not Lyon's cells
COOK: dict[str, Any] = {"findable": True, "skills": ("Cuisine", "manutention"), "radius_km": 30,
        "place": {"city": "Lille", "lat": 50.63, "lng": 3.06},
        "availability": {"parts": ("weekend_mornings",)}}  # fmt: skip


async def _get(client: Client, path: str, auth: dict[str, str], status: int = 200) -> Any:
    return await answer_of(await client.get(path, headers=auth), status)


async def _post(client: Client, path: str, auth: dict[str, str], body: Any = None,
                status: int = 200) -> Any:  # fmt: skip
    return await answer_of(await client.post(path, json=body, headers=auth), status)


async def test_recommended_candidates_invited_and_accepted_at_once(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "kitchen-aid", name="Kitchen Aid")
    olga = await person(client, keys, "Olga")
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=2)
    ann = await person(client, keys, "Ann", **COOK)
    await person(client, keys, "Bo", skills=("cuisine",))  # not findable
    page = await _get(client, "/opportunities/recommended", ann.auth)
    [item] = page["items"]
    assert item["id"] == opp["id"]
    assert item["why"].startswith("matches 2 of your skills (1 required)")
    assert "remote" in item["why"]
    assert {t["name"] for t in item["terms"]} >= {"skills", "distance", "availability"}
    assert item["score"] == round(sum(t["points"] for t in item["terms"]), 3)

    candidates = await _get(client, f"/opportunities/{opp['id']}/candidates", olga.auth)
    assert [c["id"] for c in candidates["items"]] == [ann.user_id]
    sent = await _post(client, f"/opportunities/{opp['id']}/invitations", olga.auth,
                       {"volunteer_id": ann.user_id, "message": "Join us!"}, 201)  # fmt: skip
    [invited] = await tap.wait_for("opportunity.invited")
    assert (invited["data"]["volunteer_id"], invited["data"]["message"]) == (ann.user_id,
                                                                            "Join us!")  # fmt: skip
    mine = await _get(client, "/opportunities/invitations", ann.auth)
    assert [i["id"] for i in mine["items"]] == [sent["id"]]
    done = await _post(client, f"/opportunities/invitations/{sent['id']}/accept", ann.auth, {})
    assert done["application"]["status"] == "accepted"
    assert done["invitation"]["status"] == "accepted"
    [accepted] = await tap.wait_for("application.accepted")
    assert accepted["data"]["by"] == olga.user_id
    await tap.wait_for("opportunity.invitation_accepted")
    again = await _post(client, f"/opportunities/{opp['id']}/invitations", olga.auth,
                        {"volunteer_id": ann.user_id}, 409)  # fmt: skip
    assert again["type"].endswith("already-invited")


async def test_bodies_setting_what_the_caller_may_not_are_refused(
    client: Client, keys: TestKeys
) -> None:
    org = await http_org(client, "kitchen-aid")
    olga = await person(client, keys, "Olga")
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=2)
    ann = await person(client, keys, "Ann", **COOK)
    path = f"/opportunities/{opp['id']}/invitations"
    for extra in ({"status": "accepted"}, {"org_id": org["_id"]}, {"invited_by": ann.user_id},
                  {"application_id": "a" * 32}, {"findable": True}):  # fmt: skip
        await _post(client, path, olga.auth, {"volunteer_id": ann.user_id} | extra, 422)
    sent = await _post(client, path, olga.auth, {"volunteer_id": ann.user_id}, 201)
    accept = f"/opportunities/invitations/{sent['id']}/accept"
    for extra in ({"status": "accepted"}, {"slot_id": "x"}, {"places_taken": 1}):
        await _post(client, accept, ann.auth, extra, 422)
    await _get(client, "/opportunities/recommended?limit=0", ann.auth, 422)
    await _get(client, "/opportunities/recommended?cursor=bm90LWEtY3Vyc29y", ann.auth, 400)


async def test_a_deleted_person_leaves_no_invitation_nor_index_row(
    client: Client, keys: TestKeys
) -> None:
    org = await http_org(client, "kitchen-aid")
    olga = await person(client, keys, "Olga")
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=2)
    ann = await person(client, keys, "Ann Quinlivan", **COOK)
    await _post(client, f"/opportunities/{opp['id']}/invitations", olga.auth,
                {"volunteer_id": ann.user_id}, 201)  # fmt: skip
    db = client.app[MONGO_DB]
    collections = ("candidate_index", "opportunity_invitations")

    async def mentions() -> list[str]:
        found = []
        for name in collections:
            docs = await db[name].find({}, {"_outbox": 0}).to_list()
            if any(ann.user_id in v or "Ann Quinlivan" in v for d in docs for v in values(d)):
                found.append(name)
        return found

    assert await mentions() == list(collections)  # the scan sees them while they are here
    await delete(client, ann)

    async def forgotten() -> bool:
        return await mentions() == []

    await wait_until(forgotten, timeout=20, what="the person gone from matching")
    assert await db["opportunity_invitations"].count_documents({}) == 0
