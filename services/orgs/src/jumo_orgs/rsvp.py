"""People answering calendar events: places, the waiting list and its promotions, erasure.

Places are seats: place ``n`` of a calendar event is the exclusive insert of
``<event>:<n>`` with ``n < capacity``, one per person and one per guest, so concurrent answers
never take more than the capacity (FerretDB's updates are not atomic; inserts are). Places
taken are counted. A ``going`` answer that finds too few places, or finds people waiting
already, waits; whenever places free (a decline, a deleted answer or person, fewer guests,
more capacity) the waiting list is promoted in order: its first answer takes its places or,
if they are too few, everyone keeps waiting (nobody jumps the line). One promoter at a time
handles a waiting answer (a claim on its version).
"""

from __future__ import annotations

from datetime import datetime

from jumo_common.events.calendar import CalendarEventCard
from jumo_common.jwt import Principal
from jumo_common.mongo import STALE_CLAIM, Document, as_utc
from jumo_common.outbox import WriteConflict, Written
from jumo_orgs.calendar_plans import event_card
from jumo_orgs.calendar_store import CalendarStore
from jumo_orgs.deps import Deps
from jumo_orgs.errors import ChangingConcurrently, Conflict, NotFoundError
from jumo_orgs.rsvp_plans import (
    Fields,
    answer_plan,
    forgotten,
    going_fields,
    plain_fields,
    removed_fields,
    version_of,
    waiting_fields,
)
from jumo_orgs.schemas.calendar import RsvpOut


class CalendarEventNotFound(NotFoundError):
    """No calendar event with that id (or the caller may not see it)."""

    slug = "event-not-found"


class EventClosed(Conflict):
    """The calendar event was cancelled or is over: answers are closed."""

    slug = "event-closed"


class NotEnoughPlaces(Conflict):
    """More guests than the places left (the answer stays as it was)."""

    slug = "not-enough-places"


