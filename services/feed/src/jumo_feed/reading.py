"""Reading a home feed: one range of the person's timeline, merged with the large sources they
follow (not fanned out, see ``fanout.py``), the activities fetched in one batch (Redis first,
MongoDB for what the cache lacks, one read of an activity however many readers miss it at
once), flagged ones skipped, and every reason an item reached the reader. A missing timeline
(expired, or the cache was lost) is rebuilt from MongoDB first.

Cursors are activity numbers (time-ordered), so a page's cursor means the same place however
many items arrive above it. Catch-up reads everything above the reader's ``seen`` mark and
groups it by source ("Water for All posted 3 updates") or by what people did ("2 people you
follow joined Clean Water").
"""

from __future__ import annotations

import asyncio
import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from jumo_common.mongo import Document, as_utc
from jumo_feed.deps import Deps
from jumo_feed.model import (
    HIDING,
    PERSON_KINDS,
    REASON_CAUSE,
    REASON_ORG,
    REASON_PERSON,
    Activity,
    cause_name,
    reason_text,
    split_member,
)
from jumo_feed.schemas import (
    Actor,
    CatchUp,
    CatchUpGroup,
    FeedItem,
    FeedPage,
    Reason,
    encode_cursor,
)
from jumo_feed.sources import members_for, source_members

OVER_READ = 3  # entries read per wanted item: flagged items and second reasons are skipped
MAX_ROUNDS = 4


