"""Issue 9's "done when", with curl through the gateway only: a verified organization publishes
an opportunity with two slots and an event; one volunteer finds it by search, another through
recommendations (with the reasons shown); both apply to the first slot, one is accepted and
one waitlisted; a withdrawal promotes the waitlisted one; the one who withdrew is accepted on
the second slot; both are checked in (one by the code they show), hours are attested, and each
exports a signed record that verifies with the orgs JWKS — and not once an hour is changed."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from e2e_curl import Curl
from e2e_orgs import call, eventually, make_moderator, newcomer, ok
from e2e_people import bearer, refresh
from e2e_processes import SystemUnderTest

from jumo_common.testing.plugin import InfraUrls

LYON_POINT = {"lat": 45.7485, "lng": 4.8365}
LYON = {"address": "20 quai Claude Bernard", "city": "Lyon", **LYON_POINT}


def _in(delta: timedelta) -> str:
    """A time that far from now, as a JSON body carries it."""
    return (datetime.now(UTC).replace(microsecond=0) + delta).isoformat()


def _slot(minutes: int) -> dict[str, Any]:
    """A three-hour shift of one place starting in ``minutes``: check-in opens an hour before
    a one-off slot starts, so both volunteers can be checked in now."""
    start = timedelta(minutes=minutes)
    return {"starts_at": _in(start), "ends_at": _in(start + timedelta(hours=3)), "places": 1}


def _hit(items: list[dict[str, Any]], opp_id: str) -> dict[str, Any] | None:
    """The item of ``opp_id`` in a list of results, if it is there."""
    return next((item for item in items if item["id"] == opp_id), None)


def _tampered(token: str) -> str:
    """The same compact JWS with one more hour in its first engagement."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["engagements"][0]["hours"] += 1
    raw = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{raw}.{signature}"


