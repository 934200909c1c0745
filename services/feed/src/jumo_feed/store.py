"""feed's MongoDB database: the truth every Redis key is rebuilt from.

- ``people``: the people feed has heard of (name and visibility, from identity's user.*);
  an erased person leaves ``{_id, erased: true}`` so that late events cannot bring them back.
- ``edges``: who wants which source in their feed, one document per pair
  (``_id = "<source>|<user>"``), kept at the highest ``seq`` seen (events come out of order).
- ``activities``: each activity once (``_id`` its natural key, e.g. ``post:<id>``), with the
  snapshot that renders it, its audiences (``fan``: the sources whose followers get it) and the
  flags that hide it (``model.HIDING``). ``audiences`` is a list of ``{source, reason}``
  documents: FerretDB refuses nested arrays. A flag that comes before its activity's first
  event creates it at version 0; a person's leaving of a cause is kept there too
  (``cause_left:<user>:<cause>``, its ``seq`` as version, no number).
- ``readers``: per person, where they stopped reading (``seen``) and their feed preferences.
- ``sources``: per organization, whether moderation hid it (its activities follow).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from pymongo import DESCENDING

from jumo_common.bus import PROCESSED_COLLECTION, apply_if_newer
from jumo_common.mongo import Database, Document, IndexSpec
from jumo_common.mongo.pushdown import FilterMode
from jumo_feed.model import HIDING, org_source

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("edges", (("user", 1), ("source", 1))),
    IndexSpec("edges", (("source", 1), ("user", 1))),
    IndexSpec("activities", (("number", 1),)),
    IndexSpec("activities", (("fan", 1), ("number", -1))),
    IndexSpec("activities", (("actor", 1),)),
    IndexSpec("activities", (("source", 1),)),
)
GONE = {flag: {"$ne": True} for flag in HIDING}
SOURCES_READ_AT_ONCE = 8  # a rebuild's queries in flight (a reader may follow hundreds)


def edge_id(source: str, user_id: str) -> str:
    """The document of one (source, follower) pair."""
    return f"{source}|{user_id}"


class FeedStore:
    """feed's collections (see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.people = db["people"]
        self.edges = db["edges"]
        self.activities = db["activities"]
        self.readers = db["readers"]
        self.sources = db["sources"]
        self.processed = db[PROCESSED_COLLECTION]
        self._filter_mode = FilterMode(self.activities)

    # -- people -------------------------------------------------------------------------------

    async def person(self, user_id: str) -> Document | None:
        """What feed knows of a person (None: nothing yet)."""
        return await self.people.find_one({"_id": user_id})

    async def save_person(self, user_id: str, fields: Mapping[str, Any], version: int) -> bool:
        """Keep a person's name and visibility at the highest ``version`` seen."""
        return await apply_if_newer(
            self.people, {"_id": user_id}, version, {"$set": dict(fields)}, seq_field="version"
        )

    async def erase_person(self, user_id: str) -> None:
        """Leave only the tombstone."""
        await self.people.replace_one({"_id": user_id}, {"erased": True}, upsert=True)

    # -- edges --------------------------------------------------------------------------------

    async def apply_edge(
        self, source: str, user_id: str, seq: int, *, following: bool, in_feed: bool, order: float
    ) -> bool:
        """Record a follow, a change of its settings, or an unfollow, unless a later one is
        already recorded; whether it was applied."""
        fields = {"source": source, "user": user_id, "following": following,
                  "in_feed": in_feed, "order": order}  # fmt: skip
        return await apply_if_newer(
            self.edges, {"_id": edge_id(source, user_id)}, seq, {"$set": fields}
        )

    async def edge(self, source: str, user_id: str) -> Document | None:
        """One pair's state."""
        return await self.edges.find_one({"_id": edge_id(source, user_id)})

    async def feed_sources_of(self, user_id: str) -> list[str]:
        """The sources ``user_id`` wants in their feed."""
        cursor = self.edges.find({"user": user_id}, {"source": 1, "following": 1, "in_feed": 1})
        return [d["source"] async for d in cursor if d.get("following") and d.get("in_feed")]

    async def cause_edges_of(self, user_id: str) -> list[Document]:
        """The causes ``user_id`` is a member of (their ``c:`` edges)."""
        cursor = self.edges.find({"user": user_id})
        return [d async for d in cursor if d["source"].startswith("c:") and d.get("following")]

    async def set_in_feed(self, edge_ids: Iterable[str], in_feed: bool) -> None:
        """Change ``in_feed`` of some edges (a preference, not an event: no seq moves)."""
        for key in edge_ids:
            await self.edges.update_one({"_id": key}, {"$set": {"in_feed": in_feed}})

    async def all_feed_edges(self) -> AsyncIterator[Document]:
        """Every pair that puts a source in someone's feed (the graph's rebuild)."""
        cursor = self.edges.find({}, {"source": 1, "user": 1, "following": 1, "in_feed": 1,
                                      "order": 1})  # fmt: skip
        async for document in cursor:
            if document.get("following") and document.get("in_feed"):
                yield document

    async def delete_edges_of(self, user_id: str) -> list[str]:
        """Delete the pairs where ``user_id`` follows; the sources they followed."""
        sources = [d["source"] async for d in self.edges.find({"user": user_id}, {"source": 1})]
        await self.edges.delete_many({"user": user_id})
        return sources

    async def delete_edges_to(self, source: str) -> None:
        """Delete the pairs of a source's followers."""
        await self.edges.delete_many({"source": source})

    # -- activities ---------------------------------------------------------------------------

    async def merge_activity(self, key: str, version: int, fields: Mapping[str, Any]) -> bool:
        """Write an activity's snapshot unless a later version is stored; whether it did."""
        return await apply_if_newer(
            self.activities, {"_id": key}, version, {"$set": dict(fields)}, seq_field="version"
        )

    async def set_creation(self, key: str, fields: Mapping[str, Any]) -> Document | None:
        """Give an activity what only its first event knows (number, kind, audiences) once;
        the stored document after."""
        await self.activities.update_one(
            {"_id": key, "number": {"$exists": False}}, {"$set": dict(fields)}
        )
        return await self.activities.find_one({"_id": key})

    async def activity(self, key: str) -> Document | None:
        """One activity by its key."""
        return await self.activities.find_one({"_id": key})

    async def by_numbers(self, numbers: Iterable[int]) -> list[Document]:
        """Activities by number: one equality per number, at once. FerretDB 1.24 serves
        ``{number: {$in: [...]}}`` with no index (a scan of every activity: 296 ms at 4,000 in
        bench/feed_read.py), an equality with the index (1 to 2 ms)."""
        found = await asyncio.gather(*(self.activities.find_one({"number": n}) for n in numbers))
        return [document for document in found if document is not None]

    async def newest_for(self, sources: list[str], limit: int) -> list[Document]:
        """The newest visible activities that reach any of ``sources``' followers, newest
        first. Where the server pushes equalities down but not ``$in`` (FerretDB on
        PostgreSQL, ``jumo_common.mongo.pushdown``): the newest ``limit`` of each source, a
        few at once, merged. There the one ``$in`` query read every activity, so a first read
        (a timeline's rebuild) got slower with every activity anyone added
        (bench/feed_rebuild.py)."""
        unique = list(dict.fromkeys(sources))
        if len(unique) <= 1 or await self._filter_mode.get() != "equalities":
            fan = unique[0] if len(unique) == 1 else {"$in": unique}
            return await self._newest({"fan": fan}, limit) if unique else []
        found: dict[str, Document] = {}
        for start in range(0, len(unique), SOURCES_READ_AT_ONCE):
            chunk = unique[start : start + SOURCES_READ_AT_ONCE]
            for documents in await asyncio.gather(
                *(self._newest({"fan": source}, limit) for source in chunk)
            ):
                found.update((document["_id"], document) for document in documents)
        newest = sorted(found.values(), key=lambda document: document["number"], reverse=True)
        return newest[:limit]

    async def _newest(self, query: Mapping[str, Any], limit: int) -> list[Document]:
        found = {**query, "number": {"$exists": True}, **GONE}
        cursor = self.activities.find(found).sort("number", DESCENDING).limit(limit)
        return [d async for d in cursor]

    async def visible(self, query: Mapping[str, Any], limit: int) -> list[Document]:
        """The newest visible activities that match ``query``."""
        return await self._newest(query, limit)

    async def flag(self, query: Mapping[str, Any], flags: Mapping[str, Any]) -> list[int]:
        """Set fields on every matching activity; the numbers of those that have one."""
        numbers = [d["number"] async for d in self.activities.find(query, {"number": 1})
                   if "number" in d]  # fmt: skip
        await self.activities.update_many(dict(query), {"$set": dict(flags)})
        return numbers

    async def flag_one(self, key: str, flags: Mapping[str, Any]) -> list[int]:
        """Set fields on one activity, creating it if its first event has not come yet (at
        version 0, so that the first event's snapshot is still written)."""
        update = {"$set": dict(flags), "$setOnInsert": {"version": 0}}
        await self.activities.update_one({"_id": key}, update, upsert=True)
        found = await self.activities.find_one({"_id": key}, {"number": 1})
        return [found["number"]] if found and "number" in found else []

    async def delete_activities(self, query: Mapping[str, Any]) -> list[Document]:
        """Delete matching activities; what they were (numbers, audiences)."""
        found = [d async for d in self.activities.find(query, {"number": 1, "fan_members": 1})]
        await self.activities.delete_many(dict(query))
        return found

    # -- readers and sources ------------------------------------------------------------------

    async def reader(self, user_id: str) -> Document:
        """A reader's state (defaults when none is stored)."""
        return await self.readers.find_one({"_id": user_id}) or {"_id": user_id}

    async def save_reader(self, user_id: str, fields: Mapping[str, Any]) -> None:
        """Change a reader's state."""
        await self.readers.update_one({"_id": user_id}, {"$set": dict(fields)}, upsert=True)

    async def delete_reader(self, user_id: str) -> None:
        """Forget a reader."""
        await self.readers.delete_one({"_id": user_id})

    async def org_hidden(self, org_id: str) -> bool:
        """Whether moderation hid the organization."""
        found = await self.sources.find_one({"_id": org_source(org_id)})
        return bool(found and found.get("hidden"))

    async def org_card(self, org_id: str) -> Document | None:
        """The organization's card as its last org.created/updated gave it (None: not yet)."""
        found = await self.sources.find_one({"_id": org_source(org_id)})
        card: Document | None = (found or {}).get("card")
        return card

    async def set_org_hidden(self, org_id: str, hidden: bool) -> None:
        """Moderation hid (or showed again) the organization."""
        await self.sources.update_one({"_id": org_source(org_id)}, {"$set": {"hidden": hidden}},
                                      upsert=True)  # fmt: skip

    async def save_org_card(self, org_id: str, card: Mapping[str, Any], version: int) -> bool:
        """Keep an organization's card at the highest ``version`` seen; whether it changed."""
        update = {"$set": {"card": dict(card)}}
        key = {"_id": org_source(org_id)}
        return await apply_if_newer(self.sources, key, version, update, seq_field="version")
