"""Attendance and the record over HTTP, on the real stores: check-in (by application and by
code), hours, answers, the record, its exports (the signed one verified with plain PyJWT and
the JWKS the app serves), the reviews' badge, the figures, mass assignment."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys
from jumo_orgs.opportunity_model import Opportunity, Slot, document_of

from .community import NOW, answer_of, database, http_member, http_org
from .conftest import Client, Person, person


@dataclass
class HttpWorld:
    """Organization A (owner, editor) with a one-off opportunity of two slots (the first
    started an hour ago, the second ended yesterday), B's owner, two volunteers, a stranger."""

    owner: Person
    editor: Person
    other_owner: Person
    volunteer: Person
    another: Person
    stranger: Person
    org_id: str
    opportunity: Opportunity

    async def application(self, client: Client, who: Person, status: str = "accepted",
                          slot: int = 0) -> str:  # fmt: skip
        """An application of ``who`` in ``status`` (as the applications area stores it)."""
        application_id = uuid.uuid4().hex
        now = datetime.now(UTC)
        await database(client)["applications"].insert_one({
            "_id": application_id, "opportunity_id": self.opportunity.id, "org_id": self.org_id,
            "slot_id": self.opportunity.slots[slot].id, "volunteer_id": who.user_id,
            "status": status, "submitted_at": now - timedelta(days=2),
            "answered_at": now - timedelta(days=1),
            "accepted_at": now - timedelta(days=1) if status == "accepted" else None,
            "version": 1,
        })  # fmt: skip
        return application_id


async def http_world(client: Client, keys: TestKeys) -> HttpWorld:
    """A fresh world in the app's database."""
    names = ("Olivia", "Ed", "Bea", "Ann", "Bo", "Sam")
    owner, editor, other_owner, volunteer, another, stranger = [
        await person(client, keys, name) for name in names
    ]
    page = {"updated_at": NOW, "causes": ["clean-water"]}
    org = await http_org(client, f"water-{uuid.uuid4().hex[:6]}", name="Water for All", **page)
    other = await http_org(client, f"other-{uuid.uuid4().hex[:6]}")
    await http_member(client, org, owner.user_id, "owner")
    await http_member(client, org, editor.user_id, "editor")
    await http_member(client, other, other_owner.user_id, "owner")
    now = datetime.now(UTC).replace(microsecond=0)
    started = now - timedelta(hours=1)
    slots = (Slot(f"s1-{uuid.uuid4().hex[:6]}", started, now + timedelta(hours=2), 5),
             Slot(f"s2-{uuid.uuid4().hex[:6]}", now - timedelta(days=1, hours=3),
                  now - timedelta(days=1), 5))  # fmt: skip
    opp = Opportunity(
        id=uuid.uuid4().hex, org_id=org["_id"], status="open", title="River clean-up",
        description="Gloves provided.", causes=("clean-water",), skills_wanted=(),
        skills_required=(), commitment="one_off", time_zone="Europe/Paris", place=None,
        remote=False, slots=slots, created_at=now, updated_at=now, published_at=now,
    )  # fmt: skip
    await database(client)["opportunities"].insert_one(document_of(opp) | {"version": 1})
    return HttpWorld(owner, editor, other_owner, volunteer, another, stranger, org["_id"], opp)


async def call(client: Client, method: str, path: str, who: Person | None, body: Any = None,
               status: int = 200) -> Any:  # fmt: skip
    """The JSON answer of a request that must answer ``status``."""
    headers = who.auth if who else {}
    return await answer_of(await client.request(method, path, json=body, headers=headers), status)


async def checked_in(client: Client, world: HttpWorld, who: Person) -> str:
    """``who`` accepted on the first slot and checked in by the editor; the check-in id."""
    application_id = await world.application(client, who)
    path = f"/opportunities/{world.opportunity.id}/check-ins"
    out = await call(client, "POST", path, world.editor, {"application_id": application_id}, 201)
    return str(out["id"])


async def attest(client: Client, world: HttpWorld, check_in_id: str, hours: float) -> Any:
    path = f"/opportunities/{world.opportunity.id}/check-ins/{check_in_id}/hours"
    return await call(client, "PUT", path, world.editor, {"hours": hours})


