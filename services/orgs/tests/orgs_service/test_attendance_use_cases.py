"""Attendance's use cases on the memory stores: check-ins (by the organization or with a
one-time code), hours, the volunteer's answer, and who may do which."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_common.events.record import VolunteeringAttested, VolunteeringDisputed
from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.attendance import Attendance, StoredEngagements
from jumo_orgs.attendance_rules import (
    CheckInNotFound,
    HoursConfirmed,
    InvalidCode,
    InvalidSession,
    NotAccepted,
    NotAttested,
    OwnAttendance,
    SessionNotStarted,
)
from jumo_orgs.deps import Deps
from jumo_orgs.errors import NotAllowed
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.opportunity_model import Opportunity, Slot, WeeklyPattern, document_of
from jumo_orgs.record import VolunteeringRecord
from jumo_orgs.schemas.record import CheckInBody, CodeBody
from jumo_orgs.signing import RecordKeys

from .community import NOW, member_document, org_document, principal
from .memory import memory_deps
from .memory_orgs import MemoryOrgStore

SLOT_START = NOW + timedelta(minutes=30)


def one_off(org_id: str, **fields: Any) -> Opportunity:
    """A one-off opportunity with two slots, the first starting in half an hour."""
    slots = (Slot(f"s-{uuid.uuid4().hex[:8]}", SLOT_START, SLOT_START + timedelta(hours=3), 5),
             Slot(f"s-{uuid.uuid4().hex[:8]}", NOW + timedelta(days=7),
                  NOW + timedelta(days=7, hours=3), 5))  # fmt: skip
    opp = Opportunity(
        id=uuid.uuid4().hex, org_id=org_id, status="open", title="River clean-up",
        description="Bags and gloves provided.", causes=("clean-water", "environment"),
        skills_wanted=(), skills_required=(), commitment="one_off", time_zone="Europe/Paris",
        place=None, remote=False, slots=slots,
    )  # fmt: skip
    return replace(opp, **fields)


def recurring(org_id: str) -> Opportunity:
    """Saturday mornings through June 2026."""
    pattern = WeeklyPattern(days=("sat",), start_time=time(9), end_time=time(12),
                            hours_per_session=3, starts_on=date(2026, 5, 1),
                            ends_on=date(2026, 6, 30))  # fmt: skip
    slot = Slot(f"s-{uuid.uuid4().hex[:8]}", None, None, 10)
    return one_off(org_id, commitment="recurring", pattern=pattern, slots=(slot,))


@dataclass
class RecordWorld:
    """An organization A with its owner and an editor, an organization B's owner, volunteers."""

    deps: Deps
    events: PublishedEvents
    attendance: Attendance
    record: VolunteeringRecord
    org: Document
    owner: Principal
    editor: Principal
    other_owner: Principal

    @classmethod
    async def make(cls) -> RecordWorld:
        """A fresh world in memory."""
        deps, events = memory_deps()
        opportunities = Opportunities(deps)
        attendance = Attendance(deps, opportunities, StoredEngagements(deps.stores.applications))
        record = VolunteeringRecord(deps, RecordKeys(deps.stores.signing))
        world = cls(deps, events, attendance, record, {}, principal(), principal(), principal())
        world.org = await world.add_org("water-for-all", world.owner, world.editor)
        await world.add_org("other", world.other_owner)
        return world

    async def add_org(
        self, slug: str, owner: Principal, editor: Principal | None = None
    ) -> Document:
        """A verified organization with its owner (and an editor)."""
        orgs = self.deps.stores.orgs
        assert isinstance(orgs, MemoryOrgStore)
        doc = org_document(slug)
        assert await orgs.orgs.create(doc)
        await orgs.members.create(member_document(doc["_id"], owner.user_id, "owner"))
        if editor is not None:
            await orgs.members.create(member_document(doc["_id"], editor.user_id, "editor"))
        return doc

    async def opportunity(self, opp: Opportunity | None = None) -> Opportunity:
        """An opportunity of organization A in the store."""
        opp = opp or one_off(self.org["_id"])
        assert await self.deps.stores.opportunities.create_opportunity(document_of(opp), [])
        return opp

    async def volunteer(self, name: str = "Ann", visibility: str = "public") -> Principal:
        """A person of the projection."""
        who = principal()
        fields = {"display_name": name, "visibility": visibility}
        await self.deps.stores.people.change_person(who.user_id, lambda d: Change(set=fields))
        return who

    async def application(self, opp: Opportunity, who: Principal, status: str = "accepted",
                          slot: int = 0) -> str:  # fmt: skip
        """An application of ``who`` to ``opp`` in ``status``."""
        doc = {"_id": uuid.uuid4().hex, "opportunity_id": opp.id, "org_id": opp.org_id,
               "slot_id": opp.slots[slot].id, "volunteer_id": who.user_id, "status": status,
               "submitted_at": NOW - timedelta(days=3),
               "answered_at": NOW - timedelta(days=1)}  # fmt: skip
        fields = {k: v for k, v in doc.items() if k != "_id"}
        assert await self.deps.stores.applications.create(doc, lambda d: Change(set=fields))
        return str(doc["_id"])

    async def checked_in(self, opp: Opportunity, who: Principal, **body: Any) -> str:
        """``who`` accepted and checked in by the editor; the check-in's id."""
        application_id = await self.application(opp, who)
        out, created = await self.attendance.check_in(
            opp.id, self.editor, CheckInBody(application_id=application_id, **body), NOW
        )
        assert created
        return out.id


