"""What the opportunities tests share: request bodies of each commitment, and a world of
organizations and their people on the memory stores with the opportunities use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.testing.memory import PublishedEvents
from jumo_common.web import validate
from jumo_orgs.deps import Deps
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.schemas.opportunities import OpportunityDraft, OpportunityPatch

from .community import NOW, World

LYON = {"address": "1 place Bellecour", "city": "Lyon", "country": "FR", "lat": 45.7578,
        "lng": 4.8320}  # fmt: skip


def iso(at: datetime) -> str:
    """A timestamp as a JSON body carries it."""
    return at.isoformat()


def one_off_body(base: datetime = NOW, **fields: Any) -> dict[str, Any]:
    """A one-off opportunity with two slots, three days on, in Lyon."""
    day = base + timedelta(days=3)
    later = day + timedelta(days=1)
    slots = [
        {"starts_at": iso(day), "ends_at": iso(day + timedelta(hours=3)), "places": 2},
        {"starts_at": iso(later), "ends_at": iso(later + timedelta(hours=3)), "places": 3},
    ]
    body: dict[str, Any] = {
        "title": "Food bank sorting", "description": "Sort and pack food parcels with us.",
        "causes": ["education"], "skills_wanted": ["Cuisine", "Premiers Secours"],
        "skills_required": ["Manutention"], "commitment": {"kind": "one_off", "slots": slots},
        "time_zone": "Europe/Paris", "place": dict(LYON), "remote": False, "minimum_age": 16,
        "prerequisites": ["Closed shoes"],
        "questions": [{"text": "Why do you want to help?", "required": True}],
        "deadline": iso(base + timedelta(days=2)),
    }  # fmt: skip
    return body | fields


def recurring_body(base: datetime = NOW, **fields: Any) -> dict[str, Any]:
    """Saturday and Sunday mornings for a month, from a week on."""
    start = (base + timedelta(days=7)).date()
    commitment = {"kind": "recurring", "days": ["sun", "sat"], "start_time": "09:00",
                  "end_time": "12:00", "hours_per_session": 3, "starts_on": start.isoformat(),
                  "ends_on": (start + timedelta(days=30)).isoformat(), "places": 6}  # fmt: skip
    return one_off_body(base, commitment=commitment, deadline=None) | fields


def ongoing_body(base: datetime = NOW, **fields: Any) -> dict[str, Any]:
    """Remote help whenever."""
    body = one_off_body(base, commitment={"kind": "ongoing", "places": 10}, place=None,
                        remote=True, deadline=None)  # fmt: skip
    return body | fields


def draft(body: dict[str, Any]) -> OpportunityDraft:
    """A request body as the route parses it."""
    return validate(OpportunityDraft, body)


def patch(**fields: Any) -> OpportunityPatch:
    """A PATCH body as the route parses it."""
    return validate(OpportunityPatch, fields)


@dataclass
class OppWorld:
    """Organizations, their people and the opportunities use cases, in memory."""

    community: World
    opportunities: Opportunities

    @classmethod
    def make(cls) -> OppWorld:
        """A fresh world in memory."""
        community = World.make()
        return cls(community, Opportunities(community.deps))

    @property
    def deps(self) -> Deps:
        """The deps of the world."""
        return self.community.deps

    @property
    def events(self) -> PublishedEvents:
        """Every event written so far."""
        return self.community.events

    async def org(self, slug: str = "food-bank", **fields: Any) -> Document:
        """A new organization (verified unless ``status`` says otherwise)."""
        return await self.community.org(slug, **fields)

    async def member(self, org: Document, role: str = "editor") -> Principal:
        """A new person with ``role`` in ``org``."""
        return await self.community.member(org, role)
