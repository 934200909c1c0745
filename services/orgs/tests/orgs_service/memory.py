"""orgs' stores in memory, for use-case tests that need no servers.

``memory_deps()`` builds the same ``Deps`` the app builds, over one memory store per area; every
event a write carries lands in ``published`` at once, as if the relay had sent it. Each area's
twin lives in ``memory_<area>.py``, and a contract suite runs it beside the MongoDB store.
"""

from __future__ import annotations

from jumo_common.testing.memory import PublishedEvents
from jumo_orgs.deps import Deps, deps_of
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.store import Stores

from .memory_applications import MemoryApplicationStore, MemorySeatStore
from .memory_calendar import MemoryCalendarStore
from .memory_causes import MemoryCauseStore
from .memory_follows import MemoryFollowStore
from .memory_matching import MemoryCandidateStore, MemoryInvitationStore
from .memory_moderation import MemoryModerationStore
from .memory_opportunities import MemoryOpportunityStore
from .memory_orgs import MemoryOrgStore
from .memory_people import MemoryPeopleStore
from .memory_posts import MemoryPostStore
from .memory_record import MemoryAttendanceStore, MemorySigningKeyStore
from .memory_reviews import MemoryReviewStore
from .memory_search import MemorySearchStore


def memory_stores(published: PublishedEvents) -> Stores:
    """One memory store per area, all writing their events to ``published``."""
    orgs = MemoryOrgStore(published)  # causes and follows read its organizations
    people = MemoryPeopleStore(published)  # matching's index reads it
    return Stores(
        people=people,
        calendar=MemoryCalendarStore(published),
        orgs=orgs,
        causes=MemoryCauseStore(published, orgs),
        follows=MemoryFollowStore(published, orgs),
        posts=MemoryPostStore(published),
        reviews=MemoryReviewStore(published),
        moderation=MemoryModerationStore(published),
        search=MemorySearchStore(orgs.orgs),
        opportunities=MemoryOpportunityStore(published, orgs.orgs),
        applications=MemoryApplicationStore(published),
        seats=MemorySeatStore(),
        attendance=MemoryAttendanceStore(published),
        signing=MemorySigningKeyStore(),
        candidates=MemoryCandidateStore(people),
        invitations=MemoryInvitationStore(published),
    )


def memory_deps(published: PublishedEvents | None = None) -> tuple[Deps, PublishedEvents]:
    """The deps of an orgs instance in memory, and the list its events land in."""
    events = published if published is not None else PublishedEvents()
    settings = OrgsSettings(
        mongo_url="mongodb://memory.invalid/", amqp_url="amqp://memory.invalid/"
    )
    return deps_of(settings, memory_stores(events)), events
