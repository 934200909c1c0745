"""What notifier keeps of other services' data: people (identity's ``user.*``), organizations
and their people, follows and causes (orgs' events), and erasure (``user.deleted``).

Each projection is kept at the highest version (or per-pair ``seq``) seen, so events out of
order never undo later ones; an erased person's tombstone keeps late events from bringing them
back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from jumo_common.events import Envelope
from jumo_common.events.identity import UserDeleted, UserRegistered, UserUpdated
from jumo_common.events.orgs import (
    CauseJoined,
    CauseLeft,
    OrgCreated,
    OrgFollowChanged,
    OrgFollowed,
    OrgMemberAdded,
    OrgMemberRemoved,
    OrgUnfollowed,
    OrgUpdated,
)
from jumo_common.logging import get_logger
from jumo_common.mongo import insert_once
from jumo_notifier.preferences import sharing_joins
from jumo_notifier.store import NotifierStore

log = get_logger(__name__)


class Projections:
    """The handlers that keep notifier's projections."""

    def __init__(self, store: NotifierStore) -> None:
        self.store = store
        # Other areas' ``forget(user_id)`` (their own collections), run by ``forget``.
        self.also_forget: list[Callable[[str], Awaitable[None]]] = []

    async def on_registered(self, event: Envelope[UserRegistered]) -> None:
        """A new person; their sign-up choice to show their joins on Facebook becomes their
        preference (notifier owns it from then on)."""
        data = event.data
        fields: dict[str, Any] = {"name": data.display_name, "locale": data.locale}
        email = getattr(data, "email", None)
        if email:
            fields["email"] = email
        if not await self.store.save_person(data.user_id, fields, 0):
            # Already projected (by another queue, or a redelivery) or erased. The opt-in is
            # still written when missing: the other queue may not have written it yet, and a
            # channel deciding now must see it.
            person = await self.store.person(data.user_id)
            if person is None or person.get("erased"):
                return
        if getattr(data, "share_joins", False):
            # Exclusive: both queues may get here at once, and a choice made since stays.
            chosen = {"_id": data.user_id, **sharing_joins().model_dump(mode="json")}
            await insert_once(self.store.preferences, chosen)

    async def on_updated(self, event: Envelope[UserUpdated]) -> None:
        """A changed profile: name, contact email and what matches opportunities to them."""
        data = event.data
        fields: dict[str, Any] = {
            "name": data.display_name,
            "skills": list(data.skills),
            "interests": list(data.interests),
            "location": data.location,
            "place": data.place.model_dump() if data.place else None,
            "radius_km": data.radius_km,
        }
        email = getattr(data, "email", None)
        if email is not None:
            fields["email"] = email
        await self.store.save_person(data.user_id, fields, data.version or 1)

    async def forget(self, event: Envelope[UserDeleted]) -> None:
        """Erase a person: their notifications, preferences, blocks, Page links' traces and
        projections; a tombstone stays (idempotent)."""
        user_id = event.data.user_id
        # The tombstone first: a projection handler racing this one checks it after its write
        # (``_keep_unless_erased``), so whatever it wrote is deleted by one side or the other.
        await self.store.erase_person(user_id)
        await self.store.forget(user_id)
        for forget in self.also_forget:
            await forget(user_id)
        log.info("person erased from notifier")

    # -- organizations ----------------------------------------------------------------------

    async def on_org_created(self, event: Envelope[OrgCreated]) -> None:
        """An organization's name (its creator becomes its owner through org.member_added)."""
        data = event.data
        await self.store.save_org(data.org.org_id, {"name": data.org.name, "slug": data.org.slug},
                                  data.version)  # fmt: skip

    async def on_org_updated(self, event: Envelope[OrgUpdated]) -> None:
        """An organization's new name."""
        data = event.data
        await self.store.save_org(data.org.org_id, {"name": data.org.name, "slug": data.org.slug},
                                  data.version)  # fmt: skip

    async def on_member_added(self, event: Envelope[OrgMemberAdded]) -> None:
        """A person runs an organization (or changed role)."""
        data = event.data
        await self._keep_unless_erased(
            data.user_id,
            lambda: self.store.save_member(data.org_id, data.user_id, data.role, data.seq),
        )

    async def on_member_removed(self, event: Envelope[OrgMemberRemoved]) -> None:
        """A person no longer runs an organization."""
        data = event.data
        await self._keep_unless_erased(
            data.user_id, lambda: self.store.save_member(data.org_id, data.user_id, None, data.seq)
        )

    async def on_followed(self, event: Envelope[OrgFollowed] | Envelope[OrgFollowChanged]) -> None:
        """A follower's settings of an organization."""
        data = event.data
        settings = data.settings.model_dump()
        await self._keep_unless_erased(
            data.user_id,
            lambda: self.store.save_follow(data.org_id, data.user_id, settings, data.seq),
        )

    async def on_unfollowed(self, event: Envelope[OrgUnfollowed]) -> None:
        """A follower left an organization."""
        data = event.data
        await self._keep_unless_erased(
            data.user_id, lambda: self.store.save_follow(data.org_id, data.user_id, None, data.seq)
        )

    async def on_cause(self, event: Envelope[CauseJoined] | Envelope[CauseLeft]) -> None:
        """Who is in which cause (opportunities are proposed by cause)."""
        data = event.data
        joined = isinstance(data, CauseJoined)
        await self._keep_unless_erased(
            data.user_id, lambda: self.store.save_cause(data.cause, data.user_id, joined, data.seq)
        )

    async def _keep_unless_erased(
        self, user_id: str, write: Callable[[], Awaitable[object]]
    ) -> None:
        """Run ``write`` (a row naming ``user_id``) unless the person left Jumo, and undo it if
        they left meanwhile. orgs' erasure publishes its own events after user.deleted
        (org.unfollowed, cause.left, org.member_removed for each of theirs): kept, their rows
        would name the person again for good."""
        if await self._erased(user_id):
            return
        await write()
        if await self._erased(user_id):
            await self.store.forget(user_id)  # the erasure ran between the check and the write

    async def _erased(self, user_id: str) -> bool:
        """Whether the person left Jumo (their tombstone)."""
        person = await self.store.person(user_id)
        return bool(person and person.get("erased"))
