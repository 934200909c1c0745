"""A property test of the lifecycle: random sequences of apply / accept / decline / waitlist /
withdraw / add places / cancel on one opportunity of two slots, checking after every step that

- no slot has more accepted applications than places, and each accepted one holds its own seat
  (the seats counted are the accepted applications);
- nobody is lost from a waiting list: it is exactly what it was, minus those who left it in
  this step (promoted, withdrawn, declined, accepted), plus the one just waitlisted, in order;
- promotion follows the order: those promoted in a step are the first of their slot's list;
- nobody waits while their slot has a free place.

Hypothesis drives it on the memory stores; a few seeded sequences run on the real store.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jumo_common.jwt import Principal
from jumo_common.mongo import WRITE_CLAIMS, Database, Document, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.web import validate
from jumo_orgs.applications import Applications
from jumo_orgs.deps import deps_of
from jumo_orgs.errors import OrgsError
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.opportunity_model import Opportunity, document_of
from jumo_orgs.schemas.applications import ApplicationDraft, DecisionDraft
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.store import INDEXES, OUTBOX_COLLECTIONS, mongo_stores

from .community import NOW, member_document, org_document, principal
from .memory_applications_world import AppWorld

Op = tuple[str, int, int]
# "free": an accepted volunteer withdraws (the step that promotes).
ACTIONS = (
    ("apply",) * 4
    + ("accept",) * 3
    + ("waitlist",) * 3
    + ("free",) * 2
    + ("withdraw", "decline", "cancel", "add_places")
)
PICKS = {"accept": ("pending", "waitlisted"), "waitlist": ("pending",),
         "decline": ("pending", "waitlisted"), "withdraw": ("pending", "waitlisted", "accepted"),
         "cancel": ("accepted",), "free": ("accepted",)}  # fmt: skip
ops = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 30), st.integers(0, 30)),
               max_size=40)  # fmt: skip


@dataclass
class Harness:
    """One opportunity of two slots, its organization's owner and volunteers, on some store."""

    applications: Applications
    opportunities: Opportunities
    opp: Opportunity
    owner: Principal
    set_places: Callable[[Opportunity, str, int], Awaitable[Opportunity]]
    volunteers: list[Principal] = field(default_factory=lambda: [principal() for _ in range(12)])

    async def docs(self) -> list[Document]:
        """Every application of the opportunity."""
        store = self.applications.waitlist._store
        return await store.all_of("opportunity_id", self.opp.id)


async def step(h: Harness, op: Op, now: Any) -> None:
    """One operation; a refusal (a domain error) is an outcome like any other."""
    action, a, b = op
    # Each action picks among the applications it may apply to, so most steps do something.
    docs = [d for d in sorted(await h.docs(), key=lambda d: d["_id"])
            if d["status"] in PICKS.get(action, ())]  # fmt: skip
    pick = docs[a % len(docs)] if docs else None
    reason = validate(DecisionDraft, {"reason": "other"})
    apps = h.applications
    try:
        if action == "apply":
            body = {"slot_id": h.opp.slots[b % 2].id}
            await apps.apply(h.opp.id, h.volunteers[a % 12], validate(ApplicationDraft, body), now)
        elif action == "add_places":
            slot = h.opp.slots[b % 2]
            h.opp = await h.set_places(h.opp, slot.id, slot.places + 1)
            await apps.places_added(h.opp, slot.id, 1)
        elif pick is None:
            return
        elif action in ("withdraw", "free"):
            await apps.withdraw(pick["_id"], principal(pick["volunteer_id"]), now)
        elif action in ("accept", "waitlist"):
            act = apps.accept if action == "accept" else apps.waitlist_one
            await act(pick["_id"], h.owner, now)
        else:
            act2 = apps.decline if action == "decline" else apps.cancel
            await act2(pick["_id"], h.owner, reason, now)
    except OrgsError:
        pass


def waiting_lists(docs: list[Document]) -> dict[str, list[str]]:
    """Each slot's waiting list in its order (waitlisting time, then id)."""
    lists: dict[str, list[tuple[Any, str]]] = {}
    for doc in docs:
        if doc["status"] == "waitlisted":
            lists.setdefault(doc["slot_id"], []).append((doc["waitlisted_at"], doc["_id"]))
    return {slot: [i for _, i in sorted(items)] for slot, items in lists.items()}