async def test_check_in_hours_and_the_record(client: Client, keys: TestKeys, tap: EventTap) -> None:
    world = await http_world(client, keys)
    application_id = await world.application(client, world.volunteer)
    path = f"/opportunities/{world.opportunity.id}/check-ins"
    body = {"application_id": application_id}
    first = await call(client, "POST", path, world.editor, body, 201)
    assert await call(client, "POST", path, world.owner, body, 200) == first  # exactly once
    listed = await call(client, "GET", path, world.owner)
    assert [c["id"] for c in listed["items"]] == [first["id"]]
    out = await attest(client, world, first["id"], 2.5)
    assert (out["hours"], out["attested_by"]) == (2.5, world.editor.user_id)
    [attested] = await tap.wait_for("volunteering.attested")
    assert attested["data"]["volunteer_id"] == world.volunteer.user_id
    assert attested["data"]["org"]["name"] == "Water for All"
    record = await call(client, "GET", "/users/me/volunteering", world.volunteer)
    [engagement] = record["engagements"]
    assert (engagement["opportunity_title"], engagement["hours"]) == ("River clean-up", 2.5)
    assert engagement["attested_by"]["name"] == "Ed"
    assert record["totals"]["by_cause"] == {"clean-water": 2.5}
    other = await call(client, "GET", "/users/me/volunteering", world.another)
    assert other["engagements"] == []  # nobody reads another's record
    confirm = f"/users/me/volunteering/{first['id']}/confirm"
    await call(client, "POST", confirm, world.another, status=404)
    assert (await call(client, "POST", confirm, world.volunteer))["answer"] == "confirmed"
    await call(client, "PUT", f"{path}/{first['id']}/hours", world.editor, {"hours": 3}, 409)


async def test_a_one_time_code_checks_in_once(client: Client, keys: TestKeys) -> None:
    world = await http_world(client, keys)
    application_id = await world.application(client, world.volunteer)
    code_path = f"/applications/{application_id}/check-in-code"
    await call(client, "POST", code_path, world.another, {}, 404)
    code = await call(client, "POST", code_path, world.volunteer, {}, 201)
    assert len(code["code"]) == 8
    path = f"/opportunities/{world.opportunity.id}/check-ins"
    out = await call(client, "POST", path, world.owner, {"code": code["code"]}, 201)
    assert (out["via"], out["volunteer_id"]) == ("code", world.volunteer.user_id)
    again = await call(client, "POST", path, world.owner, {"code": code["code"]}, 422)
    assert again["type"].endswith("invalid-code")
    stored = await database(client)["check_in_codes"].find({}).to_list()
    assert code["code"] not in json.dumps([str(d) for d in stored])  # only its hash is kept


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["engagements"][0]["hours"] += 1
    raw = json.dumps(claims, separators=(",", ":")).encode()
    return ".".join((header, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), signature))


async def test_the_signed_export_verifies_offline_with_the_jwks(
    client: Client, keys: TestKeys
) -> None:
    world = await http_world(client, keys)
    await attest(client, world, await checked_in(client, world, world.volunteer), 3)
    exported = await call(client, "GET", "/users/me/volunteering/export", world.volunteer)
    assert (exported["sub"], exported["totals"]["hours"]) == (world.volunteer.user_id, 3)
    answer = await client.get("/users/me/volunteering/export.jws", headers=world.volunteer.auth)
    assert answer.status == 200
    assert answer.content_type == "application/jose"
    token = await answer.text()
    same = await client.get(
        "/users/me/volunteering/export?format=jws", headers=world.volunteer.auth
    )
    assert same.content_type == "application/jose"
    jwks_answer = await client.get("/.well-known/orgs-jwks.json")  # public, no token
    assert "public" in jwks_answer.headers["Cache-Control"]
    jwks = await jwks_answer.json()
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["typ"]) == ("EdDSA", "jumo-volunteering+jws")
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    claims = jwt.decode(token, key, algorithms=["EdDSA"], issuer=exported["iss"])
    assert claims["sub"] == world.volunteer.user_id
    assert claims["engagements"][0]["hours"] == 3
    try:
        jwt.decode(_tampered(token), key, algorithms=["EdDSA"])
    except jwt.InvalidSignatureError:
        pass
    else:
        raise AssertionError("a record with one hour changed must not verify")