class Reading:
    """Pages, catch-up and the reader's place."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._reading: dict[int, asyncio.Task[dict[int, Activity]]] = {}  # number → its read

    async def page(self, user_id: str, *, limit: int, below: int | None) -> FeedPage:
        """A page of ``user_id``'s feed, newest first, older than ``below`` when given."""
        await self.ensure_timeline(user_id)
        items: list[FeedItem] = []
        cursor, more = below, True
        for _ in range(MAX_ROUNDS):
            wanted = (limit - len(items)) * OVER_READ + 1
            entries, more = await self._entries(user_id, below=cursor, count=wanted)
            found = await self._render(entries, user_id, limit=limit - len(items))
            items += found[: limit - len(items)]
            if len(items) >= limit or not more or not entries:
                break
            cursor = min(number for number in entries)
        more = more or len(items) >= limit
        next_cursor = items[-1].cursor if items and more else None
        return FeedPage(items=items, next_cursor=next_cursor)

    async def catch_up(self, user_id: str) -> CatchUp:
        """Everything since the reader's ``seen`` mark, grouped."""
        await self.ensure_timeline(user_id)
        seen = int((await self.deps.store.reader(user_id)).get("seen") or 0)
        entries, _ = await self._entries(
            user_id, below=None, count=self.deps.settings.timeline_cap, above=seen
        )
        items = await self._render(entries, user_id)
        groups = group(items)
        return CatchUp(
            since=encode_cursor(seen) if seen else None,
            total=len(items),
            groups=groups,
            newest=items[0].cursor if items else None,
        )

    async def mark_seen(self, user_id: str, number: int | None) -> int | None:
        """Record where the reader stopped (never backwards); the mark."""
        if number is None:  # the newest entry, a large source's merged ones included
            await self.ensure_timeline(user_id)
            entries, _ = await self._entries(user_id, below=None, count=1)
            number = max(entries, default=None)
        reader = await self.deps.store.reader(user_id)
        current = int(reader.get("seen") or 0)
        if number is not None and number > current:
            await self.deps.store.save_reader(user_id, {"seen": number})
            return number
        return current or None

    async def ensure_timeline(self, user_id: str) -> None:
        """Rebuild ``user_id``'s timeline from MongoDB when Redis has none."""
        if await self.deps.timelines.exists(user_id):
            return
        await self.deps.timelines.open_timeline(user_id)
        sources = await self.deps.store.feed_sources_of(user_id)
        documents = await self.deps.store.newest_for(sources, self.deps.settings.timeline_cap)
        followed = set(sources)
        members: dict[int, int] = {}
        for document in documents:
            for source in followed.intersection(document.get("fan", ())):
                pair = members_for(document, source)
                if pair is not None:
                    members[pair[0]] = pair[1]
        await self.deps.timelines.deliver(user_id, members)

    # -- the steps ----------------------------------------------------------------------------

    async def _entries(
        self, user_id: str, *, below: int | None, count: int, above: int = 0
    ) -> tuple[dict[int, set[int]], bool]:
        """number → reasons of the newest entries in ``(above, below)``, with the large
        sources' merged in; and whether there may be older ones."""
        timelines = self.deps.timelines
        own = await timelines.newest(user_id, below=below, count=count, above=above)
        entries: dict[int, set[int]] = defaultdict(set)
        for value, _ in own:
            number, reason = split_member(value)
            entries[number].add(reason)
        more = len(own) >= count
        large = await timelines.followed_among(user_id, await timelines.large_sources())
        for source in large:
            for value, number in await source_members(self.deps, source):
                if above < number and (below is None or number < below):
                    entries[number].add(split_member(value)[1])
        if len(entries) > count:  # the merge brought more than a page: keep the newest
            kept = sorted(entries, reverse=True)[:count]
            entries = defaultdict(set, {n: entries[n] for n in kept})
            more = True
        return dict(entries), more

    async def _render(
        self, entries: dict[int, set[int]], user_id: str, *, limit: int | None = None
    ) -> list[FeedItem]:
        """The visible items of ``entries``, newest first, the first ``limit`` of them when
        given (gone activities leave the timeline). A page reads ``OVER_READ`` entries per item
        it shows: only those shown are decoded and rendered (measured in bench/feed_read.py)."""
        numbers = sorted(entries, reverse=True)
        cached, fresh = await self._activities(numbers)
        gone = [n for n in numbers if n not in cached and n not in fresh]
        if gone:
            await self.deps.timelines.remove(user_id, [n * 8 + r for n in gone for r in entries[n]])
        items: list[FeedItem] = []
        for number in numbers:
            if limit is not None and len(items) >= limit:
                break
            activity = fresh.get(number)
            if activity is None and number in cached:
                activity = from_cache(cached[number])
            if activity is not None and activity.visible:
                items.append(render(activity, entries[number]))
        return items

    async def _activities(self, numbers: list[int]) -> tuple[dict[int, bytes], dict[int, Activity]]:
        """The cached renderings of ``numbers`` (decoded only when shown), and those the cache
        lacked, read from MongoDB and cached."""
        cached = await self.deps.timelines.cached(numbers)
        missing = [n for n in numbers if n not in cached]
        fresh: dict[int, Activity] = {}
        for task in self._reads(missing):
            fresh |= await asyncio.shield(task)  # a cancelled reader leaves the read to others
        return cached, {n: fresh[n] for n in missing if n in fresh}

    def _reads(self, numbers: list[int]) -> set[asyncio.Task[dict[int, Activity]]]:
        """The MongoDB reads that bring ``numbers``: one per number however many readers miss
        it at once. A new activity lands in thousands of timelines within a second, and every
        page shown meanwhile misses it until the first read has cached it: without this, each
        of those pages read it from MongoDB (a stall of seconds in bench/feed_read.py)."""
        new = [n for n in numbers if n not in self._reading]
        if new:
            task = asyncio.create_task(self._read(new))
            for number in new:
                self._reading[number] = task
            task.add_done_callback(functools.partial(self._read_done, new))
        return {self._reading[n] for n in numbers}

    async def _read(self, numbers: list[int]) -> dict[int, Activity]:
        fresh: dict[int, Activity] = {}
        for document in await self.deps.store.by_numbers(numbers):
            activity = from_document(document)
            fresh[activity.number] = activity
        await self.deps.timelines.cache({n: to_cache(a) for n, a in fresh.items()})
        return fresh

    def _read_done(self, numbers: list[int], task: asyncio.Task[dict[int, Activity]]) -> None:
        for number in numbers:
            if self._reading.get(number) is task:
                del self._reading[number]
        if not task.cancelled():
            task.exception()  # every reader waiting for it has it; none left: not "unretrieved"


