"""Applications through the HTTP API on the real database and broker: the lifecycle with its
events, places never oversold under 50 concurrent accepts, what a body may not hold, expiry
through the periodic loop's step, the lists."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys

from .community import answer_of, bearer, database, http_member, http_org
from .conftest import Client, person, service
from .opportunities_samples import ongoing_body


def soon() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def opportunity(client: Client, org_id: str, auth: dict[str, str], places: int) -> Any:
    """An open ongoing opportunity of ``places`` places, no questions, no minimum age."""
    body = ongoing_body(soon(), publish=True, questions=[], minimum_age=None,
                        commitment={"kind": "ongoing", "places": places})  # fmt: skip
    response = await client.post(f"/orgs/{org_id}/opportunities", json=body, headers=auth)
    return await answer_of(response, 201)


async def apply(client: Client, opp_id: str, auth: dict[str, str], **body: Any) -> Any:
    response = await client.post(f"/opportunities/{opp_id}/applications", json=body, headers=auth)
    return await answer_of(response, 201)


async def act(client: Client, app_id: str, action: str, auth: dict[str, str],
              status: int = 200, body: Any = None) -> Any:  # fmt: skip
    response = await client.post(f"/applications/{app_id}/{action}", json=body, headers=auth)
    return await answer_of(response, status)


async def test_apply_accept_waitlist_withdraw_promote(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "river-friends")
    olga, ann, bo = [await person(client, keys, n) for n in ("Olga", "Ann Volunteer", "Bo")]
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=1)
    first = await apply(client, opp["id"], ann.auth, message="I have boots.")
    second = await apply(client, opp["id"], bo.auth)
    again = await client.post(f"/opportunities/{opp['id']}/applications", json={}, headers=ann.auth)
    assert (await answer_of(again, 409))["type"].endswith("already-applied")
    accepted = await act(client, first["id"], "accept", olga.auth)
    assert (accepted["status"], accepted["volunteer"]["display_name"]) == (
        "accepted",
        "Ann Volunteer",
    )
    shown = await answer_of(await client.get(f"/opportunities/{opp['id']}"))
    assert (shown["status"], shown["remaining"]) == ("filled", 0)
    full = await act(client, second["id"], "accept", olga.auth, 409)
    assert full["type"].endswith("no-places-left")
    waiting = await act(client, second["id"], "waitlist", olga.auth)
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
    await act(client, first["id"], "withdraw", ann.auth)
    promoted = await answer_of(await client.get(f"/applications/{second['id']}", headers=bo.auth))
    assert (promoted["status"], promoted["promoted"]) == ("accepted", True)
    [event] = await tap.wait_for("application.promoted")
    assert (event["data"]["volunteer_id"], event["data"]["org_name"]) == (bo.user_id, org["name"])
    kinds = sorted(e["type"] for e in tap.received if e["type"].startswith("application."))
    assert kinds == ["application.accepted", "application.promoted", "application.submitted",
                     "application.submitted", "application.waitlisted",
                     "application.withdrawn"]  # fmt: skip


async def test_fifty_concurrent_accepts_for_ten_places_accept_exactly_ten(
    client: Client, keys: TestKeys
) -> None:
    org = await http_org(client, "big-day")
    olga = await person(client, keys, "Olga")
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=10)
    volunteers = [bearer(uuid.uuid4().hex, keys) for _ in range(50)]
    apps = await asyncio.gather(*(apply(client, opp["id"], auth) for auth in volunteers))
    answers = await asyncio.gather(*(
        client.post(f"/applications/{a['id']}/accept", headers=olga.auth) for a in apps
    ))  # fmt: skip
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] * 10 + [409] * 40
    db = database(client)
    assert await db["applications"].count_documents({"status": "accepted"}) == 10
    assert await db["applications"].count_documents({"status": "pending"}) == 40
    assert await db["seats"].count_documents({"opportunity_id": opp["id"]}) == 10
    shown = await answer_of(await client.get(f"/opportunities/{opp['id']}"))
    assert (shown["status"], shown["remaining"]) == ("filled", 0)


async def test_a_body_sets_only_what_the_caller_may(client: Client, keys: TestKeys) -> None:
    org = await http_org(client, "strict-org")
    olga, ann = await person(client, keys, "Olga"), await person(client, keys, "Ann")
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=3)
    path = f"/opportunities/{opp['id']}/applications"
    for extra in ({"status": "accepted"}, {"org_id": "x"}, {"places_taken": 0},
                  {"volunteer_id": olga.user_id}, {"seat_id": "s:1"}):  # fmt: skip
        answer = await client.post(path, json=extra, headers=ann.auth)
        assert answer.status == 422, extra
    app = await apply(client, opp["id"], ann.auth)
    bad = {"reason": "not_a_fit", "status": "accepted"}
    await act(client, app["id"], "decline", olga.auth, 422, bad)
    await act(client, app["id"], "decline", olga.auth, 422, {"reason": "because"})
    why = {"reason": "requirements_not_met", "text": "A licence is needed."}
    declined = await act(client, app["id"], "decline", olga.auth, 200, why)
    assert declined["decline"] == why


async def test_expiry_runs_in_the_periodic_loop(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "slow-org")
    olga, ann = await person(client, keys, "Olga"), await person(client, keys, "Ann")
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=3)
    app = await apply(client, opp["id"], ann.auth)
    done = await service(client).timers.run_round(soon() + timedelta(days=8))
    assert done["applications.expire_due"] == 1
    [event] = await tap.wait_for("application.expired")
    assert event["data"]["application_id"] == app["id"]
    mine = await answer_of(await client.get("/applications?status=expired", headers=ann.auth))
    assert [a["id"] for a in mine["items"]] == [app["id"]]
    org_list = await answer_of(await client.get(
        f"/orgs/{org['_id']}/applications?opportunity={opp['id']}", headers=olga.auth))  # fmt: skip
    assert [(a["id"], a["status"]) for a in org_list["items"]] == [(app["id"], "expired")]
