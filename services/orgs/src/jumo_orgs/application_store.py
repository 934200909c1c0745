"""Applications to opportunities, and the claims that keep one live application per person
and slot: Protocol, MongoDB implementation, indexes.

Collections::

    applications        {_id: uuid hex, opportunity_id, org_id, slot_id, slot_key
                        "<opportunity>:<slot>", volunteer_id, status (pending | accepted |
                        declined | waitlisted | withdrawn | expired | cancelled), answers
                        [{question_id, text}], message, meets_minimum_age, submitted_at,
                        expires_at, answered_at (the organization's first answer) | absent,
                        answered_by, decline {reason, text} | absent, waitlisted_at, seat_id
                        (the place held while accepted), accepted_at, promoted, withdrawn_at,
                        expired_at, cancelled_at, updated_at, version; pending application.*
                        in _outbox. After erasure: a tombstone without the volunteer (erased:
                        true), kept for the organization's anonymous figures.
    application_claims  {_id: "<opportunity>:<slot>:<volunteer>", application_id, at}: the
                        one application a person has on a slot, by an exclusive insert;
                        deleted when it is withdrawn or expires (they may apply again), kept
                        when the organization declined or cancelled it.

The waiting list of a slot is its applications in status ``waitlisted``, ordered by
``waitlisted_at`` then ``_id`` (``WAITING``): nothing to keep in step, so nobody can be lost
from it while their application says they wait.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from jumo_common.mongo import (
    ASCENDING,
    DESCENDING,
    Collection,
    Database,
    Document,
    IndexSpec,
    PageResult,
    find_page,
    insert_once,
)
from jumo_common.outbox import Outbox, Plan, VersionedDocuments, Written

INDEXES = (
    IndexSpec("applications", (("volunteer_id", ASCENDING), ("submitted_at", DESCENDING))),
    IndexSpec("applications", (("org_id", ASCENDING), ("submitted_at", DESCENDING))),
    IndexSpec("applications", (("slot_key", ASCENDING), ("status", ASCENDING))),
    IndexSpec("applications", (("status", ASCENDING), ("expires_at", ASCENDING))),
    IndexSpec("application_claims", (("volunteer_id", ASCENDING),)),
)
OUTBOX_COLLECTIONS = ("applications",)

NEWEST = (("submitted_at", DESCENDING), ("_id", DESCENDING))
WAITING = (("waitlisted_at", ASCENDING), ("_id", ASCENDING))


def slot_key(opportunity_id: str, slot_id: str) -> str:
    """The key of one slot of one opportunity."""
    return f"{opportunity_id}:{slot_id}"


def claim_key(opportunity_id: str, slot_id: str, volunteer_id: str) -> str:
    """The _id of a person's claim on a slot."""
    return f"{opportunity_id}:{slot_id}:{volunteer_id}"


def org_filter(
    org_id: str, opportunity_id: str | None, slot_id: str | None, status: str | None
) -> Document:
    """The applications an organization's list shows (erased ones are only figures)."""
    query: Document = {"org_id": org_id, "erased": {"$ne": True}}
    if opportunity_id is not None:
        query["opportunity_id"] = opportunity_id
    if slot_id is not None:
        query["slot_id"] = slot_id
    return query if status is None else query | {"status": status}


def mine_filter(volunteer_id: str, status: str | None) -> Document:
    """A person's own applications."""
    query: Document = {"volunteer_id": volunteer_id}
    return query if status is None else query | {"status": status}