def from_document(document: Document) -> Activity:
    """An activity as stored in MongoDB."""
    return Activity(
        key=document["_id"],
        number=int(document["number"]),
        kind=document["kind"],
        source=document["source"],
        at=as_utc(document["at"]),
        snapshot=dict(document.get("snapshot") or {}),
        org=document.get("org"),
        actor_id=document.get("actor"),
        actor_name=document.get("actor_name"),
        causes=tuple(document.get("causes") or ()),
        visible=not any(document.get(flag) for flag in HIDING),
    )


def to_cache(activity: Activity) -> bytes:
    """An activity as the Redis cache keeps it."""
    value: dict[str, Any] = {
        "key": activity.key, "number": activity.number, "kind": activity.kind,
        "source": activity.source, "at": activity.at.isoformat(), "snapshot": activity.snapshot,
        "org": activity.org, "actor_id": activity.actor_id, "actor_name": activity.actor_name,
        "causes": list(activity.causes), "visible": activity.visible,
    }  # fmt: skip
    return orjson.dumps(value)


def from_cache(value: bytes) -> Activity:
    """An activity from the Redis cache."""
    data = orjson.loads(value)
    data["at"] = datetime.fromisoformat(data["at"])
    data["causes"] = tuple(data["causes"])
    return Activity(**data)


def render(activity: Activity, reasons: Iterable[int]) -> FeedItem:
    """An item of the feed, with a reason per way it reached the reader."""
    actor = None
    if activity.actor_id is not None:
        actor = Actor(id=activity.actor_id, name=activity.actor_name)
    return FeedItem(
        id=activity.key,
        kind=activity.kind,
        at=activity.at,
        org=activity.org,
        actor=actor,
        snapshot=activity.snapshot,
        reasons=[reason(activity, r) for r in sorted(reasons)],
        cursor=encode_cursor(activity.number),
    )


def reason(activity: Activity, code: int) -> Reason:
    """One reason, with the id of what it names."""
    text = reason_text(activity, code)
    if code == REASON_ORG:
        return Reason(kind="org", text=text, source_id=activity.source[2:])
    if code == REASON_PERSON:
        return Reason(kind="person", text=text, source_id=activity.actor_id or "")
    index = code - REASON_CAUSE
    slug = activity.causes[index] if 0 <= index < len(activity.causes) else ""
    return Reason(kind="cause", text=text, source_id=slug)


# -- catch-up -----------------------------------------------------------------------------------

ORG_VERBS = {"post": ("posted", "update", "updates"),
             "opportunity": ("published", "opportunity", "opportunities"),
             "event": ("scheduled", "event", "events")}  # fmt: skip
PERSON_VERBS = {"cause_joined": "joined", "org_followed": "followed",
                "volunteered": "volunteered with", "review": "reviewed"}  # fmt: skip


def group_key(item: FeedItem) -> tuple[str, str]:
    """What an item is grouped with: its organization and kind, or what the person did."""
    if item.kind in PERSON_KINDS:
        target = str(item.snapshot.get("cause") or (item.org or {}).get("org_id") or "")
        return item.kind, target
    return item.kind, str((item.org or {}).get("org_id") or "")


def group(items: list[FeedItem]) -> list[CatchUpGroup]:
    """Catch-up's groups, the one with the newest item first."""
    grouped: dict[tuple[str, str], list[FeedItem]] = {}
    for item in items:
        grouped.setdefault(group_key(item), []).append(item)
    return [CatchUpGroup(text=group_text(members), kind=members[0].kind, count=len(members),
                         items=members) for members in grouped.values()]  # fmt: skip


def group_text(members: list[FeedItem]) -> str:
    """The sentence of a group."""
    first, count = members[0], len(members)
    org = str((first.org or {}).get("name") or "An organization")
    if first.kind in ORG_VERBS:
        verb, one, many = ORG_VERBS[first.kind]
        return f"{org} {verb} {count} {one if count == 1 else many}"
    names = sorted({m.actor.name or "Someone" for m in members if m.actor})
    who = names[0] if len(names) == 1 else f"{len(names)} people you follow"
    if first.kind == "cause_joined":
        target = cause_name(str(first.snapshot.get("cause", "")))
    else:
        target = str((first.org or {}).get("name") or "an organization")
    return f"{who} {PERSON_VERBS[first.kind]} {target}"
