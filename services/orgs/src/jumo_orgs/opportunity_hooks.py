"""What the opportunities area asks of the applications area, and tells it.

- ``TakenPlaces``: how many places of each slot accepted applications hold (the applications
  area counts its seats; ``remaining = places - taken``). Until it is wired in, ``NoneTaken``
  answers zeros.
- ``PlacesAdded``: observers told when a slot gained places (an edit), so that the waiting
  list's first people are promoted. ``Opportunities.on_places_added`` holds them.

Wire both in ``app.build_orgs``::

    orgs.opportunities.taken = applications            # has ``async def taken(opp_id)``
    orgs.opportunities.on_places_added.append(applications.places_added)
"""

from __future__ import annotations

from typing import Protocol

from jumo_orgs.opportunity_model import Opportunity


class TakenPlaces(Protocol):
    """The places accepted applications hold, per slot of an opportunity."""

    async def taken(self, opportunity_id: str) -> dict[str, int]:
        """{slot id: places taken} (a slot absent has none taken)."""
        ...


class NoneTaken:
    """``TakenPlaces`` before the applications area answers: nothing is taken."""

    async def taken(self, opportunity_id: str) -> dict[str, int]:
        """No slot has places taken."""
        return {}


class PlacesAdded(Protocol):
    """Told after an edit gave a slot more places (the opportunity as it is now)."""

    async def __call__(self, opportunity: Opportunity, slot_id: str, added: int) -> None:
        """React to ``added`` new places in ``slot_id``."""
        ...
