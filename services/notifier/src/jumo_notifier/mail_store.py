"""What the email channel and the digests keep in notifier's database (their own collections).

- ``emails``: one document per (kind, event, person), ``_id`` = ``model.notification_id``,
  inserted BEFORE the relay is spoken to, so a redelivery, a retry or a second process finds it
  taken and sends nothing: ``state`` is ``sending`` (claimed), ``sent``, ``held`` (quiet hours:
  ``hold_until``, with the notice to send), ``refused`` (a permanent refusal: ``reply``),
  ``unknown`` (the relay went away after the message was handed over: it may have gone) or
  ``dropped`` (held, and no longer wanted when the hours ended: ``why``).
- ``email_releases``: the claim (``_id`` = the email's) of the one process that sends a held
  email when its hours end.
- ``digests``: ``digest:<user>:<period>``, inserted before a digest is sent (or with
  ``state: empty`` when there was nothing to say), so each period's digest goes once.
- ``digest_posts``: organizations' posts (``post.published``; deleted and hidden ones go),
  what a digest tells of the organizations a person follows.
- ``digest_rsvps``: ``<event>|<user>``: a person's answer to a calendar event and the event's
  card (``event.rsvped``, ``event.updated``, ``event.cancelled``): their upcoming events.

Person-level email state lives on notifier's ``people`` projection: ``email_stopped`` (the
sentence a person reads in their preferences) with ``email_stopped_reason`` and
``email_stopped_for`` (the address it was about).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from pymongo import DESCENDING

from jumo_common.bus import apply_if_newer
from jumo_common.mongo import Collection, Database, Document, IndexSpec, as_utc, insert_once
from jumo_notifier.model import Notice, Party
from jumo_notifier.store import pair_id

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("emails", (("event_id", 1),)),
    IndexSpec("emails", (("state", 1), ("hold_until", 1))),
    IndexSpec("emails", (("recipient", 1),)),
    IndexSpec("email_releases", (("recipient", 1),)),
    IndexSpec("digests", (("user", 1), ("until", -1))),
    IndexSpec("digest_posts", (("org", 1), ("published_at", -1))),
    IndexSpec("digest_rsvps", (("user", 1),)),
    IndexSpec("digest_rsvps", (("event_id", 1),)),
)
# A write to ``people`` is read back this many times (FerretDB's unlocked updates can lose it
# to a concurrent projection write).
STICK_TRIES = 5


def notice_doc(notice: Notice) -> Document:
    """A notice as a held email keeps it."""
    return {
        "kind": notice.kind,
        "event_id": notice.event_id,
        "at": notice.at,
        "actor": notice.actor.as_doc() if notice.actor else None,
        "subject": notice.subject.as_doc() if notice.subject else None,
        "org_id": notice.org_id,
        "important": notice.important,
        "group": notice.group,
        "data": dict(notice.data),
    }


def _party(doc: Mapping[str, Any] | None) -> Party | None:
    if not doc:
        return None
    return Party(doc["kind"], doc["id"], doc["name"], doc.get("url"))


def notice_of(doc: Mapping[str, Any]) -> Notice:
    """The notice a held email kept."""
    return Notice(
        doc["kind"],
        doc["event_id"],
        as_utc(doc["at"]),
        actor=_party(doc.get("actor")),
        subject=_party(doc.get("subject")),
        org_id=doc.get("org_id"),
        important=bool(doc.get("important")),
        group=doc.get("group"),
        data=dict(doc.get("data") or {}),
    )


class MailStore:
    """The email channel's and the digests' collections (see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.emails = db["emails"]
        self.releases = db["email_releases"]
        self.digests = db["digests"]
        self.posts = db["digest_posts"]
        self.rsvps = db["digest_rsvps"]
        self.people = db["people"]

    # -- emails -----------------------------------------------------------------------------

    async def claim(self, doc: Document) -> bool:
        """Record an email (to send now, or held): False when it was recorded before."""
        return await insert_once(self.emails, doc)

    async def emailed(self, event_id: str, kind: str) -> set[str]:
        """Who has an email of one event recorded, whatever its state."""
        cursor = self.emails.find({"event_id": event_id}, {"recipient": 1, "kind": 1})
        return {doc["recipient"] async for doc in cursor if doc.get("kind") == kind}

    async def email(self, email_id: str) -> Document | None:
        """One email's record."""
        return await self.emails.find_one({"_id": email_id})

    async def settle(self, email_id: str, fields: Mapping[str, Any]) -> None:
        """Write an email's outcome (its one writer: whoever claimed it)."""
        await self.emails.update_one({"_id": email_id}, {"$set": dict(fields)})

    async def forget_claim(self, email_id: str) -> None:
        """Drop an email's record: it was certainly not sent (the relay said try later), so a
        retry may send it."""
        await self.emails.delete_one({"_id": email_id, "state": "sending"})

    async def held_due(self, now: datetime, limit: int = 200) -> list[Document]:
        """Held emails whose quiet hours are over."""
        cursor = self.emails.find({"state": "held", "hold_until": {"$lte": now}}).limit(limit)
        return [doc async for doc in cursor]

    async def claim_release(self, email_id: str, recipient: str, now: datetime) -> bool:
        """The one process that sends a held email."""
        return await insert_once(
            self.releases, {"_id": email_id, "recipient": recipient, "at": now}
        )

    async def release_claimed_at(self, email_id: str) -> datetime | None:
        """When a held email's release was claimed (None: it was not)."""
        doc = await self.releases.find_one({"_id": email_id})
        return as_utc(doc["at"]) if doc else None

    async def unclaim_release(self, email_id: str) -> None:
        """Let a later pass send a held email again (it was certainly not sent)."""
        await self.releases.delete_one({"_id": email_id})

    # -- a person's email state -------------------------------------------------------------

    async def stop_email(
        self, user_id: str, sentence: str, reason: str, address: str | None
    ) -> None:
        """Email stops reaching a person (shown to them as ``sentence``)."""
        fields = {
            "email_stopped": sentence,
            "email_stopped_reason": reason,
            "email_stopped_for": address,
        }
        await self._stick(user_id, fields, lambda doc: doc.get("email_stopped") == sentence)

    async def resume_email(self, user_id: str) -> None:
        """Email reaches a person again."""
        fields = {"email_stopped": None, "email_stopped_reason": None, "email_stopped_for": None}
        await self._stick(user_id, fields, lambda doc: not doc.get("email_stopped"))

    async def _stick(self, user_id: str, fields: Mapping[str, Any], holds: Any) -> None:
        # ``people`` is also written by the projection (a read-modify-write on FerretDB): read
        # back, and write again if a concurrent projection write took ours away.
        query = {"_id": user_id, "erased": {"$ne": True}}
        for attempt in range(STICK_TRIES):
            await self.people.update_one(query, {"$set": dict(fields)})
            doc = await self.people.find_one({"_id": user_id})
            if doc is None or doc.get("erased") or holds(doc):
                return
            await asyncio.sleep(0.05 * (attempt + 1))

    async def reachable_people(self, batch: int) -> AsyncIterator[list[Document]]:
        """Everyone with an address whose email was not stopped, ``batch`` at a time."""
        fields = {"name": 1, "email": 1, "email_stopped": 1, "erased": 1, "locale": 1}
        found: list[Document] = []
        async for doc in self.people.find({}, fields):
            if doc.get("erased") or not doc.get("email") or doc.get("email_stopped"):
                continue
            found.append(doc)
            if len(found) == batch:
                yield found
                found = []
        if found:
            yield found

    # -- digests ----------------------------------------------------------------------------

    async def claim_digest(self, doc: Document) -> bool:
        """Record one period's digest of a person before it is sent: False when taken."""
        return await insert_once(self.digests, doc)

    async def digest(self, digest_id: str) -> Document | None:
        """One digest's record."""
        return await self.digests.find_one({"_id": digest_id})

    async def last_digest(self, user_id: str) -> Document | None:
        """A person's newest digest record (sent or empty)."""
        cursor = self.digests.find({"user": user_id}).sort("until", DESCENDING).limit(1)
        found = [doc async for doc in cursor]
        return found[0] if found else None

    async def settle_digest(self, digest_id: str, fields: Mapping[str, Any]) -> None:
        """Write a digest's outcome."""
        await self.digests.update_one({"_id": digest_id}, {"$set": dict(fields)})

    async def forget_digest(self, digest_id: str) -> None:
        """Drop a digest's record: it was certainly not sent, a later pass sends it."""
        await self.digests.delete_one({"_id": digest_id, "state": "sending"})

    async def save_post(self, post_id: str, fields: Mapping[str, Any], version: int) -> None:
        """An organization's post, at its highest version."""
        await apply_if_newer(
            self.posts, {"_id": post_id}, version, {"$set": dict(fields)}, seq_field="version"
        )

    async def delete_post(self, post_id: str) -> None:
        """A post is gone: a tombstone, so that a late publication stays out."""
        await self.posts.replace_one(
            {"_id": post_id}, {"deleted": True, "version": 2**62}, upsert=True
        )

    async def hide_post(self, post_id: str, hidden: bool) -> None:
        """A moderator hid a post, or showed it again (before its publication arrived: a
        document at version 0, which the publication then fills in)."""
        for _ in range(2):
            result = await self.posts.update_one({"_id": post_id}, {"$set": {"hidden": hidden}})
            if result.matched_count or await insert_once(
                self.posts, {"_id": post_id, "hidden": hidden, "version": 0}
            ):
                return

    async def posts_of(
        self, org_id: str, since: datetime, until: datetime, limit: int
    ) -> list[Document]:
        """An organization's visible posts published in (since, until], newest first."""
        query = {"org": org_id, "published_at": {"$gt": since, "$lte": until}}
        cursor = self.posts.find(query).sort("published_at", DESCENDING).limit(limit * 2)
        found = [doc async for doc in cursor if not doc.get("hidden") and not doc.get("deleted")]
        return found[:limit]

    async def save_rsvp(
        self, event_id: str, user_id: str, fields: Mapping[str, Any], seq: int
    ) -> None:
        """A person's answer to a calendar event, at its highest seq."""
        await apply_if_newer(
            self.rsvps,
            {"_id": pair_id(event_id, user_id)},
            seq,
            {"$set": {"event_id": event_id, "user": user_id, **fields}},
        )

    async def update_event(self, event_id: str, card: Mapping[str, Any], version: int) -> None:
        """A calendar event changed (or was cancelled): every answer to it shows the new card."""
        query = {"event_id": event_id}
        async for doc in self.rsvps.find(query, {"event_version": 1}):
            if int(doc.get("event_version") or 0) < version:
                await self.rsvps.update_one(
                    {"_id": doc["_id"]}, {"$set": {"event": dict(card), "event_version": version}}
                )

    async def rsvps_of(self, user_id: str) -> list[Document]:
        """A person's answers to calendar events."""
        return [doc async for doc in self.rsvps.find({"user": user_id})]

    # -- erasure ----------------------------------------------------------------------------

    async def forget(self, user_id: str) -> None:
        """Delete what the email channel and the digests hold of a person: their emails (sent
        and held), releases, digests and answers to events."""
        await self.emails.delete_many({"recipient": user_id})
        await self.releases.delete_many({"recipient": user_id})
        await self.digests.delete_many({"user": user_id})
        await self.rsvps.delete_many({"user": user_id})


def collections(store: MailStore) -> list[Collection]:
    """Every collection of the store (for tests that look for traces of a person)."""
    return [store.emails, store.releases, store.digests, store.posts, store.rsvps]
