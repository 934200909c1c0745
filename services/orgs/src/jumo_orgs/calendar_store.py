"""Calendar events, their RSVPs and places, reminders and personal calendar feeds: Protocol,
MongoDB implementation, indexes.

Collections::

    calendar_events     {_id, org_id, title, description, starts_at, ends_at (UTC), time_zone,
                        place {address, city, lat, lng} | null, online_url | null, capacity,
                        opportunity_id | null, status scheduled | cancelled, created_by,
                        created_at, updated_at, version} — event.scheduled / updated /
                        cancelled.
    calendar_rsvps      {_id: "<event>:<user>", event_id, user_id, answer going | maybe |
                        declined, status going | waiting | maybe | declined, guests, seats
                        [n, …], since, waiting_since; version = the seq of event.rsvped}.
                        A deleted person's become tombstones until their events are sent.
    calendar_seats      {_id: "<event>:<n>", event_id, user_id, at}: a place (a person or a
                        guest), claimed by an exclusive insert, n < capacity; places taken are
                        counted, never kept with $inc (FerretDB loses concurrent updates).
    calendar_reminders  {_id: "<event>:<starts_at>", event_id, at, recipients: count} — the
                        effect of a reminder job, inserted once, carrying event.reminder.
    calendar_feeds      {_id: sha256(secret), user_id, created_at}: a personal feed's secret is
                        never stored, only its hash.

The reminder jobs live in the scheduler's collections (``jumo_common.scheduler``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from jumo_common import scheduler
from jumo_common.change import Change
from jumo_common.mongo import (
    ASCENDING,
    STALE_CLAIM,
    Collection,
    Database,
    Document,
    IndexSpec,
    PageResult,
    as_utc,
    find_page,
    insert_once,
)
from jumo_common.outbox import Outbox, Plan, UpsertPlan, VersionedDocuments, Written
from jumo_common.scheduler import JobStore, MongoJobs
from jumo_orgs.cause_store import purge_sent_tombstones

EVENT_PAGE_SORT = (("starts_at", ASCENDING), ("_id", ASCENDING))
WAITING_SORT = (("waiting_since", ASCENDING), ("_id", ASCENDING))
INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("calendar_events", (("org_id", ASCENDING), *EVENT_PAGE_SORT)),
    IndexSpec("calendar_rsvps", (("event_id", ASCENDING), ("status", ASCENDING))),
    IndexSpec("calendar_rsvps", (("user_id", ASCENDING),)),
    IndexSpec("calendar_rsvps", (("deleted", ASCENDING),)),
    IndexSpec("calendar_seats", (("event_id", ASCENDING), ("user_id", ASCENDING))),
    IndexSpec("calendar_reminders", (("event_id", ASCENDING),)),
    IndexSpec("calendar_feeds", (("user_id", ASCENDING),)),
    *scheduler.INDEXES,
)
OUTBOX_COLLECTIONS = ("calendar_events", "calendar_rsvps", "calendar_reminders")


def rsvp_key(event_id: str, user_id: str) -> str:
    """The _id of a person's RSVP to a calendar event."""
    return f"{event_id}:{user_id}"


def seat_key(event_id: str, n: int) -> str:
    """The _id of place ``n`` of a calendar event."""
    return f"{event_id}:{n}"


