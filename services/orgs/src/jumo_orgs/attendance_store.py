"""Attendance: check-ins (with their hours and the volunteer's answer) and one-time check-in
codes. Protocol, MongoDB implementation, indexes.

Collections::

    check_ins            {_id: "<application>:<session>"} — one per application and session,
                         by an exclusive insert (a second check-in finds it there): application_id,
                         opportunity_id, org_id, volunteer_id, session (a slot id, or a date
                         YYYY-MM-DD of a recurring/ongoing opportunity), starts_at, ends_at
                         (the session's, when known), snapshot {title, causes, org_name},
                         checked_in_by, checked_in_at, via (org | code); then hours, attested_by,
                         attested_at; answer (confirmed | disputed), answered_at,
                         dispute_reason; version; pending volunteering.* in _outbox. An erased
                         volunteer's check-in is an anonymous tombstone (erased: true, no
                         volunteer, nobody's ids, hours only if they were attested) kept for
                         the organization's figures.
    check_in_codes       {_id: sha256 of "<opportunity>:<code>"} (never the code itself):
                         application_id, opportunity_id, volunteer_id, session, created_at,
                         expires_at.
    check_in_code_uses   {_id: the code's hash, at, volunteer_id}: single use, by an exclusive
                         insert.

Hours, confirmations and disputes are writes of the check-in through VersionedDocuments; every
figure is counted from these documents at read time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from jumo_common.events import Envelope
from jumo_common.mongo import ASCENDING, Collection, Database, Document, IndexSpec, insert_once
from jumo_common.outbox import Outbox, Plan, VersionedDocuments, Written

INDEXES = (
    IndexSpec("check_ins", (("volunteer_id", ASCENDING),)),
    IndexSpec("check_ins", (("opportunity_id", ASCENDING),)),
    IndexSpec("check_ins", (("org_id", ASCENDING),)),
    IndexSpec("check_in_codes", (("volunteer_id", ASCENDING),)),
    IndexSpec("check_in_codes", (("expires_at", ASCENDING),)),
    IndexSpec("check_in_code_uses", (("volunteer_id", ASCENDING),)),
)
OUTBOX_COLLECTIONS = ("check_ins",)


def check_in_key(application_id: str, session: str) -> str:
    """The _id of an application's check-in for one session."""
    return f"{application_id}:{session}"


class AttendanceStore(Protocol):
    """What attendance, the record and the figures need of the database."""

    async def create_check_in(self, doc: Document, events: Sequence[Envelope[Any]]) -> bool:
        """Insert a check-in; False when this application's session was checked in already."""
        ...

    async def check_in(self, check_in_id: str) -> Document | None:
        """A check-in by id."""
        ...

    async def change_check_in(self, check_in_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to a check-in (None: there is none)."""
        ...

    async def check_ins_of(self, field: str, value: str) -> list[Document]:
        """Every check-in whose ``field`` (volunteer_id, opportunity_id, org_id) is ``value``."""
        ...

    async def add_code(self, doc: Document) -> bool:
        """Keep a check-in code (by its hash); False when that hash is taken."""
        ...

    async def code(self, code_hash: str) -> Document | None:
        """A check-in code by its hash."""
        ...

    async def use_code(self, code_hash: str, volunteer_id: str, at: datetime) -> bool:
        """Spend a code: True for the one caller that did."""
        ...

    async def purge_codes(self, before: datetime) -> int:
        """Delete the codes (and their uses) that expired before ``before``."""
        ...

    async def forget_codes(self, volunteer_id: str) -> int:
        """Delete a volunteer's codes and code uses; how many documents went."""
        ...


class MongoAttendanceStore:
    """Attendance in MongoDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self._check_ins = VersionedDocuments(db["check_ins"], outbox, claims)
        self._codes: Collection = db["check_in_codes"]
        self._uses: Collection = db["check_in_code_uses"]

    async def create_check_in(self, doc: Document, events: Sequence[Envelope[Any]]) -> bool:
        return await self._check_ins.create(doc, events)

    async def check_in(self, check_in_id: str) -> Document | None:
        return await self._check_ins.get(check_in_id)

    async def change_check_in(self, check_in_id: str, plan: Plan) -> Written | None:
        return await self._check_ins.change(check_in_id, plan)

    async def check_ins_of(self, field: str, value: str) -> list[Document]:
        return await self._check_ins.collection.find({field: value}).to_list()

    async def add_code(self, doc: Document) -> bool:
        return await insert_once(self._codes, doc)

    async def code(self, code_hash: str) -> Document | None:
        return await self._codes.find_one({"_id": code_hash})

    async def use_code(self, code_hash: str, volunteer_id: str, at: datetime) -> bool:
        return await insert_once(self._uses, {"_id": code_hash, "volunteer_id": volunteer_id,
                                              "at": at})  # fmt: skip

    async def purge_codes(self, before: datetime) -> int:
        expired = await self._codes.find({"expires_at": {"$lt": before}}, {"_id": 1}).to_list()
        hashes = [doc["_id"] for doc in expired]
        if not hashes:
            return 0
        await self._uses.delete_many({"_id": {"$in": hashes}})
        return (await self._codes.delete_many({"_id": {"$in": hashes}})).deleted_count

    async def forget_codes(self, volunteer_id: str) -> int:
        gone = 0
        for collection in (self._codes, self._uses):
            gone += (await collection.delete_many({"volunteer_id": volunteer_id})).deleted_count
        return gone
