"""Write claims against the real server (FerretDB locally): a claim that goes stale while its
holder is only slow is skipped, and then its holder must not write — one exclusive insert
decides between the two — so a slow writer never writes over a later version (found by orgs'
100 concurrent toggles under load: four answers said "changed", three events were published).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import UserUpdated
from jumo_common.mongo import (
    STALE_CLAIM,
    WRITE_CLAIMS,
    Collection,
    Document,
    claim_next,
    purge_claims,
    seal,
)
from jumo_common.outbox import OUTBOX_FIELD, Outbox, VersionedDocuments

T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
LATER = STALE_CLAIM + dt.timedelta(seconds=1)  # the holder's claim looks stale by then


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def test_a_stale_claim_is_voided_and_its_holder_may_not_write(mongo_db: Any) -> None:
    claims: Collection = mongo_db[WRITE_CLAIMS]
    assert await claim_next(claims, "k", 0, T0) == 1
    assert await claim_next(claims, "k", 0, T0 + STALE_CLAIM / 2) is None  # held
    assert await claim_next(claims, "k", 0, T0 + LATER) == 2  # skipped as stale: voided
    assert not await seal(claims, "k", 1, T0 + LATER)  # its slow holder must not write
    assert await seal(claims, "k", 2, T0 + LATER)


async def test_a_sealed_claim_is_never_taken_over(mongo_db: Any) -> None:
    claims: Collection = mongo_db[WRITE_CLAIMS]
    assert await claim_next(claims, "k", 0, T0) == 1
    assert await seal(claims, "k", 1, T0)  # its holder is writing it
    for late in (LATER, LATER * 100):
        assert await claim_next(claims, "k", 0, T0 + late) is None
    assert await claim_next(claims, "k", 1, T0 + LATER) == 2  # once written, the next one


class SlowOutbox(Outbox):
    """A real outbox whose writer stalls, once claimed, until ``go`` is set (a loaded machine)."""

    def __init__(self, db: Any, collections: list[str]) -> None:
        super().__init__(db, collections)
        self.claimed, self.go = asyncio.Event(), asyncio.Event()

    async def pending(self, collection: Collection, doc: Document) -> list[dict[str, Any]]:
        self.claimed.set()
        await self.go.wait()
        return await super().pending(collection, doc)


def renamed(name: str) -> Envelope[UserUpdated]:
    return make_event(UserUpdated(user_id="a", display_name=name), producer="t", subject_id="a")


def rename(name: str) -> Any:
    def plan(_doc: Document) -> Change:
        return Change(set={"name": name}, events=(renamed(name),))

    return plan


async def race_a_slow_writer(mongo_db: Any, *, purge: bool) -> Document:
    """A writer claims version 2 and stalls; another, past the claim's staleness, writes; the
    first goes on (after every claim was purged, with ``purge``). The document, in the end."""
    things, claims = mongo_db.things, mongo_db[WRITE_CLAIMS]
    slow = SlowOutbox(mongo_db, ["things"])
    holder = VersionedDocuments(things, slow, claims)
    later = VersionedDocuments(
        things, Outbox(mongo_db, ["things"]), claims, clock=lambda: now() + LATER
    )
    assert await holder.create({"_id": "a", "name": "Ann"}, [renamed("Ann")])
    stalled = asyncio.create_task(holder.change("a", rename("Slow")))
    await asyncio.wait_for(slow.claimed.wait(), 10)
    written = await later.change("a", rename("Fast"))
    assert written is not None
    assert written.version == 3  # version 2 skipped: its claim looked stale
    if purge:
        await purge_claims(claims, now() + LATER * 2)
    slow.go.set()
    slowed = await asyncio.wait_for(stalled, 10)
    assert slowed is not None
    assert slowed.version == 4  # it read again and wrote after the fast one
    doc: Document | None = await things.find_one({"_id": "a"})
    assert doc is not None
    return doc


def names_in_outbox(doc: Document) -> list[str]:
    return [e["data"]["display_name"] for e in doc.get(OUTBOX_FIELD) or []]


async def test_a_writer_slower_than_its_claim_writes_after_the_one_that_skipped_it(
    mongo_db: Any,
) -> None:
    doc = await race_a_slow_writer(mongo_db, purge=False)
    assert (doc["name"], doc["version"]) == ("Slow", 4)
    assert names_in_outbox(doc) == ["Ann", "Fast", "Slow"]  # no event lost (nothing sent yet)


async def test_a_writer_slower_than_the_claims_retention_writes_nothing_stale(
    mongo_db: Any,
) -> None:
    doc = await race_a_slow_writer(mongo_db, purge=True)  # its seal then succeeds: the
    assert (doc["name"], doc["version"]) == ("Slow", 4)  # update's version filter stops it
    assert names_in_outbox(doc) == ["Ann", "Fast", "Slow"]