class Rsvps:
    """Answers to calendar events."""

    def __init__(self, deps: Deps, store: CalendarStore) -> None:
        self._deps = deps
        self._store = store
        self._base = deps.settings.public_base_url

    async def answer(
        self, caller: Principal, event_id: str, answer: str, guests: int, *, now: datetime
    ) -> RsvpOut:
        """Answer ``going``, ``maybe`` or ``declined`` with ``guests``; repeating it changes and
        publishes nothing."""
        event, org = await self._open_event(caller, event_id, now)
        await self._deps.access.check_not_blocked(org["_id"], caller.user_id)
        card = event_card(event, org, self._base)
        doc = await self._store.rsvp(event_id, caller.user_id)
        if answer == "going":
            written = await self._going(event, card, doc, caller.user_id, guests, now)
        else:
            fields = plain_fields(answer, guests, _since(doc, now))
            written = await self._write(event, card, doc, caller.user_id, fields, [])
        await self.promote(event_id, now=now)
        return await self.state(event_id, caller.user_id, changed=written.change is not None)

    async def withdraw(self, caller: Principal, event_id: str, *, now: datetime) -> RsvpOut:
        """Delete one's answer (``removed``); its places free and the waiting list moves."""
        event = await self._event(caller, event_id)
        org = await self._deps.access.org(event["org_id"], caller)
        doc = await self._store.rsvp(event_id, caller.user_id)
        if doc is None or doc.get("status") == "removed" or doc.get("deleted"):
            return await self.state(event_id, caller.user_id)
        card = event_card(event, org, self._base)
        written = await self._write(event, card, doc, caller.user_id, removed_fields(now), [])
        await self.promote(event_id, now=now)
        return await self.state(event_id, caller.user_id, changed=written.change is not None)

    async def state(self, event_id: str, user_id: str, *, changed: bool = False) -> RsvpOut:
        """A person's answer as it stands, with their place in the waiting line."""
        doc = await self._store.rsvp(event_id, user_id)
        if doc is None or doc.get("deleted") or doc.get("status") == "removed":
            return RsvpOut(event_id=event_id, status="removed", changed=changed)
        position = None
        if doc["status"] == "waiting":
            line = await self._store.rsvps(event_id, "waiting")
            position = 1 + next((i for i, d in enumerate(line) if d["_id"] == doc["_id"]), 0)
        return RsvpOut(
            event_id=event_id, answer=doc.get("answer"), status=doc["status"],
            guests=int(doc.get("guests", 0)), waiting_position=position, changed=changed,
        )  # fmt: skip

    async def counts(self, event_id: str) -> tuple[int, int]:
        """Places taken (people and guests) and people waiting."""
        going = len(await self._store.taken_seats(event_id))
        return going, len(await self._store.rsvps(event_id, "waiting"))

    async def promote(self, event_id: str, *, now: datetime) -> int:
        """Give freed places to the waiting list, in order; how many answers moved."""
        event = await self._store.event(event_id)
        if event is None or event.get("status") != "scheduled":
            return 0
        org = await self._deps.stores.orgs.org(event["org_id"])
        if org is None:
            return 0
        card, promoted = event_card(event, org, self._base), 0
        line = await self._store.rsvps(event_id, "waiting")
        if line:
            await self._free_orphans(event_id, now)
        for waiting in line:
            moved = await self._promote_one(event, card, waiting, now)
            if moved is None:
                break
            promoted += moved
        return promoted

    async def forget(self, user_id: str, *, now: datetime) -> None:
        """A deleted person's answers go (their places free, the lines move); tombstones
        carry ``removed`` until sent."""
        await self._store.purge_forgotten()
        for doc in await self._store.rsvps_of(user_id):
            event_id = doc["event_id"]
            event = await self._store.event(event_id)
            org = await self._deps.stores.orgs.org(event["org_id"]) if event else None
            card = event_card(event, org, self._base) if event and org else None
            await self._store.change_rsvp(event_id, user_id, forgotten(card))
            await self._release(event_id, user_id, list(doc.get("seats") or []))
            for reminder in await self._store.reminders(event_id):
                await self._store.shed_reminder(reminder["_id"])
            await self.promote(event_id, now=now)
        await self._store.purge_forgotten(user_id)

    # ---- the moves ----------------------------------------------------------------------------

    async def _going(
        self, event: Document, card: CalendarEventCard, doc: Document | None, user_id: str,
        guests: int, now: datetime,
    ) -> Written:  # fmt: skip
        since = _since(doc, now)
        status = (doc or {}).get("status")
        if status == "going":
            return await self._regoing(event, card, doc or {}, guests, now)
        if status == "waiting":
            waited = as_utc((doc or {})["waiting_since"])
            fields = waiting_fields(guests, since, waited)
            return await self._write(event, card, doc, user_id, fields, [])
        seats = None
        if not await self._store.rsvps(event["_id"], "waiting"):
            seats = await self._claim(event, user_id, 1 + guests, now)
        if seats is None:
            return await self._write(
                event, card, doc, user_id, waiting_fields(guests, now, now), []
            )
        fields = going_fields(guests, seats, now)
        return await self._write(event, card, doc, user_id, fields, seats)

    async def _regoing(
        self, event: Document, card: CalendarEventCard, doc: Document, guests: int, now: datetime
    ) -> Written:
        """Going already: keep the places, take more for more guests, free the extra ones."""
        held = list(doc.get("seats") or [])
        need = 1 + guests
        extra: list[int] = []
        if need > len(held):
            claimed = await self._claim(event, doc["user_id"], need - len(held), now)
            if claimed is None:
                raise NotEnoughPlaces("Not enough places are left for that many guests.")
            extra = claimed
        seats = (held + extra)[:need]
        fields = going_fields(guests, seats, as_utc(doc["since"]))
        written = await self._write(event, card, doc, doc["user_id"], fields, extra)
        await self._store.release_seats(event["_id"], held[need:])
        return written

    async def _promote_one(
        self, event: Document, card: CalendarEventCard, waiting: Document, now: datetime
    ) -> int | None:
        """1 when the answer took its places, 0 when it moved meanwhile, None when the line
        stops here (too few places, or another promoter is on it)."""
        key = f"promote:{waiting['_id']}:{waiting['version']}"
        if not await self._store.claim_once(key, now):
            return None
        seats = await self._claim(event, waiting["user_id"], 1 + int(waiting["guests"]), now)
        if seats is None:
            await self._store.release_claim(key)
            return None
        fields = going_fields(int(waiting["guests"]), seats, as_utc(waiting["since"]))
        plan = answer_plan((event["_id"], waiting["user_id"]), version_of(waiting), fields,
                           card, actor=None, promoted=True)  # fmt: skip
        written = await self._store.change_rsvp(event["_id"], waiting["user_id"], plan)
        if written.change is None:
            await self._store.release_seats(event["_id"], seats)
            return 0
        return 1

    async def _write(
        self, event: Document, card: CalendarEventCard, doc: Document | None, user_id: str,
        fields: Fields, claimed: list[int],
    ) -> Written:  # fmt: skip
        """Write the answer for the version read; what it held and no longer holds frees.
        The places ``claimed`` for it free if the write does not happen."""
        plan = answer_plan((event["_id"], user_id), version_of(doc), fields, card,
                           actor=user_id)  # fmt: skip
        try:
            written = await self._store.change_rsvp(event["_id"], user_id, plan)
        except WriteConflict:
            written = None
        lost = written is None or (written.change is None and version_of(written.before)
                                   != version_of(doc))  # fmt: skip
        if lost:
            await self._store.release_seats(event["_id"], claimed)
            raise ChangingConcurrently("Your answer is changing; try again.")
        assert written is not None
        if written.change is None:
            await self._store.release_seats(event["_id"], claimed)
            return written
        kept = set(fields.get("seats") or [])
        freed = [n for n in (doc or {}).get("seats") or [] if n not in kept]
        await self._store.release_seats(event["_id"], freed)
        return written

    async def _claim(
        self, event: Document, user_id: str, need: int, now: datetime
    ) -> list[int] | None:
        """``need`` free places of the event for ``user_id``, or None (and none kept)."""
        taken = await self._store.taken_seats(event["_id"])
        got: list[int] = []
        for n in range(int(event["capacity"])):
            if len(got) == need:
                break
            if n not in taken and await self._store.claim_seat(event["_id"], n, user_id, now):
                got.append(n)
        if len(got) < need:
            await self._store.release_seats(event["_id"], got)
            return None
        return got

    async def _free_orphans(self, event_id: str, now: datetime) -> None:
        """Free the places a crashed answer claimed but never wrote into its RSVP (older than a
        stale claim, held by no going answer), before the waiting list is served."""
        held = {(d["user_id"], n) for d in await self._store.rsvps(event_id, "going")
                for n in d.get("seats") or []}  # fmt: skip
        orphans = [seat["n"] for seat in await self._store.seats(event_id)
                   if (seat["user_id"], seat["n"]) not in held
                   and now - as_utc(seat["at"]) >= STALE_CLAIM]  # fmt: skip
        await self._store.release_seats(event_id, orphans)

    async def _release(self, event_id: str, user_id: str, seats: list[int]) -> None:
        held = set(seats) | set(await self._store.seats_of(event_id, user_id))
        await self._store.release_seats(event_id, sorted(held))

    # ---- checks -------------------------------------------------------------------------------

    async def _event(self, caller: Principal | None, event_id: str) -> Document:
        event = await self._store.event(event_id)
        if event is None:
            raise CalendarEventNotFound("No such calendar event.")
        await self._deps.access.org(event["org_id"], caller)
        return event

    async def _open_event(
        self, caller: Principal, event_id: str, now: datetime
    ) -> tuple[Document, Document]:
        event = await self._event(caller, event_id)
        org = await self._deps.access.org(event["org_id"], caller)
        if event.get("status") != "scheduled" or as_utc(event["ends_at"]) <= now:
            raise EventClosed("This calendar event takes no more answers.")
        return event, org


def _since(doc: Document | None, now: datetime) -> datetime:
    """When the person first answered (kept across changes of answer)."""
    return as_utc(doc["since"]) if doc and doc.get("since") else now
