"""What organizations ask volunteers for: opportunities (issue 9). The use cases.

``Opportunities.get(id)`` is what the other areas of volunteering (applications, the calendar,
the record, matching) read an opportunity through: the domain dataclass of
``opportunity_model``, whatever its status, without any access check (the caller checks).
"""

from __future__ import annotations

from collections.abc import Sequence

from jumo_orgs.deps import Deps
from jumo_orgs.opportunity_model import Opportunity, opportunity_of


class Opportunities:
    """Opportunities: writing them, their lifecycle, reading them."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._store = deps.stores.opportunities

    async def get(self, opportunity_id: str) -> Opportunity | None:
        """An opportunity by id, in any status (None: there is none)."""
        doc = await self._store.opportunity(opportunity_id)
        return opportunity_of(doc) if doc is not None else None

    async def get_many(self, opportunity_ids: Sequence[str]) -> dict[str, Opportunity]:
        """The opportunities of these ids that exist, by id."""
        docs = await self._store.opportunities(opportunity_ids)
        return {doc["_id"]: opportunity_of(doc) for doc in docs}
