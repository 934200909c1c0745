"""The record over the real opportunities and applications areas: an organization publishes,
a volunteer applies and is accepted, shows a one-time code, the organization records the hours,
and the volunteer's signed export verifies — nothing inserted behind the API's back."""

from __future__ import annotations

import jwt

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys

from .community import http_member, http_org
from .conftest import Client, Person, person
from .test_applications_http import act, apply, opportunity
from .test_record_http import call


async def test_apply_accept_check_in_with_a_code_attest_and_export(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    org = await http_org(client, "river-keepers")
    olga, ann, bo = [await person(client, keys, n) for n in ("Olga", "Ann", "Bo")]
    await http_member(client, org, olga.user_id, "owner")
    opp = await opportunity(client, org["_id"], olga.auth, places=1)
    mine = await apply(client, opp["id"], ann.auth)
    waiting = await apply(client, opp["id"], bo.auth)
    code_path = f"/applications/{mine['id']}/check-in-code"
    await call(client, "POST", code_path, ann, {}, 409)  # not accepted yet: no code
    await act(client, mine["id"], "accept", olga.auth)
    await act(client, waiting["id"], "waitlist", olga.auth)
    code = await call(client, "POST", code_path, ann, {}, 201)
    check_ins = f"/opportunities/{opp['id']}/check-ins"
    body = {"application_id": waiting["id"]}
    refused = await call(client, "POST", check_ins, olga, body, 409)  # waitlisted: not yet
    assert refused["type"].endswith("not-accepted")
    checked = await call(client, "POST", check_ins, olga, {"code": code["code"]}, 201)
    hours = f"{check_ins}/{checked['id']}/hours"
    await call(client, "PUT", hours, olga, {"hours": 2})
    await tap.wait_for("volunteering.attested")
    token = await exported_jws(client, ann)
    jwks = await call(client, "GET", "/.well-known/orgs-jwks.json", None)
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key, algorithms=["EdDSA"])
    [engagement] = claims["engagements"]
    assert (engagement["org_id"], engagement["hours"]) == (org["_id"], 2)
    stats = await call(client, "GET", f"/orgs/{org['_id']}/stats", olga)
    assert (stats["volunteers_accepted"], stats["hours_attested"]) == (1, 2)
    assert stats["acceptance_rate"] == 0.5  # one accepted, one waitlisted


async def exported_jws(client: Client, who: Person) -> str:
    """The compact JWS of the caller's export."""
    response = await client.get("/users/me/volunteering/export.jws", headers=who.auth)
    assert response.status == 200, await response.text()
    return await response.text()
