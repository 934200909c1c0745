"""Calendar events on the memory stores: scheduling (who, which organization, times, place),
changes and cancellation, reminders exactly once, answers with places, the waiting list and
its promotions, and erasure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jumo_common.events.calendar import EventReminder, EventRsvped, EventUpdated
from jumo_orgs.calendar import (
    REMINDER_KIND,
    CapacityBelowTaken,
    NotTheirOpportunity,
    reminder_job,
)
from jumo_orgs.calendar_plans import BadTimes
from jumo_orgs.errors import NotAllowed, OrgNotVerified
from jumo_orgs.rsvp import EventClosed, NotEnoughPlaces

from .calendar_world import NOW, CalendarWorld, event_body
from .community import org_document, principal


async def test_an_editor_schedules_an_event_in_its_zone() -> None:
    world = await CalendarWorld.make()
    out = await world.event()
    assert out.starts_at == datetime(2030, 5, 8, 8, 0, tzinfo=UTC)  # 10:00 in Paris, summer
    assert out.place is not None
    assert (out.place.lat, out.place.lng) == (43.30, 5.37)
    assert (out.going, out.waiting, out.status) == (0, 0, "scheduled")
    (scheduled,) = world.of_type("event.scheduled")
    assert scheduled.data.event.title == "Beach clean-up"
    assert scheduled.data.version == 1
    job = await world.store.jobs.job(reminder_job(out.id))
    assert job is not None
    assert job.due_at == datetime(2030, 5, 7, 8, 0, tzinfo=UTC)


async def test_who_may_schedule() -> None:
    world = await CalendarWorld.make()
    with pytest.raises(NotAllowed):
        await world.calendar.schedule(principal(), world.org["_id"], event_body(), now=NOW)
    pending = org_document("new-org", status="pending")
    await world.orgs.orgs.create(pending)
    await world.add_member(pending, world.editor, "admin")
    with pytest.raises(OrgNotVerified):
        await world.calendar.schedule(world.editor, pending["_id"], event_body(), now=NOW)


async def test_times_and_opportunity_are_checked() -> None:
    world = await CalendarWorld.make()
    with pytest.raises(BadTimes):
        await world.event(ends_at="2030-05-08T09:00:00")
    with pytest.raises(BadTimes):
        await world.event(starts_at="2030-04-01T10:00:00", ends_at="2030-04-01T11:00:00")
    with pytest.raises(BadTimes):
        await world.event(starts_at="0001-01-01T00:00:00", time_zone="Asia/Tokyo")
    with pytest.raises(NotTheirOpportunity):
        await world.event(opportunity_id="nope")


async def test_a_change_names_its_fields_and_moves_the_reminder() -> None:
    world = await CalendarWorld.make()
    out = await world.event()
    sent = {"starts_at": datetime(2030, 5, 9, 10), "ends_at": datetime(2030, 5, 9, 12),
            "title": "Beach clean-up"}  # fmt: skip
    changed = await world.calendar.update(world.editor, out.id, sent, now=NOW)
    assert changed.starts_at == datetime(2030, 5, 9, 8, tzinfo=UTC)
    (updated,) = world.events.of_type(EventUpdated)
    assert updated.data.changed == ("starts_at", "ends_at")
    assert updated.data.version == 2
    job = await world.store.jobs.job(reminder_job(out.id))
    assert job is not None
    assert job.due_at == datetime(2030, 5, 8, 8, tzinfo=UTC)
    assert job.generation == 2
    same = await world.calendar.update(world.editor, out.id, sent, now=NOW)
    assert same == changed
    assert len(world.events.of_type(EventUpdated)) == 1


async def test_a_reminder_is_sent_once_to_those_going() -> None:
    world = await CalendarWorld.make()
    out = await world.event()
    ann, bob = await world.going(out.id), await world.going(out.id)
    await world.calendar.rsvps.answer(principal(), out.id, "maybe", 0, now=NOW)
    assert await world.calendar.send_reminders(world.later(days=5)) == 0  # not yet due
    due = world.later(days=6)
    assert await world.calendar.send_reminders(due) == 1
    assert await world.calendar.send_reminders(world.later(days=6, hours=1)) == 0
    (reminder,) = world.events.of_type(EventReminder)
    assert set(reminder.data.recipients) == {ann.user_id, bob.user_id}


async def test_a_rerun_after_a_crash_sends_no_second_reminder() -> None:
    world = await CalendarWorld.make()
    out = await world.event()
    await world.going(out.id)
    due = world.later(days=6)
    (job,) = await world.store.jobs.due(due, 10)
    assert await world.store.jobs.lease(job, due, world.calendar._lease)
    await world.calendar._remind(job, due)  # the effect, then the process dies
    assert await world.calendar.send_reminders(world.later(days=6, minutes=5)) == 1
    assert len(world.events.of_type(EventReminder)) == 1


async def test_a_cancelled_event_sends_no_reminder_and_takes_no_answers() -> None:
    world = await CalendarWorld.make()
    out = await world.event()
    await world.going(out.id)
    cancelled = await world.calendar.cancel(world.editor, out.id, now=NOW)
    assert cancelled.status == "cancelled"
    (event,) = world.of_type("event.cancelled")
    assert event.data.going == 1
    assert await world.calendar.send_reminders(world.later(days=6)) == 0
    assert world.events.of_type(EventReminder) == []
    with pytest.raises(EventClosed):
        await world.going(out.id)


async def test_a_full_event_waits_and_promotes_in_order() -> None:
    world = await CalendarWorld.make()
    out = await world.event(capacity=3)
    first = await world.going(out.id, guests=1)  # 2 places
    second = await world.going(out.id)  # 1 place: full
    third = await world.going(out.id, guests=1, at=world.later(minutes=1))
    fourth = await world.going(out.id, at=world.later(minutes=2))
    state = await world.calendar.rsvps.state(out.id, fourth.user_id)
    assert (state.status, state.waiting_position) == ("waiting", 2)
    await world.calendar.rsvps.answer(second, out.id, "declined", 0, now=NOW)
    # one place freed: the third needs two, so nobody jumps the line
    assert (await world.calendar.rsvps.state(out.id, fourth.user_id)).status == "waiting"
    await world.calendar.rsvps.withdraw(first, out.id, now=NOW)
    assert (await world.calendar.rsvps.state(out.id, third.user_id)).status == "going"
    assert (await world.calendar.rsvps.state(out.id, fourth.user_id)).status == "going"
    promoted = [e for e in world.events.of_type(EventRsvped) if e.data.promoted]
    assert [e.data.user_id for e in promoted] == [third.user_id, fourth.user_id]
    assert (await world.calendar.get(None, out.id)).going == 3


async def test_more_capacity_promotes_and_less_than_taken_is_refused() -> None:
    world = await CalendarWorld.make()
    out = await world.event(capacity=1)
    await world.going(out.id)
    waiting = await world.going(out.id)
    with pytest.raises(CapacityBelowTaken):
        await world.calendar.update(world.editor, out.id, {"capacity": 0}, now=NOW)
    await world.calendar.update(world.editor, out.id, {"capacity": 2}, now=NOW)
    assert (await world.calendar.rsvps.state(out.id, waiting.user_id)).status == "going"


async def test_guests_take_places_and_too_many_are_refused() -> None:
    world = await CalendarWorld.make()
    out = await world.event(capacity=4)
    ann = await world.going(out.id, guests=2)
    with pytest.raises(NotEnoughPlaces):
        await world.calendar.rsvps.answer(ann, out.id, "going", 4, now=NOW)
    await world.calendar.rsvps.answer(ann, out.id, "going", 3, now=NOW)
    assert (await world.calendar.get(None, out.id)).going == 4
    await world.calendar.rsvps.answer(ann, out.id, "going", 0, now=NOW)
    assert (await world.calendar.get(None, out.id)).going == 1
    again = await world.calendar.rsvps.answer(ann, out.id, "going", 0, now=NOW)
    assert not again.changed


async def test_a_deleted_person_leaves_and_the_line_moves() -> None:
    world = await CalendarWorld.make()
    out = await world.event(capacity=1)
    gone = await world.going(out.id)
    waiting = await world.going(out.id)
    await world.calendar.feeds.create(gone.user_id, now=NOW)
    await world.calendar.forget(gone.user_id, now=NOW)
    assert (await world.calendar.rsvps.state(out.id, waiting.user_id)).status == "going"
    assert await world.store.rsvps_of(gone.user_id) == []
    assert await world.store.seats_of(out.id, gone.user_id) == []
    assert world.store.feeds == {}
    removed = [e for e in world.events.of_type(EventRsvped) if e.data.user_id == gone.user_id]
    assert removed[-1].data.status == "removed"


async def test_a_place_a_crashed_answer_claimed_frees_for_the_waiting_list() -> None:
    world = await CalendarWorld.make()
    out = await world.event(capacity=2)
    await world.going(out.id)
    # a process claimed the last place for someone and died before writing their answer
    assert await world.store.claim_seat(out.id, 1, "crashed", NOW)
    waiting = await world.going(out.id)
    assert (await world.calendar.rsvps.state(out.id, waiting.user_id)).status == "waiting"
    await world.calendar.rsvps.promote(out.id, now=world.later(minutes=1))
    assert (await world.calendar.rsvps.state(out.id, waiting.user_id)).status == "going"
    assert await world.store.seats_of(out.id, "crashed") == []


async def test_the_reminder_job_comes_before_its_event() -> None:
    """A crash between the two leaves a job that finds no event: done, nothing sent."""
    world = await CalendarWorld.make()
    due, payload = world.later(days=1), {"event_id": "ghost"}
    await world.store.jobs.schedule(
        reminder_job("ghost"), REMINDER_KIND, due, payload, generation=1
    )
    assert await world.calendar.send_reminders(world.later(days=1)) == 1
    assert world.events.of_type(EventReminder) == []
