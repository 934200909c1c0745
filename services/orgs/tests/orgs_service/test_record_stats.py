"""An organization's figures from applications and attendance, counted at read time (memory
stores): the definitions of jumo_orgs.stats, by month, who may read them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from jumo_common.change import Change
from jumo_orgs.errors import NotAllowed
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.schemas.record import CheckInBody
from jumo_orgs.stats import OrgStats

from .community import NOW
from .test_attendance_use_cases import RecordWorld

DAY = timedelta(days=1)


async def application(world: RecordWorld, opp_id: str, slot_id: str, **fields: Any) -> str:
    doc = {"_id": uuid.uuid4().hex, "opportunity_id": opp_id, "org_id": world.org["_id"],
           "slot_id": slot_id, "volunteer_id": uuid.uuid4().hex, "status": "pending",
           "submitted_at": NOW - 10 * DAY, **fields}  # fmt: skip
    body = {k: v for k, v in doc.items() if k != "_id"}
    assert await world.deps.stores.applications.create(doc, lambda d: Change(set=body))
    return str(doc["_id"])


async def test_the_figures_follow_their_definitions(world: RecordWorld) -> None:
    opp = await world.opportunity()
    past, future = opp.slots[0].id, opp.slots[1].id
    submitted = NOW - 40 * DAY  # a month earlier
    accepted = {
        "status": "accepted",
        "answered_at": submitted + DAY,
        "accepted_at": submitted + DAY,
    }
    shown = await application(world, opp.id, past, submitted_at=submitted, **accepted)
    await application(world, opp.id, past, submitted_at=submitted, **accepted)  # a no-show
    await application(world, opp.id, future, status="declined", answered_at=NOW - DAY)  # 9 days
    await application(world, opp.id, future, status="expired", expired_at=NOW - 3 * DAY)
    await application(world, opp.id, future)  # pending for 10 days: late
    await application(world, opp.id, future, status="withdrawn", submitted_at=NOW - DAY)
    stats = OrgStats(world.deps, Opportunities(world.deps))
    out = await world.attendance.check_in(opp.id, world.editor,
                                          CheckInBody(application_id=shown), NOW)  # fmt: skip
    await world.attendance.record_hours(opp.id, out[0].id, world.editor, 3, NOW)
    later = NOW + 5 * DAY  # the first slot has ended
    figures = await stats.stats(world.org["_id"], world.owner, later)
    assert (figures.applications, figures.volunteers_accepted, figures.hours_attested) == (6, 2, 3)
    assert figures.median_answer_hours == 24  # 24, 24, 216 hours
    assert figures.answered_within_7_days == round(2 / 5, 4)  # 2 of 3 answered, 1 expired, 1 late
    assert figures.acceptance_rate == round(2 / 3, 4)
    assert figures.no_show_rate == 0.5
    months = {m.month: m for m in figures.months}
    assert months[f"{submitted:%Y-%m}"].acceptance_rate == 1.0
    assert months[f"{NOW:%Y-%m}"].hours_attested == 3
    public = await stats.public(world.org["_id"], later)
    assert (public.volunteers_accepted, public.hours_attested) == (2, 3)
    with pytest.raises(NotAllowed):
        await stats.stats(world.org["_id"], world.editor, later)


@pytest.fixture
async def world() -> RecordWorld:
    """A fresh memory world."""
    return await RecordWorld.make()