async def check(h: Harness, before: list[Document], after: list[Document]) -> None:
    """The invariants of the module docstring, between two steps."""
    taken = await h.applications.taken(h.opp.id)
    accepted = {s.id: [d for d in after if d["slot_id"] == s.id and d["status"] == "accepted"]
                for s in h.opp.slots}  # fmt: skip
    for slot in h.opp.slots:
        assert len(accepted[slot.id]) <= slot.places
        assert taken.get(slot.id, 0) == len(accepted[slot.id])
        assert len({d["seat_id"] for d in accepted[slot.id]}) == len(accepted[slot.id])
    was, now = waiting_lists(before), waiting_lists(after)
    status = {d["_id"]: d for d in after}
    for slot in h.opp.slots:
        old, new = was.get(slot.id, []), now.get(slot.id, [])
        left = [i for i in old if status[i]["status"] != "waitlisted"]
        promoted = [i for i in left if status[i].get("promoted")]
        assert promoted == old[: len(promoted)], "promotion follows the order"
        assert [i for i in old if i not in left] == new[: len(old) - len(left)], "nobody lost"
        assert len(new) - (len(old) - len(left)) <= 1  # at most the one just waitlisted
        if new:
            assert len(accepted[slot.id]) == slot.places, "nobody waits beside a free place"


async def run(h: Harness, sequence: list[Op]) -> None:
    """The sequence, checking the invariants after each step."""
    before = await h.docs()
    for i, op in enumerate(sequence):
        await step(h, op, NOW + timedelta(minutes=i))
        after = await h.docs()
        await check(h, before, after)
        before = after


async def memory_harness(places: tuple[int, int]) -> Harness:
    world = AppWorld.make()
    opp = await world.opportunity(*places)
    return Harness(world.applications, world.opportunities, opp, world.owner, world.set_places)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(places=st.tuples(st.integers(1, 3), st.integers(1, 3)), sequence=ops)
def test_random_lifecycles_keep_the_invariants_in_memory(
    places: tuple[int, int], sequence: list[Op]
) -> None:
    async def scenario() -> None:
        await run(await memory_harness(places), sequence)

    asyncio.run(scenario())


# ---- the real store ------------------------------------------------------------------------


async def mongo_harness(db: Database, places: tuple[int, int]) -> Harness:
    await ensure_indexes(db, INDEXES)
    settings_ = OrgsSettings(mongo_url="mongodb://unused.invalid/", amqp_url="amqp://unused/")
    deps = deps_of(settings_, mongo_stores(db, Outbox(db, OUTBOX_COLLECTIONS)))
    memory = await memory_harness(places)  # the same opportunity, written to the database
    org = org_document(f"shelter-{memory.opp.id}", _id=memory.opp.org_id)
    owner = principal()
    await db["orgs"].insert_one(org)
    await db["org_members"].insert_one(member_document(org["_id"], owner.user_id, "owner"))
    await db["opportunities"].insert_one(document_of(memory.opp) | {"version": 1})
    opportunities = Opportunities(deps)

    async def set_places(opp: Opportunity, slot_id: str, n: int) -> Opportunity:
        doc = await db["opportunities"].find_one({"_id": opp.id})
        assert doc is not None
        slots = [{**s, "places": n} if s["id"] == slot_id else s for s in doc["slots"]]
        await db["opportunities"].update_one({"_id": opp.id}, {"$set": {"slots": slots}})
        found = await opportunities.get(opp.id)
        assert found is not None
        return found

    return Harness(Applications(deps, opportunities), opportunities, memory.opp, owner,
                   set_places)  # fmt: skip


async def test_seeded_lifecycles_keep_the_invariants_on_the_real_store(mongo_db: Any) -> None:
    for seed in range(3):
        rng = random.Random(seed)
        sequence = [(rng.choice(ACTIONS), rng.randrange(30), rng.randrange(30)) for _ in range(30)]
        harness = await mongo_harness(mongo_db, (rng.randint(1, 3), rng.randint(1, 3)))
        await run(harness, sequence)
    assert await mongo_db[WRITE_CLAIMS].count_documents({}) > 0  # it did write, through claims
