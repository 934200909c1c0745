"""The people feed has heard of (identity's ``user.*``): their names render activities, their
visibility decides whether their activities reach anyone, and ``user.deleted`` erases all that
feed holds of them: their timeline, their place in every follower set, their activities, their
reader state; a tombstone keeps late events from bringing any of it back.
"""

from __future__ import annotations

from jumo_common.events import Envelope
from jumo_common.events.identity import UserDeleted, UserRegistered, UserUpdated
from jumo_common.logging import get_logger
from jumo_feed.deps import Deps
from jumo_feed.model import person_source

log = get_logger(__name__)


class People:
    """The person projection, and erasure."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def on_registered(self, event: Envelope[UserRegistered]) -> None:
        """A new person (the first version of their profile)."""
        data = event.data
        await self._save(data.user_id, data.display_name, data.visibility, 0)

    async def on_updated(self, event: Envelope[UserUpdated]) -> None:
        """A changed profile: a new name shows at once, going private hides every activity."""
        data = event.data
        await self._save(data.user_id, data.display_name, data.visibility, data.version or 0)

    async def _save(self, user_id: str, name: str, visibility: str, version: int) -> None:
        person = await self.deps.store.person(user_id)
        if person and person.get("erased"):
            return
        fields = {"name": name, "visibility": visibility}
        if not await self.deps.store.save_person(user_id, fields, version):
            return
        numbers = await self.deps.store.flag(
            {"actor": user_id}, {"actor_name": name, "private": visibility == "private"}
        )
        await self.deps.timelines.forget(numbers)

    async def forget(self, event: Envelope[UserDeleted]) -> None:
        """Erase a person from feed (idempotent: running it twice finds nothing the second time)."""
        user_id = event.data.user_id
        store, timelines = self.deps.store, self.deps.timelines
        await store.erase_person(user_id)
        for source in await store.delete_edges_of(user_id):
            await timelines.remove_follower(source, user_id)
        own = person_source(user_id)
        await store.delete_edges_to(own)
        gone = await store.delete_activities({"actor": user_id})
        await timelines.forget([int(d["number"]) for d in gone if "number" in d])
        await timelines.drop_source(own)
        await timelines.drop_timeline(user_id)
        await store.delete_reader(user_id)
        log.info("person erased from feed", activities=len(gone))
