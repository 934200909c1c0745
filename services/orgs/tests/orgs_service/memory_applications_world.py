"""A world of applications in memory: an organization, its owner, opportunities with slots,
the applications use cases over the memory stores."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.testing.memory import PublishedEvents, stored
from jumo_orgs.applications import Applications
from jumo_orgs.deps import Deps
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.opportunity_model import Opportunity, Slot, document_of

from .community import NOW, member_document, org_document, principal
from .memory import memory_deps
from .memory_applications import MemoryApplicationStore, MemorySeatStore
from .memory_opportunities import MemoryOpportunityStore
from .memory_orgs import MemoryOrgStore


@dataclass
class AppWorld:
    """An organization with an owner and an editor, opportunities, applications, in memory."""

    deps: Deps
    events: PublishedEvents
    opportunities: Opportunities
    applications: Applications
    org: Document
    owner: Principal

    @classmethod
    def make(cls) -> AppWorld:
        """A fresh world: a verified organization and its owner."""
        deps, events = memory_deps()
        opportunities = Opportunities(deps)
        org = org_document("shelter")
        world = cls(deps, events, opportunities, Applications(deps, opportunities), org,
                    principal())  # fmt: skip
        orgs = deps.stores.orgs
        assert isinstance(orgs, MemoryOrgStore)
        orgs.orgs.documents[org["_id"]] = stored(org)
        world.add_member(world.owner, "owner")
        return world

    def add_member(self, who: Principal, role: str) -> Principal:
        """Give ``who`` a role in the organization."""
        orgs = self.deps.stores.orgs
        assert isinstance(orgs, MemoryOrgStore)
        doc = member_document(self.org["_id"], who.user_id, role)
        orgs.members.documents[doc["_id"]] = stored(doc)
        return who

    async def opportunity(self, *places: int, **extra: Any) -> Opportunity:
        """An open one-off opportunity with a slot per number of places (one of 10 unless
        told), starting in 10 days."""
        counts = places or (10,)
        opp_id = uuid.uuid4().hex[:24]
        start = NOW + timedelta(days=10)
        slots = tuple(Slot(f"{opp_id}-s{i}", start, start + timedelta(hours=2), n)
                      for i, n in enumerate(counts, 1))  # fmt: skip
        fields: dict[str, Any] = {
            "id": opp_id, "org_id": self.org["_id"], "status": "open", "title": "River clean-up",
            "description": "d", "causes": ("clean-water",), "skills_wanted": (),
            "skills_required": (), "commitment": "one_off", "time_zone": "Europe/Paris",
            "place": None, "remote": True, "slots": slots, "created_at": NOW,
        }  # fmt: skip
        opp = Opportunity(**(fields | extra))
        store = self.deps.stores.opportunities
        assert isinstance(store, MemoryOpportunityStore)
        assert await store.docs.create(document_of(opp))
        return opp

    async def set_places(self, opp: Opportunity, slot_id: str, places: int) -> Opportunity:
        """Change the places of one slot (as the opportunities area would)."""
        store = self.deps.stores.opportunities
        assert isinstance(store, MemoryOpportunityStore)
        slots = [{**s, "places": places} if s["id"] == slot_id else s
                 for s in store.docs.documents[opp.id]["slots"]]  # fmt: skip
        store.docs.documents[opp.id]["slots"] = slots
        found = await self.opportunities.get(opp.id)
        assert found is not None
        return found

    @property
    def seat_store(self) -> MemorySeatStore:
        """The memory seats."""
        seats = self.deps.stores.seats
        assert isinstance(seats, MemorySeatStore)
        return seats

    @property
    def store(self) -> MemoryApplicationStore:
        """The memory applications."""
        store = self.deps.stores.applications
        assert isinstance(store, MemoryApplicationStore)
        return store
