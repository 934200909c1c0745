"""The follow graph feed needs, projected from the events of identity and orgs: who wants which
source in their feed. Each pair is kept at its highest ``seq`` (a late ``followed`` cannot undo
a later ``unfollowed``); when a pair changes, its Redis follower set changes, and the person's
timeline gains the source's newest activities (following) or loses them all (unfollowing,
muting with ``in_feed: false``, leaving a cause).
"""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from typing import Any

from jumo_common.events import Envelope
from jumo_common.events.identity import UserFollowed, UserUnfollowed
from jumo_common.events.orgs import (
    CauseJoined,
    CauseLeft,
    OrgFollowChanged,
    OrgFollowed,
    OrgUnfollowed,
)
from jumo_common.logging import get_logger
from jumo_feed.deps import Deps
from jumo_feed.model import cause_source, org_source, person_source
from jumo_feed.sources import source_members

log = get_logger(__name__)
LOAD_CHUNK = 1000


def follow_order(event: Envelope[Any]) -> float:
    """A follower's place in a source's follow order: when they followed, in microseconds."""
    return float(int(event.occurred_at.timestamp() * 1_000_000))


class Graph:
    """The follow graph's projection and its effect on timelines."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._pair_locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def on_user_followed(self, event: Envelope[UserFollowed]) -> None:
        """A person follows a person."""
        data = event.data
        await self._apply(person_source(data.followee_id), data.follower_id, data.seq,
                          following=True, in_feed=True, order=follow_order(event))  # fmt: skip

    async def on_user_unfollowed(self, event: Envelope[UserUnfollowed]) -> None:
        """A person stops following a person."""
        data = event.data
        await self._apply(person_source(data.followee_id), data.follower_id, data.seq,
                          following=False, in_feed=False, order=follow_order(event))  # fmt: skip

    async def on_org_followed(self, event: Envelope[OrgFollowed]) -> None:
        """A person follows an organization (``in_feed`` false: not in their feed)."""
        data = event.data
        await self._apply(org_source(data.org_id), data.user_id, data.seq, following=True,
                          in_feed=data.settings.in_feed, order=follow_order(event))  # fmt: skip

    async def on_org_follow_changed(self, event: Envelope[OrgFollowChanged]) -> None:
        """A follow's settings changed: muting takes the organization out of the feed."""
        data = event.data
        await self._apply(org_source(data.org_id), data.user_id, data.seq, following=True,
                          in_feed=data.settings.in_feed, order=follow_order(event))  # fmt: skip

    async def on_org_unfollowed(self, event: Envelope[OrgUnfollowed]) -> None:
        """A person stops following an organization."""
        data = event.data
        await self._apply(org_source(data.org_id), data.user_id, data.seq,
                          following=False, in_feed=False, order=follow_order(event))  # fmt: skip

    async def on_cause_joined(self, event: Envelope[CauseJoined]) -> None:
        """A person joined a cause: its opportunities reach them if they asked for that."""
        data = event.data
        wanted = bool((await self.deps.store.reader(data.user_id)).get("cause_opportunities"))
        await self._apply(cause_source(data.cause), data.user_id, data.seq,
                          following=True, in_feed=wanted, order=follow_order(event))  # fmt: skip

    async def on_cause_left(self, event: Envelope[CauseLeft]) -> None:
        """A person left a cause."""
        data = event.data
        await self._apply(cause_source(data.cause), data.user_id, data.seq,
                          following=False, in_feed=False, order=follow_order(event))  # fmt: skip

    async def set_cause_opportunities(self, user_id: str, wanted: bool) -> None:
        """The person's preference: their causes' new opportunities in their feed, or not."""
        await self.deps.store.save_reader(user_id, {"cause_opportunities": wanted})
        edges = await self.deps.store.cause_edges_of(user_id)
        await self.deps.store.set_in_feed([e["_id"] for e in edges], wanted)
        for edge in edges:
            if wanted:
                await self.followed(edge["source"], user_id, float(edge.get("order", 0.0)))
            else:
                await self.unfollowed(edge["source"], user_id)

    async def _apply(
        self, source: str, user_id: str, seq: int, *, following: bool, in_feed: bool, order: float
    ) -> None:
        if await self._erased(user_id) or await self._erased_source(source):
            return
        # One pair's events one at a time in this process: the Redis follower set follows the
        # stored state only if the read of ``before``, the write and the sync do not interleave.
        lock = self._pair_locks.get((source, user_id))
        if lock is None:
            lock = self._pair_locks[(source, user_id)] = asyncio.Lock()
        async with lock:  # kept alive by those who hold or await it, then forgotten
            await self._apply_locked(source, user_id, seq, following, in_feed, order)

    async def _apply_locked(
        self, source: str, user_id: str, seq: int, following: bool, in_feed: bool, order: float
    ) -> None:
        before = await self.deps.store.edge(source, user_id)
        applied = await self.deps.store.apply_edge(
            source, user_id, seq, following=following, in_feed=in_feed, order=order
        )
        if not applied:
            return
        was_in = bool(before and before.get("following") and before.get("in_feed"))
        if following and in_feed:
            await self.followed(source, user_id, float((before or {}).get("order", order)))
            if was_in:
                return
        elif was_in or before is None:
            await self.unfollowed(source, user_id)

    async def followed(self, source: str, user_id: str, order: float) -> None:
        """``user_id`` gets ``source`` in their feed: its newest activities come in at once."""
        await self.deps.timelines.add_follower(source, user_id, order)
        if self.deps.settings.backfill and await self.deps.timelines.exists(user_id):
            newest = (await source_members(self.deps, source))[: self.deps.settings.backfill]
            await self.deps.timelines.deliver(user_id, dict(newest))

    async def unfollowed(self, source: str, user_id: str) -> None:
        """``user_id`` no longer gets ``source``: its entries leave their timeline."""
        await self.deps.timelines.remove_follower(source, user_id)
        if await self.deps.timelines.exists(user_id):
            members = await source_members(self.deps, source)
            await self.deps.timelines.remove(user_id, [m for m, _ in members])

    async def _erased(self, user_id: str) -> bool:
        person = await self.deps.store.person(user_id)
        return bool(person and person.get("erased"))

    async def _erased_source(self, source: str) -> bool:
        return source.startswith("u:") and await self._erased(source[2:])

    async def load_followers(self) -> int:
        """After the cache started empty: every follower set from MongoDB; how many pairs."""
        if await self.deps.timelines.graph_loaded():
            return 0
        loaded, chunk = 0, defaultdict[str, list[tuple[str, float]]](list)
        async for edge in self.deps.store.all_feed_edges():
            chunk[edge["source"]].append((edge["user"], float(edge.get("order", 0.0))))
            loaded += 1
            if loaded % LOAD_CHUNK == 0:
                await self.deps.timelines.load_followers(chunk)
                chunk.clear()
        await self.deps.timelines.load_followers(chunk)
        await self.deps.timelines.mark_graph_loaded()
        if loaded:
            log.info("follower sets loaded from MongoDB", pairs=loaded)
        return loaded