@pytest.fixture
async def world() -> RecordWorld:
    """A fresh memory world."""
    return await RecordWorld.make()


async def test_the_organization_checks_an_accepted_volunteer_in_once(world: RecordWorld) -> None:
    opp, ann = await world.opportunity(), await world.volunteer()
    application_id = await world.application(opp, ann)
    body = CheckInBody(application_id=application_id)
    first, created = await world.attendance.check_in(opp.id, world.editor, body, NOW)
    again, created_again = await world.attendance.check_in(opp.id, world.owner, body, NOW)
    assert (created, created_again) == (True, False)
    assert first == again
    assert (first.session, first.via, first.checked_in_by) == (
        opp.slots[0].id,
        "org",
        world.editor.user_id,
    )
    assert [c.id for c in await world.attendance.check_ins(opp.id, world.owner)] == [first.id]


async def test_only_accepted_volunteers_at_started_sessions(world: RecordWorld) -> None:
    opp, ann = await world.opportunity(), await world.volunteer()
    pending = await world.application(opp, ann, status="pending")
    with pytest.raises(NotAccepted):
        await world.attendance.check_in(
            opp.id, world.editor, CheckInBody(application_id=pending), NOW
        )
    later = await world.application(opp, await world.volunteer("Bo"), slot=1)
    with pytest.raises(SessionNotStarted):
        await world.attendance.check_in(
            opp.id, world.editor, CheckInBody(application_id=later), NOW
        )
    accepted = await world.application(opp, await world.volunteer("Cy"))
    body = CheckInBody(application_id=accepted, session=opp.slots[1].id)
    with pytest.raises(InvalidSession):
        await world.attendance.check_in(opp.id, world.editor, body, NOW)


async def test_a_recurring_opportunity_checks_in_per_date(world: RecordWorld) -> None:
    opp = await world.opportunity(recurring(world.org["_id"]))
    application_id = await world.application(opp, await world.volunteer())
    saturdays = ("2026-05-30", "2026-05-23")  # NOW is Monday 2026-06-01
    for day in saturdays:
        body = CheckInBody(application_id=application_id, session=day)
        out, created = await world.attendance.check_in(opp.id, world.editor, body, NOW)
        assert created
        assert out.session == day
    for wrong in ("2026-05-31", "2026-04-25", "2026-06-06", "yesterday"):
        body = CheckInBody(application_id=application_id, session=wrong)
        with pytest.raises((InvalidSession, SessionNotStarted)):
            await world.attendance.check_in(opp.id, world.editor, body, NOW)


async def test_a_one_time_code_checks_in_once_and_expires(world: RecordWorld) -> None:
    opp, ann = await world.opportunity(), await world.volunteer()
    application_id = await world.application(opp, ann)
    code = await world.attendance.issue_code(application_id, ann, CodeBody(), NOW)
    assert len(code.code) == 8
    assert code.expires_at == NOW + timedelta(minutes=15)
    store = world.deps.stores.attendance
    assert await store.code(code.code) is None  # stored hashed, never as itself
    typed = CheckInBody(code=code.code.lower())
    out, created = await world.attendance.check_in(opp.id, world.owner, typed, NOW)
    assert created
    assert (out.via, out.volunteer_id) == ("code", ann.user_id)
    with pytest.raises(InvalidCode):  # single use
        await world.attendance.check_in(opp.id, world.owner, typed, NOW)
    late = await world.attendance.issue_code(application_id, ann, CodeBody(), NOW)
    body = CheckInBody(code=late.code)
    with pytest.raises(InvalidCode):
        await world.attendance.check_in(opp.id, world.owner, body, NOW + timedelta(minutes=16))
    other = await world.opportunity()
    elsewhere = await world.attendance.issue_code(application_id, ann, CodeBody(), NOW)
    with pytest.raises(InvalidCode):  # a code is of its opportunity
        await world.attendance.check_in(
            other.id, world.owner, CheckInBody(code=elsewhere.code), NOW
        )


