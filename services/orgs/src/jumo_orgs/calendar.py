"""Calendar events of organizations: scheduling, changing and cancelling them, reading them,
and their reminders a day before (the durable scheduler of ``jumo_common.scheduler``).

A verified organization's admins and editors (and owner) schedule calendar events; anyone who
may see the organization sees them. Each calendar event has one reminder job,
``reminder:<event>``, due 24 hours before it starts: scheduled with the event (generation 1),
moved when its start moves and dropped when it is cancelled (the generation is the event's
version, so the newest write wins). The job's effect is the insert of
``calendar_reminders/<event>:<start>`` carrying one ``event.reminder`` that lists the people
going: a rerun after a crash finds it and sends nothing twice. No aiohttp, no pymongo here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.events import make_event
from jumo_common.events.calendar import EventReminder
from jumo_common.jwt import Principal
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document, as_utc
from jumo_common.outbox import WriteConflict
from jumo_common.scheduler import Job, RunAt, run_due
from jumo_common.web import Page
from jumo_orgs.calendar_feeds import CalendarFeeds
from jumo_orgs.calendar_plans import (
    cancel_plan,
    check_times,
    event_card,
    event_document,
    reminder_due,
    scheduled_event,
    update_plan,
)
from jumo_orgs.cards import card
from jumo_orgs.deps import Deps
from jumo_orgs.errors import ChangingConcurrently, Conflict, Invalid, OrgNotVerified
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.rsvp import CalendarEventNotFound, Rsvps
from jumo_orgs.schemas.calendar import CalendarEventOut, PlaceOut

REMINDER_KIND = "calendar.reminder"


class NotTheirOpportunity(Invalid):
    """The opportunity linked is not one of this organization's."""

    slug = "opportunity-not-found"


class CapacityBelowTaken(Conflict):
    """The capacity asked for is below the places already taken."""

    slug = "capacity-below-taken"


def reminder_job(event_id: str) -> str:
    """The id of a calendar event's reminder job."""
    return f"reminder:{event_id}"


