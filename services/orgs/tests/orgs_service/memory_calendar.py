"""``CalendarStore`` in memory (the contract suite runs over it and the MongoDB one)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.mongo import STALE_CLAIM, Document, PageResult
from jumo_common.outbox import Plan, UpsertPlan, Written
from jumo_common.scheduler import JobStore
from jumo_common.testing.memory import MemoryDocuments, PublishedEvents, page_of
from jumo_common.testing.scheduler import MemoryJobs
from jumo_orgs.calendar_store import EVENT_PAGE_SORT, rsvp_key


class MemoryCalendarStore:
    """Calendar events, RSVPs, places, reminders and feeds in memory."""

    def __init__(self, published: PublishedEvents) -> None:
        self.published = published
        self.events = MemoryDocuments(published)
        self.rsvp_documents = MemoryDocuments(published)
        self.reminder_documents = MemoryDocuments(published)
        self.seats_taken: dict[tuple[str, int], dict[str, Any]] = {}
        self.claims: dict[str, datetime] = {}
        self.feeds: dict[str, dict[str, Any]] = {}
        self.jobs: JobStore = MemoryJobs(published)

    async def event(self, event_id: str) -> Document | None:
        return await self.events.get(event_id)

    async def create_event(self, doc: Document, events: list[Any]) -> bool:
        return await self.events.create(doc, events)

    async def change_event(self, event_id: str, plan: Plan) -> Written | None:
        return await self.events.change(event_id, plan)

    async def events_page(self, org_id: str, *, limit: int, cursor: str | None) -> PageResult:
        theirs = [d for d in self.events.documents.values() if d["org_id"] == org_id]
        return page_of(theirs, EVENT_PAGE_SORT, limit=limit, cursor=cursor)

    async def rsvp(self, event_id: str, user_id: str) -> Document | None:
        return await self.rsvp_documents.get(rsvp_key(event_id, user_id))

    async def change_rsvp(self, event_id: str, user_id: str, plan: UpsertPlan) -> Written:
        return await self.rsvp_documents.upsert(rsvp_key(event_id, user_id), plan)

    async def rsvps(self, event_id: str, status: str) -> list[Document]:
        found = [
            copy.deepcopy(d)
            for d in self.rsvp_documents.documents.values()
            if d.get("event_id") == event_id and d.get("status") == status
        ]
        return sorted(found, key=lambda d: (d.get("waiting_since") or d["since"], d["_id"]))

    async def rsvps_of(self, user_id: str) -> list[Document]:
        docs = self.rsvp_documents.documents.values()
        return [
            copy.deepcopy(d) for d in docs if d.get("user_id") == user_id and not d.get("deleted")
        ]

    async def purge_forgotten(self, user_id: str | None = None) -> int:
        # Every event is published at once here, so every tombstone is done with.
        docs = self.rsvp_documents.documents
        gone = [k for k, d in docs.items() if d.get("deleted")
                and (user_id is None or d.get("user_id") == user_id)]  # fmt: skip
        for key in gone:
            del docs[key]
        return len(gone)

    async def taken_seats(self, event_id: str) -> set[int]:
        return {n for (e, n) in self.seats_taken if e == event_id}

    async def claim_seat(self, event_id: str, n: int, user_id: str, at: datetime) -> bool:
        if (event_id, n) in self.seats_taken:
            return False
        self.seats_taken[(event_id, n)] = {"user_id": user_id, "at": at}
        return True

    async def release_seats(self, event_id: str, seats: list[int]) -> None:
        for n in seats:
            self.seats_taken.pop((event_id, n), None)

    async def seats(self, event_id: str) -> list[Document]:
        return [{"n": n, **copy.deepcopy(s)} for (e, n), s in self.seats_taken.items()
                if e == event_id]  # fmt: skip

    async def seats_of(self, event_id: str, user_id: str) -> list[int]:
        return sorted(n for (e, n), s in self.seats_taken.items()
                      if e == event_id and s["user_id"] == user_id)  # fmt: skip

    async def claim_once(self, key: str, at: datetime) -> bool:
        held = self.claims.get(key)
        if held is not None and at - held < STALE_CLAIM:
            return False
        self.claims[key] = at
        return True

    async def release_claim(self, key: str) -> None:
        self.claims.pop(key, None)

    async def create_reminder(self, doc: Document, events: list[Any]) -> bool:
        return await self.reminder_documents.create(doc, events)

    async def reminders(self, event_id: str) -> list[Document]:
        docs = self.reminder_documents.documents.values()
        return [copy.deepcopy(d) for d in docs if d["event_id"] == event_id]

    async def shed_reminder(self, reminder_id: str) -> None:
        await self.reminder_documents.change(reminder_id, lambda doc: Change(set={"shed": True}))

    async def feed(self, secret_hash: str) -> Document | None:
        found = self.feeds.get(secret_hash)
        return copy.deepcopy(found) if found else None

    async def replace_feed(self, user_id: str, secret_hash: str, at: datetime) -> None:
        self.feeds = {k: v for k, v in self.feeds.items() if v["user_id"] != user_id}
        self.feeds[secret_hash] = {"_id": secret_hash, "user_id": user_id, "created_at": at}

    async def delete_feeds(self, user_id: str) -> int:
        before = len(self.feeds)
        self.feeds = {k: v for k, v in self.feeds.items() if v["user_id"] != user_id}
        return before - len(self.feeds)