async def test_only_the_volunteer_asks_for_a_code(world: RecordWorld) -> None:
    opp, ann = await world.opportunity(), await world.volunteer()
    application_id = await world.application(opp, ann)
    for someone in (world.editor, await world.volunteer("Bo")):
        with pytest.raises(CheckInNotFound.__mro__[1]):  # NotFoundError: not theirs
            await world.attendance.issue_code(application_id, someone, CodeBody(), NOW)
    pending = await world.application(opp, ann, status="waitlisted", slot=1)
    with pytest.raises(NotAccepted):
        await world.attendance.issue_code(pending, ann, CodeBody(), NOW)


async def test_nobody_checks_themself_in_nor_attests_their_own_hours(world: RecordWorld) -> None:
    opp = await world.opportunity()
    own = await world.application(opp, world.editor)
    with pytest.raises(OwnAttendance):
        await world.attendance.check_in(opp.id, world.editor, CheckInBody(application_id=own), NOW)
    out, _ = await world.attendance.check_in(
        opp.id, world.owner, CheckInBody(application_id=own), NOW
    )
    with pytest.raises(OwnAttendance):
        await world.attendance.record_hours(opp.id, out.id, world.editor, 3, NOW)
    ann = await world.volunteer()
    application_id = await world.application(opp, ann)
    with pytest.raises(NotAllowed):  # a volunteer is not the organization
        await world.attendance.check_in(
            opp.id, ann, CheckInBody(application_id=application_id), NOW
        )


async def test_another_organizations_people_cannot_check_in_here(world: RecordWorld) -> None:
    opp = await world.opportunity()
    application_id = await world.application(opp, await world.volunteer())
    check_in_id = await world.checked_in(opp, await world.volunteer("Bo"))
    body = CheckInBody(application_id=application_id)
    with pytest.raises(NotAllowed):
        await world.attendance.check_in(opp.id, world.other_owner, body, NOW)
    with pytest.raises(NotAllowed):
        await world.attendance.record_hours(opp.id, check_in_id, world.other_owner, 2, NOW)
    with pytest.raises(NotAllowed):
        await world.attendance.check_ins(opp.id, world.other_owner)


async def test_hours_attest_and_the_volunteer_answers(world: RecordWorld) -> None:
    opp, ann = await world.opportunity(), await world.volunteer()
    check_in_id = await world.checked_in(opp, ann)
    with pytest.raises(NotAttested):
        await world.attendance.confirm(check_in_id, ann, NOW)
    out = await world.attendance.record_hours(opp.id, check_in_id, world.editor, 2.5, NOW)
    assert (out.hours, out.attested_by) == (2.5, world.editor.user_id)
    [attested] = world.events.of_type(VolunteeringAttested)
    assert (attested.data.hours, attested.data.visibility, attested.data.org.name) == (
        2.5, "public", world.org["name"])  # fmt: skip
    disputed = await world.attendance.dispute(check_in_id, ann, "I stayed 4 hours.", NOW)
    assert (disputed.answer, disputed.dispute_reason) == ("disputed", "I stayed 4 hours.")
    assert len(world.events.of_type(VolunteeringDisputed)) == 1
    corrected = await world.attendance.record_hours(opp.id, check_in_id, world.owner, 4, NOW)
    assert (corrected.hours, corrected.answer, corrected.dispute_reason) == (4, None, None)
    assert len(world.events.of_type(VolunteeringAttested)) == 2
    confirmed = await world.attendance.confirm(check_in_id, ann, NOW)
    assert confirmed.answer == "confirmed"
    with pytest.raises(HoursConfirmed):
        await world.attendance.record_hours(opp.id, check_in_id, world.owner, 5, NOW)
    with pytest.raises(HoursConfirmed):
        await world.attendance.dispute(check_in_id, ann, "changed my mind", NOW)


async def test_only_the_volunteer_confirms_or_disputes(world: RecordWorld) -> None:
    opp, ann = await world.opportunity(), await world.volunteer()
    check_in_id = await world.checked_in(opp, ann)
    await world.attendance.record_hours(opp.id, check_in_id, world.editor, 2, NOW)
    for someone in (world.owner, await world.volunteer("Bo")):
        with pytest.raises(CheckInNotFound):
            await world.attendance.confirm(check_in_id, someone, NOW)
        with pytest.raises(CheckInNotFound):
            await world.attendance.dispute(check_in_id, someone, "no", NOW)


async def test_a_private_volunteers_engagement_is_no_news(world: RecordWorld) -> None:
    opp, pat = await world.opportunity(), await world.volunteer("Pat", visibility="private")
    fay = await world.volunteer("Fay", visibility="followers")
    for who in (pat, fay):
        check_in_id = await world.checked_in(opp, who)
        await world.attendance.record_hours(opp.id, check_in_id, world.editor, 1, NOW)
    [news] = world.events.of_type(VolunteeringAttested)
    assert (news.data.volunteer_id, news.data.visibility) == (fay.user_id, "followers")
