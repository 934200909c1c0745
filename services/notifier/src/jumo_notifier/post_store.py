"""The Facebook posts notifier intends, makes, and has made: the record behind "exactly once".

- ``facebook_posts``: one document per post ever intended, ``_id`` = its key (``welcome:<user>``,
  ``cause:<cause>:<user>``, ``volunteers:<org>:<user>``, ``opportunity:<id>``, ``news:<id>``),
  inserted exclusively *before* any call to Facebook: a redelivered event finds it taken.
  It holds the Page, the message and link (with ``ref``, our marker), ``user_id`` (the member
  whose join it shows: erasure finds it by that), ``state`` pending|posted|failed|cancelled, and
  Facebook's post id.
- ``facebook_queue``: the pending ones (``_id`` = the same key), small, read whole by the poster:
  ``due`` (not before), ``failures`` so far, ``attempt`` (the next attempt's number, a hint), and
  ``check_first`` (a previous attempt may have posted: look for the marker before posting).
- ``facebook_attempts``: ``<key>:<n>`` inserted exclusively by whoever makes attempt n, so two
  processes never post one key at once; its ``outcome`` is written when the attempt ends. An
  attempt without an outcome whose ``at`` is older than the lease died with its process: the
  next attempt treats its outcome as unknown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING

from jumo_common.mongo import Database, Document, IndexSpec, as_utc, insert_once

POST_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("facebook_posts", (("user_id", 1),)),
    IndexSpec("facebook_posts", (("event_id", 1),)),
    IndexSpec("facebook_queue", (("due", 1),)),
    IndexSpec("facebook_attempts", (("key", 1),)),
)
# Attempts of one key a claimer walks past before giving up for this round.
MAX_WALK = 64
# The outcome of an attempt that certainly did not post (nothing to look for afterwards).
NOT_POSTED = "not_posted"


class PostStore:
    """notifier's Facebook post collections (see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.posts = db["facebook_posts"]
        self.queue = db["facebook_queue"]
        self.attempts = db["facebook_attempts"]

    async def intend(self, doc: Mapping[str, Any], now: datetime) -> bool:
        """Record a post as intended and queue it: False when its key was already taken (it is
        queued again if it is still pending: the first try may have died between the two)."""
        created = await insert_once(self.posts, dict(doc))
        current = doc if created else await self.posts.find_one({"_id": doc["_id"]})
        if current is not None and current.get("state") == "pending":
            await insert_once(self.queue, {"_id": doc["_id"], "page_id": current["page_id"],
                                           "due": now, "failures": 0, "attempt": 1,
                                           "check_first": False})  # fmt: skip
        return created

    async def post(self, key: str) -> Document | None:
        """One intended post."""
        return await self.posts.find_one({"_id": key})

    async def by_event(self, event_id: str) -> list[Document]:
        """The posts one event caused."""
        return [doc async for doc in self.posts.find({"event_id": event_id})]

    async def queued(self, limit: int = 1000) -> list[Document]:
        """The pending posts (what a round needs of each), soonest due first."""
        fields = {"page_id": 1, "due": 1}
        cursor = self.queue.find({}, fields).sort("due", ASCENDING).limit(limit)
        return [doc async for doc in cursor]

    async def queued_item(self, key: str) -> Document | None:
        """One post's queue entry, as it is now (None: no longer queued)."""
        return await self.queue.find_one({"_id": key})

    async def claim_attempt(self, key: str, first: int, now: datetime,
                            lease: timedelta) -> tuple[int, bool] | None:  # fmt: skip
        """The number of the attempt this caller may make (from ``first``, the queue's hint),
        and whether an attempt walked past may have posted (it ended unsure, or died
        mid-call); None while another live process is making one."""
        number, unsure = max(1, first), False
        for _ in range(MAX_WALK):
            claim = {"_id": f"{key}:{number}", "key": key, "at": now}
            if await insert_once(self.attempts, claim):
                return number, unsure
            held = await self.attempts.find_one({"_id": claim["_id"]})
            if held is None:
                continue
            outcome = held.get("outcome")
            if outcome is None and now - as_utc(held["at"]) < lease:
                return None
            unsure = outcome != NOT_POSTED  # ended with "unknown", or died mid-call
            number += 1
        return None

    async def end_attempt(self, key: str, number: int, outcome: str) -> None:
        """What attempt ``number`` of ``key`` came to."""
        await self.attempts.update_one({"_id": f"{key}:{number}"}, {"$set": {"outcome": outcome}})

    async def requeue(self, key: str, *, due: datetime, failures: int, attempt: int,
                      check_first: bool) -> None:  # fmt: skip
        """Try again at ``due`` (only the holder of the attempt writes this)."""
        await self.queue.update_one({"_id": key}, {"$set": {
            "due": due, "failures": failures, "attempt": attempt, "check_first": check_first,
        }})  # fmt: skip

    async def finish(self, key: str, state: str, why: str, at: datetime,
                     post_id: str | None = None) -> None:  # fmt: skip
        """The post's end: posted, failed or cancelled; it leaves the queue, and its attempts
        are forgotten (a late claimer finds the post no longer pending)."""
        fields: dict[str, Any] = {"state": state, "why": why, "done_at": at}
        if post_id is not None:
            fields["post_id"] = post_id
        await self.posts.update_one({"_id": key, "state": "pending"}, {"$set": fields})
        await asyncio.gather(self.queue.delete_one({"_id": key}),
                             self.attempts.delete_many({"key": key}))  # fmt: skip

    async def dequeue(self, key: str) -> None:
        """Drop a queue entry whose post is no longer pending."""
        await self.queue.delete_one({"_id": key})

    async def forget(self, user_id: str) -> None:
        """Erase the posts that show a person's joins: their records, queue entries and
        attempts (what is on Facebook already stays there)."""
        keys = [doc["_id"] async for doc in self.posts.find({"user_id": user_id}, {"_id": 1})]
        for key in keys:
            await self.queue.delete_one({"_id": key})
            await self.attempts.delete_many({"key": key})
        await self.posts.delete_many({"user_id": user_id})