class CalendarStore(Protocol):
    """What the calendar use cases need of the store."""

    jobs: JobStore

    async def event(self, event_id: str) -> Document | None:
        """A calendar event by id."""
        ...

    async def create_event(self, doc: Document, events: list[Any]) -> bool:
        """Insert a calendar event (version 1) with its events."""
        ...

    async def change_event(self, event_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to a calendar event."""
        ...

    async def events_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """An organization's calendar events, soonest first."""
        ...

    async def rsvp(self, event_id: str, user_id: str) -> Document | None:
        """A person's RSVP (a tombstone too)."""
        ...

    async def change_rsvp(self, event_id: str, user_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a person's RSVP or its absence."""
        ...

    async def rsvps(self, event_id: str, status: str) -> list[Document]:
        """The RSVPs of a calendar event in ``status``; waiting ones in their order."""
        ...

    async def rsvps_of(self, user_id: str) -> list[Document]:
        """Every RSVP of a person (tombstones left out)."""
        ...

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        """Delete the RSVP tombstones whose events were sent."""
        ...

    async def taken_seats(self, event_id: str) -> set[int]:
        """The numbers of the places taken."""
        ...

    async def claim_seat(self, event_id: str, n: int, user_id: str, at: datetime) -> bool:
        """Take place ``n`` (an exclusive insert); False when it is taken."""
        ...

    async def release_seats(self, event_id: str, seats: list[int]) -> None:
        """Free these places."""
        ...

    async def seats(self, event_id: str) -> list[Document]:
        """The places taken: ``{n, user_id, at}`` each."""
        ...

    async def seats_of(self, event_id: str, user_id: str) -> list[int]:
        """The places a person holds (their RSVP's, and any a crashed write left)."""
        ...

    async def claim_once(self, key: str, at: datetime) -> bool:
        """An exclusive claim of ``key`` (one promoter per waiting answer); a claim older than
        ``STALE_CLAIM`` (its holder died) is taken over."""
        ...

    async def release_claim(self, key: str) -> None:
        """Give a claim up (the promoter could not place the answer)."""
        ...

    async def create_reminder(self, doc: Document, events: list[Any]) -> bool:
        """Insert a reminder's effect with its event; False when it exists (sent already)."""
        ...

    async def reminders(self, event_id: str) -> list[Document]:
        """The reminders of a calendar event."""
        ...

    async def shed_reminder(self, reminder_id: str) -> None:
        """Rewrite a reminder so that its sent events (their recipients) leave it."""
        ...

    async def feed(self, secret_hash: str) -> Document | None:
        """A personal feed by its secret's hash."""
        ...

    async def replace_feed(self, user_id: str, secret_hash: str, at: datetime) -> None:
        """A person's only feed is now this one."""
        ...

    async def delete_feeds(self, user_id: str) -> int:
        """Revoke a person's feeds; how many there were."""
        ...


class MongoCalendarStore:
    """``CalendarStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.db = db
        self._outbox, self._claims = outbox, claims
        self.events: Collection = db["calendar_events"]
        self.rsvp_documents: Collection = db["calendar_rsvps"]
        self.seat_documents: Collection = db["calendar_seats"]
        self.reminder_documents: Collection = db["calendar_reminders"]
        self.feeds: Collection = db["calendar_feeds"]
        self._events = VersionedDocuments(self.events, outbox, claims)
        self._rsvps = VersionedDocuments(self.rsvp_documents, outbox, claims)
        self._reminders = VersionedDocuments(self.reminder_documents, outbox, claims)
        self.jobs: JobStore = MongoJobs(db, outbox, claims)

    async def event(self, event_id: str) -> Document | None:
        """A calendar event by id."""
        return await self._events.get(event_id)

    async def create_event(self, doc: Document, events: list[Any]) -> bool:
        """Insert a calendar event with its events."""
        return await self._events.create(doc, events)

    async def change_event(self, event_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to a calendar event."""
        return await self._events.change(event_id, plan)

    async def events_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        """An organization's calendar events, soonest first."""
        query = {"org_id": org_id}
        return await find_page(self.events, query, EVENT_PAGE_SORT, limit=limit, cursor=cursor)

    async def rsvp(self, event_id: str, user_id: str) -> Document | None:
        """A person's RSVP."""
        return await self._rsvps.get(rsvp_key(event_id, user_id))

    async def change_rsvp(self, event_id: str, user_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a person's RSVP or its absence."""
        return await self._rsvps.upsert(rsvp_key(event_id, user_id), plan)

    async def rsvps(self, event_id: str, status: str) -> list[Document]:
        """The RSVPs in ``status``, waiting ones first come first."""
        found = await self.rsvp_documents.find({"event_id": event_id, "status": status}).to_list()
        return sorted(found, key=lambda d: (d.get("waiting_since") or d["since"], d["_id"]))

    async def rsvps_of(self, user_id: str) -> list[Document]:
        """Every RSVP of a person (tombstones left out)."""
        found = await self.rsvp_documents.find({"user_id": user_id}).to_list()
        return [doc for doc in found if not doc.get("deleted")]

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        """Delete the RSVP tombstones whose events were sent."""
        return await purge_sent_tombstones(self.rsvp_documents, self._outbox, user_id)

    async def taken_seats(self, event_id: str) -> set[int]:
        """The numbers of the places taken."""
        found = await self.seat_documents.find({"event_id": event_id}, {"n": 1}).to_list()
        return {int(doc["n"]) for doc in found}

    async def claim_seat(self, event_id: str, n: int, user_id: str, at: datetime) -> bool:
        """An exclusive insert of place ``n``."""
        doc = {"_id": seat_key(event_id, n), "event_id": event_id, "n": n,
               "user_id": user_id, "at": at}  # fmt: skip
        return await insert_once(self.seat_documents, doc)

    async def release_seats(self, event_id: str, seats: list[int]) -> None:
        """Free these places (by ``_id``)."""
        for n in seats:
            await self.seat_documents.delete_one({"_id": seat_key(event_id, n)})

    async def seats(self, event_id: str) -> list[Document]:
        """The places taken."""
        return await self.seat_documents.find({"event_id": event_id}).to_list()

    async def seats_of(self, event_id: str, user_id: str) -> list[int]:
        """The places a person holds."""
        found = await self.seat_documents.find({"event_id": event_id, "user_id": user_id}).to_list()
        return sorted(int(doc["n"]) for doc in found)

    async def claim_once(self, key: str, at: datetime) -> bool:
        """An exclusive claim in the write claims (purged by housekeeping after a day)."""
        claim_id = f"calendar:{key}"
        if await insert_once(self._claims, {"_id": claim_id, "at": at}):
            return True
        held = await self._claims.find_one({"_id": claim_id})
        if held is not None and at - as_utc(held["at"]) < STALE_CLAIM:
            return False
        await self._claims.delete_one(
            {"_id": claim_id, "at": held["at"]} if held else {"_id": claim_id}
        )
        return await insert_once(self._claims, {"_id": claim_id, "at": at})

    async def release_claim(self, key: str) -> None:
        """Give a claim up."""
        await self._claims.delete_one({"_id": f"calendar:{key}"})

    async def create_reminder(self, doc: Document, events: list[Any]) -> bool:
        """Insert a reminder's effect with its event."""
        return await self._reminders.create(doc, events)

    async def reminders(self, event_id: str) -> list[Document]:
        """The reminders of a calendar event."""
        return await self.reminder_documents.find({"event_id": event_id}).to_list()

    async def shed_reminder(self, reminder_id: str) -> None:
        """A versioned write keeps only the unsent events: the sent ones leave."""
        await self._reminders.change(reminder_id, lambda doc: Change(set={"shed": True}))

    async def feed(self, secret_hash: str) -> Document | None:
        """A personal feed by its secret's hash."""
        return await self.feeds.find_one({"_id": secret_hash})

    async def replace_feed(self, user_id: str, secret_hash: str, at: datetime) -> None:
        """The new feed first, then the person's others go."""
        await self.feeds.insert_one({"_id": secret_hash, "user_id": user_id, "created_at": at})
        await self.feeds.delete_many({"user_id": user_id, "_id": {"$ne": secret_hash}})

    async def delete_feeds(self, user_id: str) -> int:
        """Revoke a person's feeds."""
        return (await self.feeds.delete_many({"user_id": user_id})).deleted_count
