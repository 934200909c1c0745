"""Opportunities through the HTTP API on the real database and broker: the lifecycle with its
events (each once), what a body may not hold (mass assignment, the rules of each field),
remaining places, the organization's list, the sweep in the periodic loop, the document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_orgs.cards import card

from .community import answer_of, database, http_member, http_org
from .conftest import Client, person, service
from .opportunities_samples import one_off_body, ongoing_body, recurring_body


def soon() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _create(client: Client, org_ref: str, auth: dict[str, str], body: Any) -> Any:
    response = await client.post(f"/orgs/{org_ref}/opportunities", json=body, headers=auth)
    return await answer_of(response, 201)


async def test_the_lifecycle_of_an_opportunity_and_its_events(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "food-bank")
    ann = await person(client, keys, "Ann Editor")
    await http_member(client, org, ann.user_id, "editor")
    made = await _create(client, "food-bank", ann.auth, one_off_body(soon()))
    path = f"/opportunities/{made['id']}"
    assert (made["status"], made["remaining"], made["url_path"]) == ("draft", 5, path)
    await answer_of(await client.get(path), 404)  # a draft is the organization's own
    opened = await answer_of(await client.post(f"{path}/publish", headers=ann.auth))
    shown = await answer_of(await client.get(path))
    assert (shown["status"], [s["remaining"] for s in shown["slots"]]) == ("open", [2, 3])
    assert shown["org"] == card(org).model_dump(mode="json")
    edit = {"title": "Sorting food parcels"}
    edited = await answer_of(await client.patch(path, json=edit, headers=ann.auth))
    assert (edited["title"], edited["version"]) == ("Sorting food parcels", opened["version"] + 1)
    await answer_of(await client.post(f"{path}/pause", headers=ann.auth))
    await answer_of(await client.post(f"{path}/resume", headers=ann.auth))
    closed = await answer_of(await client.post(f"{path}/close", headers=ann.auth))
    assert closed["status"] == "closed"
    [event] = await tap.wait_for("opportunity.closed")
    [published] = tap.of_type("opportunity.published")
    updates = tap.of_type("opportunity.updated")
    assert [u["data"]["changed"] for u in updates] == [["title"], ["status"], ["status"]]
    snap = published["data"]["opportunity"]
    assert (snap["title"], snap["city"], snap["places"], snap["url_path"]) == (
        "Food bank sorting", "Lyon", 5, path,
    )  # fmt: skip
    assert (event["data"]["reason"], event["data"]["version"]) == ("closed", closed["version"])


async def test_a_pending_organization_keeps_drafts_only(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "not-yet", status="pending")
    olga = await person(client, keys, "Olga")
    await http_member(client, org, olga.user_id, "owner")
    made = await _create(client, org["_id"], olga.auth, ongoing_body(soon()))
    answer = await client.post(f"/opportunities/{made['id']}/publish", headers=olga.auth)
    assert (await answer_of(answer, 409))["type"].endswith("org-not-verified")
    body = ongoing_body(soon(), publish=True)
    answer = await client.post(f"/orgs/{org['_id']}/opportunities", json=body, headers=olga.auth)
    await answer_of(answer, 409)


@pytest.mark.parametrize(
    "fields",
    [{"status": "open"}, {"org_id": "0" * 24}, {"places_taken": 3}, {"version": 9},
     {"created_by": "someone"}, {"remaining": 1}],
)  # fmt: skip
async def test_read_only_fields_are_refused(
    client: Client, keys: TestKeys, fields: dict[str, Any]
) -> None:
    org = await http_org(client, "strict")
    ed = await person(client, keys, "Ed")
    await http_member(client, org, ed.user_id, "editor")
    body = one_off_body(soon()) | fields
    answer = await client.post(f"/orgs/{org['_id']}/opportunities", json=body, headers=ed.auth)
    problem = await answer_of(answer, 422)
    assert problem["errors"][0]["type"] == "read_only"
    made = await _create(client, org["_id"], ed.auth, one_off_body(soon()))
    answer = await client.patch(f"/opportunities/{made['id']}", json=fields, headers=ed.auth)
    assert (await answer_of(answer, 422))["errors"][0]["type"] == "read_only"
    answer = await client.post(
        f"/orgs/{org['_id']}/opportunities", json=one_off_body(soon(), colour="red"),
        headers=ed.auth,
    )  # fmt: skip
    await answer_of(answer, 422)  # an unknown field is no silent no-op either


def _slots(count: int, places: int = 1, hours: int = 2) -> dict[str, Any]:
    day = soon() + timedelta(days=2)
    slots = [{"starts_at": (day + timedelta(days=i)).isoformat(),
              "ends_at": (day + timedelta(days=i, hours=hours)).isoformat(), "places": places}
             for i in range(count)]  # fmt: skip
    return {"kind": "one_off", "slots": slots}


BAD: list[dict[str, Any]] = [
    {"title": "ab"}, {"title": "x" * 151}, {"description": "short"},
    {"description": "y" * 5001}, {"causes": []}, {"causes": ["not-a-cause"]},
    {"causes": ["education", "health", "literacy", "clean-water", "wildlife", "heritage"]},
    {"skills_wanted": ["ok", "not ok!"]}, {"skills_wanted": ["x" * 41]},
    {"commitment": {"kind": "one_off", "slots": []}}, {"commitment": _slots(21)},
    {"commitment": _slots(1, places=0)}, {"commitment": _slots(1, hours=-1)},
    {"commitment": {"kind": "weekly", "places": 2}},
    {"commitment": {"kind": "recurring", "days": [], "start_time": "09:00", "end_time": "10:00",
                    "hours_per_session": 1, "starts_on": "2030-01-01", "ends_on": "2030-02-01",
                    "places": 2}},
    {"commitment": {"kind": "recurring", "days": ["mon"], "start_time": "11:00",
                    "end_time": "10:00", "hours_per_session": 1, "starts_on": "2030-01-01",
                    "ends_on": "2030-02-01", "places": 2}},
    {"commitment": {"kind": "ongoing", "places": 0}},
    {"time_zone": "Mars/Olympus"}, {"time_zone": "../../etc/passwd"},
    {"place": None, "remote": False}, {"place": {"lat": 45.1}},
    {"questions": [{"text": f"Question {i}?"} for i in range(6)]}, {"minimum_age": -1},
    {"prerequisites": ["p"] * 11}, {"deadline": "2030-01-01T10:00:00"},
]  # fmt: skip


async def test_what_an_opportunity_may_not_be(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "rules")
    ed = await person(client, keys, "Ed")
    await http_member(client, org, ed.user_id, "editor")
    for fields in BAD:
        body = one_off_body(soon()) | fields
        answer = await client.post(f"/orgs/{org['_id']}/opportunities", json=body, headers=ed.auth)
        assert answer.status == 422, (fields, await answer.text())
    past = one_off_body(soon() - timedelta(days=30), deadline=None)
    answer = await client.post(f"/orgs/{org['_id']}/opportunities", json=past, headers=ed.auth)
    assert (await answer_of(answer, 422))["type"].endswith("invalid")


async def test_places_coordinates_and_tags_are_normalised(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "tidy")
    ed = await person(client, keys, "Ed")
    await http_member(client, org, ed.user_id, "editor")
    body = recurring_body(soon(), skills_wanted=["Premiers  Secours", "premiers secours", "C++"])
    made = await _create(client, org["_id"], ed.auth, body)
    assert made["skills_wanted"] == ["premiers-secours", "c++"]
    assert (made["place"]["lat"], made["place"]["lng"]) == (45.76, 4.83)
    assert (made["commitment"], made["pattern"]["days"], made["places"]) == (
        "recurring", ["sat", "sun"], 6,
    )  # fmt: skip
    stored = await database(client)["opportunities"].find_one({"_id": made["id"]})
    assert stored is not None
    assert stored["place"]["lat"] == 45.76


async def test_the_organizations_list_and_the_sweep_in_the_periodic_loop(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "listing")
    ed = await person(client, keys, "Ed")
    await http_member(client, org, ed.user_id, "editor")
    published = await _create(client, org["_id"], ed.auth, one_off_body(soon(), publish=True))
    drafted = await _create(client, org["_id"], ed.auth, ongoing_body(soon()))
    public = await answer_of(await client.get(f"/orgs/{org['slug']}/opportunities"))
    assert [o["id"] for o in public["items"]] == [published["id"]]
    own = await answer_of(
        await client.get(f"/orgs/{org['_id']}/opportunities?status=draft", headers=ed.auth)
    )
    assert [o["id"] for o in own["items"]] == [drafted["id"]]
    orgs = service(client)
    assert "opportunities.close_due" in orgs.timers.names
    done = await orgs.timers.run_round(soon() + timedelta(days=10))
    assert done["opportunities.close_due"] == 1
    [closed] = await tap.wait_for("opportunity.closed")
    assert (closed["data"]["reason"], closed["subject_id"]) == ("deadline", published["id"])


async def test_the_routes_are_in_the_document(client: Client) -> None:
    document = await answer_of(await client.get("/openapi.json"))
    paths = document["paths"]
    for path in ("/opportunities", "/orgs/{id}/opportunities", "/opportunities/{id}",
                 "/opportunities/{id}/publish", "/opportunities/{id}/close"):  # fmt: skip
        assert path in paths, path
    search = {p["name"] for p in paths["/opportunities"]["get"]["parameters"]}
    assert {"q", "cause", "skills", "near", "radius_km", "remote", "from", "to", "available",
            "sort", "cursor", "limit"} <= search  # fmt: skip


async def test_search_through_the_api(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "banque-alimentaire", name="Banque Alimentaire")
    ed = await person(client, keys, "Ed")
    await http_member(client, org, ed.user_id, "editor")
    body = one_off_body(soon(), title="Tri des colis équitables", publish=True)
    made = await _create(client, org["_id"], ed.auth, body)
    await _create(client, org["_id"], ed.auth, one_off_body(soon(), title="Brouillon"))
    found = await answer_of(await client.get("/opportunities?q=EQUI&near=45.75,4.85"))
    assert [h["id"] for h in found["items"]] == [made["id"]]
    hit = found["items"][0]
    assert (hit["why"]["words"][0]["fields"], hit["url_path"]) == (
        ["title"], f"/opportunities/{made['id']}",
    )  # fmt: skip
    listed = await answer_of(await client.get("/opportunities?cause=education&sort=newest"))
    assert [h["id"] for h in listed["items"]] == [made["id"]]  # the draft is nobody's result
    await answer_of(await client.get("/opportunities?available=me"), 403)
    await answer_of(await client.get("/opportunities?sort=distance"), 422)
    await answer_of(await client.get("/opportunities?cause=astrology"), 422)
    await answer_of(await client.get("/opportunities?cursor=bm90LWEtY3Vyc29y"), 400)