class Calendar:
    """Organizations' calendar events."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._store = deps.stores.calendar
        self._base = deps.settings.public_base_url
        self._lease = timedelta(seconds=deps.settings.scheduler_lease_s)
        self.rsvps = Rsvps(deps, self._store)
        self.feeds = CalendarFeeds(deps, self._store)

    async def schedule(
        self, caller: Principal, org_ref: str, sent: Mapping[str, Any], *, now: datetime
    ) -> CalendarEventOut:
        """A new calendar event of a verified organization (event.scheduled) and its reminder."""
        org = await self._deps.access.org(org_ref, caller)
        await self._deps.access.require(org["_id"], caller, "editor")
        if org.get("status") != "verified":
            raise OrgNotVerified("Only a verified organization schedules events.")
        await self._check_opportunity(org["_id"], sent.get("opportunity_id"))
        doc = event_document(uuid.uuid4().hex, org["_id"], sent, by=caller.user_id, now=now)
        check_times(doc, now)
        snapshot = event_card(doc, org, self._base)
        # The job first: a crash before the event leaves a job that finds no event (done).
        await self._store.jobs.schedule(
            reminder_job(doc["_id"]), REMINDER_KIND, reminder_due(doc),
            {"event_id": doc["_id"]}, generation=1,
        )  # fmt: skip
        await self._store.create_event(doc, [scheduled_event(snapshot, caller.user_id)])
        return await self.get(caller, doc["_id"])

    async def get(self, caller: Principal | None, event_id: str) -> CalendarEventOut:
        """A calendar event the caller may see, with its counts and the caller's answer."""
        event = await self._event(caller, event_id)
        org = await self._deps.access.org(event["org_id"], caller)
        return await self._out(event, org, caller)

    async def org_events(
        self, caller: Principal | None, org_ref: str, *, limit: int, cursor: str | None
    ) -> Page[CalendarEventOut]:
        """An organization's calendar events, soonest first."""
        org = await self._deps.access.org(org_ref, caller)
        page = await self._store.events_page(org["_id"], limit=limit, cursor=cursor)
        items = [await self._out(doc, org, caller) for doc in page.items]
        return Page[CalendarEventOut](items=items, next_cursor=page.next_cursor)

    async def update(
        self, caller: Principal, event_id: str, sent: Mapping[str, Any], *, now: datetime
    ) -> CalendarEventOut:
        """Change the fields sent (event.updated naming them); the reminder follows the start,
        more capacity promotes the waiting list."""
        _, org = await self._editable(caller, event_id)
        if "opportunity_id" in sent:
            await self._check_opportunity(org["_id"], sent["opportunity_id"])
        if "capacity" in sent:
            going, _ = await self.rsvps.counts(event_id)
            if sent["capacity"] < going:
                raise CapacityBelowTaken(f"{going} places are taken already.")
        written = await self._change(
            event_id,
            lambda d: update_plan(d, sent, org, by=caller.user_id, now=now, base=self._base),
        )
        if written is not None and written.change is not None:
            after = written.after()
            if "starts_at" in written.change.set:
                await self._store.jobs.schedule(
                    reminder_job(event_id), REMINDER_KIND, reminder_due(after),
                    {"event_id": event_id}, generation=written.version,
                )  # fmt: skip
            if "capacity" in written.change.set:
                await self.rsvps.promote(event_id, now=now)
        return await self.get(caller, event_id)

    async def cancel(self, caller: Principal, event_id: str, *, now: datetime) -> CalendarEventOut:
        """Cancel (event.cancelled); its reminder is dropped; answers close."""
        _, org = await self._editable(caller, event_id)
        going, _ = await self.rsvps.counts(event_id)
        written = await self._change(
            event_id,
            lambda d: cancel_plan(d, org, by=caller.user_id, going=going, now=now, base=self._base),
        )
        if written is not None and written.change is not None:
            await self._store.jobs.cancel(reminder_job(event_id), generation=written.version)
        return await self.get(caller, event_id)

    async def send_reminders(self, now: datetime) -> int:
        """The timer step: reminders that fell due (exactly once each)."""
        return await run_due(
            self._store.jobs, {REMINDER_KIND: self._remind}, now, lease=self._lease
        )

    async def sweep(self, now: datetime) -> int:
        """The timer step: delete erased people's RSVP tombstones once their events are out."""
        return await self._store.purge_forgotten()

    async def forget(self, user_id: str, *, now: datetime | None = None) -> None:
        """A deleted person's answers and calendar feeds go."""
        await self.rsvps.forget(user_id, now=now or datetime.now(UTC))
        await self._store.delete_feeds(user_id)

    # ---- the reminder -------------------------------------------------------------------------

    async def _remind(self, job: Job, now: datetime) -> RunAt | None:
        """One ``event.reminder`` per calendar event and start, listing those going; nothing
        for an event cancelled, gone or started already."""
        event = await self._store.event(str(job.payload["event_id"]))
        if event is None or event.get("status") != "scheduled":
            return None
        due, starts = reminder_due(event), as_utc(event["starts_at"])
        if due > now:
            return RunAt(due)  # its start moved later and the reschedule has not landed
        org = await self._deps.stores.orgs.org(event["org_id"])
        if starts <= now or org is None:
            return None
        going = await self._store.rsvps(event["_id"], "going")
        recipients = tuple(sorted(d["user_id"] for d in going))
        data = EventReminder(
            event=event_card(event, org, self._base), recipients=recipients, starts_at=starts
        )
        reminder = make_event(
            data, producer="orgs", subject_id=event["_id"], trace_id=current_trace_id()
        )
        doc = {"_id": f"{event['_id']}:{starts.isoformat()}", "event_id": event["_id"],
               "at": now, "recipients": len(recipients)}  # fmt: skip
        await self._store.create_reminder(doc, [reminder])  # False: sent before a crash
        return None

    # ---- helpers ------------------------------------------------------------------------------

    async def _out(
        self, event: Document, org: Document, caller: Principal | None
    ) -> CalendarEventOut:
        going, waiting = await self.rsvps.counts(event["_id"])
        mine = None
        if caller is not None:
            state = await self.rsvps.state(event["_id"], caller.user_id)
            mine = state if state.status != "removed" else None
        place = event.get("place")
        return CalendarEventOut(
            id=event["_id"], org=card(org), title=event["title"],
            description=event.get("description", ""), starts_at=as_utc(event["starts_at"]),
            ends_at=as_utc(event["ends_at"]), time_zone=event["time_zone"],
            place=PlaceOut(**place) if place else None, online_url=event.get("online_url"),
            capacity=event["capacity"], going=going, waiting=waiting,
            opportunity_id=event.get("opportunity_id"), status=event["status"], my_rsvp=mine,
        )  # fmt: skip

    async def _event(self, caller: Principal | None, event_id: str) -> Document:
        event = await self._store.event(event_id)
        if event is None:
            raise CalendarEventNotFound("No such calendar event.")
        return event

    async def _editable(self, caller: Principal, event_id: str) -> tuple[Document, Document]:
        event = await self._event(caller, event_id)
        org = await self._deps.access.org(event["org_id"], caller)
        await self._deps.access.require(org["_id"], caller, "editor")
        return event, org

    async def _check_opportunity(self, org_id: str, opportunity_id: str | None) -> None:
        if opportunity_id is None:
            return
        opportunity = await Opportunities(self._deps).get(opportunity_id)
        if opportunity is None or opportunity.org_id != org_id:
            raise NotTheirOpportunity("No such opportunity in this organization.")

    async def _change(self, event_id: str, plan: Any) -> Any:
        try:
            return await self._store.change_event(event_id, plan)
        except WriteConflict:
            raise ChangingConcurrently("This calendar event is changing; try again.") from None