def _verified_record(curl: Curl, gw: str, login: dict[str, Any]) -> dict[str, Any]:
    """The volunteer's signed export, verified with PyJWT against the JWKS of the gateway."""
    answer = curl(*bearer(login), f"{gw}/users/me/volunteering/export.jws")
    assert answer.status == 200, answer.body[:300]
    assert answer.headers["content-type"].startswith("application/jose")
    token = answer.body.decode()
    jwks = curl(f"{gw}/.well-known/orgs-jwks.json")  # public: no token
    assert jwks.status == 200, jwks.body[:300]
    header = jwt.get_unverified_header(token)
    key = jwt.PyJWKSet.from_dict(jwks.json())[header["kid"]]
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["EdDSA"])
    assert claims["sub"] == login["user"]["id"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(_tampered(token), key, algorithms=["EdDSA"])
    return claims


def test_an_opportunity_from_publication_to_signed_records(
    system: SystemUnderTest, infra: InfraUrls, curl: Curl, other_curl: Curl
) -> None:
    gw = system.gateway.url
    olga = newcomer(curl, system)  # runs the organization
    mo = newcomer(other_curl, system)  # moderates
    make_moderator(system, infra, mo["user"]["id"])
    mo = refresh(other_curl, system, mo["refresh_token"]).json()  # now with the role
    org = ok(curl, "POST", f"{gw}/orgs", olga, {
        "name": "Rives Propres", "mission": "Keep the Rhône's banks clean, one Saturday at a time.",
        "causes": ["clean-water"], "hq": {"city": "Lyon", "country": "FR", **LYON_POINT},
    })  # fmt: skip
    ok(curl, "POST", f"{gw}/orgs/{org['id']}/submit", olga)
    assert ok(other_curl, "POST", f"{gw}/orgs/{org['id']}/verify", mo)["status"] == "verified"

    opp = ok(curl, "POST", f"{gw}/orgs/{org['id']}/opportunities", olga, {
        "title": "Riverbank clean-up", "description": "Gloves, bags and coffee provided.",
        "causes": ["clean-water"], "skills_wanted": ["First Aid"], "skills_required": [],
        "commitment": {"kind": "one_off", "slots": [_slot(30), _slot(40)]},
        "time_zone": "Europe/Paris", "place": {**LYON, "country": "FR"}, "publish": True,
    })  # fmt: skip
    assert (opp["status"], [s["remaining"] for s in opp["slots"]]) == ("open", [1, 1])
    first, second = (s["id"] for s in opp["slots"])
    event = ok(curl, "POST", f"{gw}/orgs/{org['id']}/events", olga, {
        "title": "Clean-up briefing", "starts_at": _in(timedelta(days=1)),
        "ends_at": _in(timedelta(days=1, hours=1)), "time_zone": "Europe/Paris",
        "place": LYON, "capacity": 30, "opportunity_id": opp["id"],
    })  # fmt: skip
    assert (event["opportunity_id"], event["going"]) == (opp["id"], 0)

    ann = newcomer(curl, system)  # finds it by search
    found = eventually(
        lambda: _hit(ok(curl, "GET", f"{gw}/opportunities?q=riverbank", ann)["items"], opp["id"]),
        "the opportunity in search",
    )
    assert found["why"]["words"], found

    bo = newcomer(curl, system)  # is recommended it, with the reasons
    ok(curl, "PATCH", f"{gw}/users/me", bo, {
        "skills": ["first aid"], "location": {"city": "Lyon", "lat": 45.75, "lng": 4.85},
        "availability": {"parts": ["weekday_mornings", "weekday_afternoons", "weekday_evenings",
                                   "weekend_mornings", "weekend_afternoons", "weekend_evenings"]},
        "findable": True, "radius_km": 20,
    })  # fmt: skip
    assert ok(curl, "PUT", f"{gw}/causes/clean-water/membership", bo)["member"] is True

    def recommended() -> dict[str, Any] | None:  # once orgs has heard of bo's new profile
        hit = _hit(ok(curl, "GET", f"{gw}/opportunities/recommended", bo)["items"], opp["id"])
        terms = {t["name"] for t in hit["terms"] if t["points"] > 0} if hit else set()
        return hit if {"skills", "causes", "distance"} <= terms else None

    reason = eventually(recommended, "the recommendation with bo's profile")
    assert all(t["sentence"] for t in reason["terms"] if t["points"] > 0), reason["terms"]
    assert "skill" in reason["why"], reason["why"]

    applications = f"{gw}/opportunities/{opp['id']}/applications"
    a1 = ok(curl, "POST", applications, ann, {"slot_id": first, "message": "I have boots."})
    b1 = ok(curl, "POST", applications, bo, {"slot_id": first})
    assert (a1["status"], b1["status"]) == ("pending", "pending")
    assert ok(curl, "POST", f"{gw}/applications/{a1['id']}/accept", olga)["status"] == "accepted"
    full = call(curl, "POST", f"{gw}/applications/{b1['id']}/accept", olga)
    assert (full.status, full.json()["type"].rsplit("/", 1)[-1]) == (409, "no-places-left")
    waiting = ok(curl, "POST", f"{gw}/applications/{b1['id']}/waitlist", olga)
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
    assert ok(curl, "POST", f"{gw}/applications/{a1['id']}/withdraw", ann)["status"] == "withdrawn"
    promoted = ok(curl, "GET", f"{gw}/applications/{b1['id']}", bo)
    assert (promoted["status"], promoted["promoted"]) == ("accepted", True)

    a2 = ok(curl, "POST", applications, ann, {"slot_id": second})  # ann takes the other shift
    assert ok(curl, "POST", f"{gw}/applications/{a2['id']}/accept", olga)["status"] == "accepted"
    shown = ok(curl, "GET", f"{gw}/opportunities/{opp['id']}", ann)
    assert [s["remaining"] for s in shown["slots"]] == [0, 0]

    check_ins = f"{gw}/opportunities/{opp['id']}/check-ins"
    ann_in = ok(curl, "POST", check_ins, olga, {"application_id": a2["id"]})
    code = ok(curl, "POST", f"{gw}/applications/{b1['id']}/check-in-code", bo, {})
    bo_in = ok(curl, "POST", check_ins, olga, {"code": code["code"]})  # typed by olga
    assert (ann_in["via"], bo_in["via"], bo_in["volunteer_id"]) == ("org", "code", bo["user"]["id"])
    for check_in, hours in ((ann_in, 2.5), (bo_in, 3.0)):
        attested = ok(curl, "PUT", f"{check_ins}/{check_in['id']}/hours", olga, {"hours": hours})
        assert (attested["hours"], attested["attested_by"]) == (hours, olga["user"]["id"])

    for volunteer, hours in ((ann, 2.5), (bo, 3.0)):
        record = ok(curl, "GET", f"{gw}/users/me/volunteering", volunteer)
        assert record["totals"]["by_cause"] == {"clean-water": hours}
        claims = _verified_record(curl, gw, volunteer)
        assert [e["hours"] for e in claims["engagements"]] == [hours]
        assert claims["engagements"][0]["opportunity_id"] == opp["id"]
        assert claims["totals"]["hours"] == hours