async def test_the_badge_and_the_figures_come_from_attested_engagements(
    client: Client, keys: TestKeys
) -> None:
    world = await http_world(client, keys)
    await attest(client, world, await checked_in(client, world, world.volunteer), 4)
    await world.application(client, world.another, slot=1)  # accepted, past slot, no check-in
    await world.application(client, world.stranger, status="declined")
    review = await call(client, "POST", f"/orgs/{world.org_id}/reviews", world.volunteer,
                        {"stars": 5, "text": "Well organised."})  # fmt: skip
    assert review["volunteered"] is True
    other = await call(client, "POST", f"/orgs/{world.org_id}/reviews", world.another,
                       {"stars": 3, "text": "Never went."})  # fmt: skip
    assert other["volunteered"] is False
    stats = await call(client, "GET", f"/orgs/{world.org_id}/stats", world.owner)
    assert (stats["applications"], stats["volunteers_accepted"], stats["hours_attested"]) == (
        3,
        2,
        4,
    )
    assert (stats["acceptance_rate"], stats["no_show_rate"]) == (round(2 / 3, 4), 1.0)
    assert stats["answered_within_7_days"] == 1.0
    assert stats["median_answer_hours"] == 24
    assert len(stats["months"]) >= 1
    await call(client, "GET", f"/orgs/{world.org_id}/stats", world.editor, status=403)
    page = await call(client, "GET", f"/orgs/{world.org_id}", None)
    assert page["volunteering"] == {"volunteers_accepted": 2, "hours_attested": 4}


async def test_bodies_cannot_set_what_the_caller_may_not(client: Client, keys: TestKeys) -> None:
    world = await http_world(client, keys)
    check_in_id = await checked_in(client, world, world.volunteer)
    path = f"/opportunities/{world.opportunity.id}/check-ins"
    application_id = await world.application(client, world.another)
    for extra in ({"volunteer_id": world.editor.user_id}, {"via": "code"}, {"org_id": "x"},
                  {"checked_in_by": world.owner.user_id}, {"hours": 3}):  # fmt: skip
        await call(
            client, "POST", path, world.editor, {"application_id": application_id} | extra, 422
        )
    hours = f"{path}/{check_in_id}/hours"
    for body in ({"hours": 0}, {"hours": 24.5}, {"hours": -1}, {"hours": 2, "attested_by": "me"},
                 {"hours": 2, "answer": "confirmed"}):  # fmt: skip
        await call(client, "PUT", hours, world.editor, body, 422)
    dispute = f"/users/me/volunteering/{check_in_id}/dispute"
    await call(client, "PUT", hours, world.editor, {"hours": 2})
    await call(client, "POST", dispute, world.volunteer, {"reason": "x", "hours": 5}, 422)
    await call(client, "POST", dispute, world.volunteer, {"reason": ""}, 422)
    out = await call(client, "POST", dispute, world.volunteer, {"reason": "I stayed 3 hours."})
    assert (out["answer"], out["hours"]) == ("disputed", 2)


async def test_concurrent_check_ins_make_one_and_a_code_checks_in_once(
    client: Client, keys: TestKeys
) -> None:
    world = await http_world(client, keys)
    application_id = await world.application(client, world.volunteer)
    path = f"/opportunities/{world.opportunity.id}/check-ins"
    body = {"application_id": application_id}
    answers = await asyncio.gather(*(
        client.post(path, json=body, headers=(world.owner if i % 2 else world.editor).auth)
        for i in range(10)
    ))  # fmt: skip
    assert sorted(a.status for a in answers) == [200] * 9 + [201]
    other = await world.application(client, world.another)
    code = await call(
        client, "POST", f"/applications/{other}/check-in-code", world.another, {}, 201
    )
    tries = await asyncio.gather(*(
        client.post(path, json={"code": code["code"]}, headers=world.owner.auth) for _ in range(10)
    ))  # fmt: skip
    assert sorted(t.status for t in tries) == [201] + [422] * 9
    listed = await call(client, "GET", path, world.owner)
    assert len(listed["items"]) == 2