class ApplicationStore(Protocol):
    """What the use cases need of applications and their claims."""

    async def application(self, application_id: str) -> Document | None:
        """An application by id."""
        ...

    async def create(self, doc: Document, plan: Plan) -> Written | None:
        """Create an application from ``plan(doc)`` (its events carry version 1); None when
        its id is taken."""
        ...

    async def change(self, application_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an existing application (None: there is none)."""
        ...

    async def claim(self, key: str, application_id: str, volunteer_id: str, at: datetime) -> bool:
        """Claim a person's one application on a slot; False when claimed already."""
        ...

    async def claim_of(self, key: str) -> Document | None:
        """The claim on a slot of a person."""
        ...

    async def release_claim(self, key: str, application_id: str) -> bool:
        """Delete the claim if this application holds it."""
        ...

    async def forget_claims(self, volunteer_id: str) -> None:
        """Delete every claim of a person."""
        ...

    async def mine(
        self, volunteer_id: str, status: str | None, *, limit: int, cursor: str | None
    ) -> PageResult:
        """One page of a person's applications, newest first."""
        ...

    async def of_org(self, query: Document, *, limit: int, cursor: str | None) -> PageResult:
        """One page of an organization's applications (``org_filter``), newest first."""
        ...

    async def waiting(self, opportunity_id: str, slot_id: str) -> list[Document]:
        """A slot's waiting list, in its order (``WAITING``)."""
        ...

    async def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of pending applications whose answer was due by ``now``."""
        ...

    async def ids_of(self, volunteer_id: str) -> list[str]:
        """Ids of every application of a person."""
        ...

    async def all_of(self, field: str, value: str) -> list[Document]:
        """Every application whose ``field`` (org_id, opportunity_id, volunteer_id) is
        ``value`` — for figures and records, not pages."""
        ...


class MongoApplicationStore:
    """``ApplicationStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.applications: Collection = db["applications"]
        self.claims: Collection = db["application_claims"]
        self._docs = VersionedDocuments(self.applications, outbox, claims)

    async def application(self, application_id: str) -> Document | None:
        """An application by id."""
        return await self._docs.get(application_id)

    async def create(self, doc: Document, plan: Plan) -> Written | None:
        """Create an application from ``plan(doc)``; None when its id is taken."""
        written = await self._docs.upsert(doc["_id"], lambda found: None if found else plan(doc))
        return written if written.change is not None else None

    async def change(self, application_id: str, plan: Plan) -> Written | None:
        """Apply ``plan`` to an existing application (None: there is none)."""
        return await self._docs.change(application_id, plan)

    async def claim(self, key: str, application_id: str, volunteer_id: str, at: datetime) -> bool:
        """Claim a person's one application on a slot; False when claimed already."""
        claim = {"_id": key, "application_id": application_id, "volunteer_id": volunteer_id,
                 "at": at}  # fmt: skip
        return await insert_once(self.claims, claim)

    async def claim_of(self, key: str) -> Document | None:
        """The claim on a slot of a person."""
        return await self.claims.find_one({"_id": key})

    async def release_claim(self, key: str, application_id: str) -> bool:
        """Delete the claim if this application holds it."""
        result = await self.claims.delete_one({"_id": key, "application_id": application_id})
        return result.deleted_count == 1

    async def forget_claims(self, volunteer_id: str) -> None:
        """Delete every claim of a person."""
        await self.claims.delete_many({"volunteer_id": volunteer_id})

    async def mine(
        self, volunteer_id: str, status: str | None, *, limit: int, cursor: str | None
    ) -> PageResult:
        """One page of a person's applications, newest first."""
        query = mine_filter(volunteer_id, status)
        return await find_page(self.applications, query, NEWEST, limit=limit, cursor=cursor)

    async def of_org(self, query: Document, *, limit: int, cursor: str | None) -> PageResult:
        """One page of an organization's applications (``org_filter``), newest first."""
        return await find_page(self.applications, query, NEWEST, limit=limit, cursor=cursor)

    async def waiting(self, opportunity_id: str, slot_id: str) -> list[Document]:
        """A slot's waiting list, in its order (``WAITING``)."""
        query = {"slot_key": slot_key(opportunity_id, slot_id), "status": "waitlisted"}
        return await self.applications.find(query).sort(list(WAITING)).to_list(None)

    async def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of pending applications whose answer was due by ``now``."""
        query = {"status": "pending", "expires_at": {"$lte": now}}
        found = self.applications.find(query, {"_id": 1}).sort("expires_at", 1).limit(limit)
        return [doc["_id"] async for doc in found]

    async def ids_of(self, volunteer_id: str) -> list[str]:
        """Ids of every application of a person."""
        found = self.applications.find({"volunteer_id": volunteer_id}, {"_id": 1})
        return [doc["_id"] async for doc in found]

    async def all_of(self, field: str, value: str) -> list[Document]:
        """Every application whose ``field`` is ``value``."""
        return await self.applications.find({field: value}).to_list(None)
