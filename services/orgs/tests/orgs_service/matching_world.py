"""A world of matching on the memory stores: organizations, opportunities, people with
profiles (from identity's events), and matching's use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jumo_common.events import make_event
from jumo_common.events.identity import UserRegistered, UserUpdated
from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.testing.memory import PublishedEvents
from jumo_common.web import validate
from jumo_orgs.applications import Applications
from jumo_orgs.deps import Deps
from jumo_orgs.matching import Matching
from jumo_orgs.opportunity_invitations import Invitations
from jumo_orgs.schemas.matching import (
    CandidatesPage,
    CandidatesQuery,
    RecommendedPage,
    RecommendedQuery,
)
from jumo_orgs.stats import OrgStats

from .community import NOW, principal
from .opportunities_samples import OppWorld, draft


@dataclass
class MatchWorld:
    """Organizations, opportunities, people with profiles, and matching's use cases."""

    opp: OppWorld
    matching: Matching
    applications: Applications
    invitations: Invitations

    @classmethod
    def make(cls) -> MatchWorld:
        """A fresh world in memory."""
        opp = OppWorld.make()
        deps = opp.deps
        applications = Applications(deps, opp.opportunities)
        opp.opportunities.taken = applications
        matching = Matching(deps, OrgStats(deps, opp.opportunities))
        return cls(opp, matching, applications, Invitations(deps, matching, applications))

    @property
    def deps(self) -> Deps:
        """The deps of the world."""
        return self.opp.deps

    @property
    def events(self) -> PublishedEvents:
        """Every event written so far."""
        return self.opp.events

    async def person(self, name: str = "Ann", **profile: Any) -> Principal:
        """A person orgs knows from identity's events, with ``profile`` (UserUpdated fields)."""
        who = principal()
        people = self.deps.people
        registered = UserRegistered(user_id=who.user_id, display_name=name)
        await people.on_registered(make_event(registered, producer="identity"))
        await self.profile(who, name, **profile)
        return who

    async def profile(self, who: Principal, name: str = "Ann", **profile: Any) -> None:
        """A newer profile of ``who``."""
        self._versions[who.user_id] = self._versions.get(who.user_id, 1) + 1
        data = UserUpdated.model_validate(
            {"user_id": who.user_id, "display_name": name, "version": self._versions[who.user_id]}
            | profile
        )
        await self.deps.people.on_updated(make_event(data, producer="identity"))

    async def published(self, org: Document, body: dict[str, Any], now: datetime = NOW) -> str:
        """An opportunity of ``org`` published at ``now``; its id."""
        editor = await self.opp.member(org)
        made = await self.opp.opportunities.create(
            org["_id"], editor, draft(body | {"publish": True}), now
        )
        return made.id

    async def recommended(self, who: Principal, **params: Any) -> RecommendedPage:
        """The caller's recommendations."""
        query = validate(RecommendedQuery, params)
        return await self.matching.recommended(who, query, NOW)

    async def candidates(
        self, opportunity_id: str, who: Principal, **params: Any
    ) -> CandidatesPage:
        """An opportunity's candidates as ``who`` sees them."""
        return await self.matching.candidates(
            opportunity_id, who, validate(CandidatesQuery, params)
        )

    _versions: dict[str, int] = field(default_factory=dict)
