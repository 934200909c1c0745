"""The volunteer's record on the memory stores: attested engagements, totals, the export and
its signature (verified with plain PyJWT and the JWKS), the reviews' badge, erasure."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest

from jumo_orgs.record import JWS_TYPE

from .community import NOW
from .test_attendance_use_cases import RecordWorld, recurring


@pytest.fixture
async def world() -> RecordWorld:
    """A fresh memory world."""
    return await RecordWorld.make()


async def attested(world: RecordWorld, hours: float, **body: Any) -> tuple[Any, str]:
    """Ann (made once per world) checked in and attested for ``hours``."""
    ann = getattr(world, "ann", None) or await world.volunteer()
    world.ann = ann  # type: ignore[attr-defined]
    opp = body.pop("opp", None) or await world.opportunity()
    check_in_id = await world.checked_in(opp, ann, **body)
    await world.attendance.record_hours(opp.id, check_in_id, world.editor, hours, NOW)
    return ann, check_in_id


async def test_the_record_lists_engagements_with_totals(world: RecordWorld) -> None:
    ann, _ = await attested(world, 3)
    weekly = await world.opportunity(recurring(world.org["_id"]))
    _, second = await attested(world, 2.5, opp=weekly, session="2026-05-30")
    _, disputed = await attested(world, 9)
    await world.attendance.dispute(disputed, ann, "I was not there that long.", NOW)
    await world.checked_in(await world.opportunity(), ann)  # checked in, no hours yet: not listed
    mine = await world.record.mine(ann)
    assert len(mine.engagements) == 3
    assert mine.engagements[0].date == "2026-06-01"
    assert {e.answer for e in mine.engagements} == {None, "disputed"}
    assert (mine.totals.hours, mine.totals.sessions) == (5.5, 2)
    assert mine.totals.by_cause == {"clean-water": 5.5, "environment": 5.5}
    assert mine.totals.by_year == {"2026": 5.5}
    first = next(e for e in mine.engagements if e.id == second)
    assert (first.org_name, first.opportunity_title, first.hours) == (
        world.org["name"], "River clean-up", 2.5)  # fmt: skip
    assert first.attested_by.user_id == world.editor.user_id
    assert first.attested_at == NOW
    other = await world.volunteer("Bo")
    assert (await world.record.mine(other)).engagements == []


async def test_the_export_holds_attested_engagements_only(world: RecordWorld) -> None:
    ann, _ = await attested(world, 3)
    _, disputed = await attested(world, 9)
    await world.attendance.dispute(disputed, ann, "No.", NOW)
    export = await world.record.export(ann, NOW)
    assert (export.iss, export.sub, export.iat) == (
        world.deps.settings.public_base_url, ann.user_id, int(NOW.timestamp()))  # fmt: skip
    assert [e.hours for e in export.engagements] == [3]
    assert export.totals.hours == 3


def _tampered(token: str, change: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    raw = json.dumps(claims, separators=(",", ":")).encode()
    return ".".join((header, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), signature))


async def test_the_signed_export_verifies_with_pyjwt_and_refuses_a_changed_hour(
    world: RecordWorld,
) -> None:
    ann, _ = await attested(world, 3)
    token = await world.record.export_jws(ann, NOW)
    jwks = await world.record.keys.jwks()  # what GET /.well-known/orgs-jwks.json serves
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["typ"]) == ("EdDSA", JWS_TYPE)
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    claims = jwt.decode(
        token, key, algorithms=["EdDSA"], issuer=world.deps.settings.public_base_url
    )
    assert claims["sub"] == ann.user_id
    assert claims["engagements"][0]["hours"] == 3

    def one_more_hour(c: dict[str, Any]) -> None:
        c["engagements"][0]["hours"] = 4

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(_tampered(token, one_more_hour), key, algorithms=["EdDSA"])


async def test_volunteered_here_is_an_attested_engagement(world: RecordWorld) -> None:
    ann, check_in_id = await attested(world, 3)
    bo = await world.volunteer("Bo")
    await world.checked_in(await world.opportunity(), bo)  # checked in, no hours
    assert await world.record.volunteered(ann.user_id, world.org["_id"])
    assert not await world.record.volunteered(bo.user_id, world.org["_id"])
    assert not await world.record.volunteered(ann.user_id, "another-org")
    await world.attendance.dispute(check_in_id, ann, "No.", NOW)
    assert not await world.record.volunteered(ann.user_id, world.org["_id"])


async def test_a_forgotten_volunteer_has_no_record_left(world: RecordWorld) -> None:
    ann, _ = await attested(world, 3)
    await world.attendance.forget(ann.user_id)
    assert (await world.record.mine(ann)).engagements == []
    assert not await world.record.volunteered(ann.user_id, world.org["_id"])
