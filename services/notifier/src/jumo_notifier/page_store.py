"""What notifier keeps of Facebook Pages: organizations' links (with their sealed Page tokens),
the logins under way that make them, and each Page's state (its pace and whether it may be
posted to), shared by every notifier process.

- ``facebook_page_links``: ``_id`` = the organization; its Page (id, name), the Page token
  sealed with AES-256-GCM bound to ``page-token:<org id>``, who linked it and when, and what the
  organization wants posted (``post_opportunities``, ``post_news``). Unlinking deletes it.
- ``facebook_page_logins``: ``_id`` = SHA-256 of a login's state (the state itself is never
  stored); the organization, the admin, the browser nonce's hash, the sealed PKCE verifier, the
  Page asked for, the expiry. Taken once: ``taken:<hash>`` is inserted exclusively.
- ``facebook_page_choices``: ``_id`` = ``<org>|<admin>``: the Pages a login found when it found
  several, each token sealed, until the admin picks one (or the login's lifetime ends).
- ``facebook_pages``: ``_id`` = a Page id, or ``app`` for the whole app's budget: ``not_before``
  (no call to it before then — the pace every process keeps; ``paused_at``, ``paused_why``),
  ``status`` ok|broken|blocked and why, with the fingerprint of the token it was found with.
  A Page's state is Facebook's view of the Page, so it is kept per Page, not per link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from jumo_common.mongo import Database, Document, IndexSpec, as_utc, insert_once

PageStatus = Literal["ok", "broken", "blocked"]
PAGE_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("facebook_page_logins", (("admin", 1),)),
    IndexSpec("facebook_page_choices", (("admin", 1),)),
    IndexSpec("facebook_page_links", (("linked_by", 1),)),
    IndexSpec("facebook_pages", (("status", 1),)),
)


def fingerprint(token: str) -> str:
    """A short one-way mark of a token: tells whether a Page's token changed, reveals nothing."""
    return hashlib.sha256(f"page-token:{token}".encode()).hexdigest()[:16]


class PageStore:
    """notifier's Facebook Page collections (see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.links = db["facebook_page_links"]
        self.logins = db["facebook_page_logins"]
        self.choices = db["facebook_page_choices"]
        self.pages = db["facebook_pages"]

    # -- links ------------------------------------------------------------------------------

    async def link(self, org_id: str) -> Document | None:
        """An organization's link to its Page (None: not linked)."""
        return await self.links.find_one({"_id": org_id})

    async def save_link(self, org_id: str, doc: Mapping[str, Any]) -> None:
        """Link (or link again) an organization's Page."""
        await self.links.replace_one({"_id": org_id}, dict(doc), upsert=True)

    async def set_link_options(self, org_id: str, options: Mapping[str, bool]) -> bool:
        """Change what the organization wants posted; False when it has no link."""
        result = await self.links.update_one({"_id": org_id}, {"$set": dict(options)})
        return result.matched_count > 0

    async def unlink(self, org_id: str) -> bool:
        """Delete an organization's link and its token; False when there was none."""
        result = await self.links.delete_one({"_id": org_id})
        return result.deleted_count > 0

    # -- logins under way -------------------------------------------------------------------

    async def save_login(self, state_hash: str, doc: Mapping[str, Any]) -> None:
        """A login started: kept under its state's hash until taken or expired."""
        await self.logins.insert_one({"_id": state_hash, **doc})

    async def take_login(self, state_hash: str) -> Document | None:
        """The login of a state, once: a second take of the same state finds nothing."""
        doc = await self.logins.find_one({"_id": state_hash})
        if doc is None:
            return None
        # Kept as long as the login would have been: purged with the expired ones.
        taken = {"_id": f"taken:{state_hash}", "admin": doc.get("admin"),
                 "expires_at": doc.get("expires_at")}  # fmt: skip
        if not await insert_once(self.logins, taken):
            return None
        await self.logins.delete_one({"_id": state_hash})
        return doc

    async def purge_logins(self, now: datetime) -> None:
        """Forget expired logins (a handful: one per linking admin)."""
        async for doc in self.logins.find({}, {"expires_at": 1}):
            if doc.get("expires_at") and as_utc(doc["expires_at"]) < now:
                await self.logins.delete_one({"_id": doc["_id"]})

    async def save_choice(self, org_id: str, admin: str, doc: Mapping[str, Any]) -> None:
        """The Pages a login found, for the admin to pick one."""
        key = f"{org_id}|{admin}"
        await self.choices.replace_one({"_id": key}, {"admin": admin, **doc}, upsert=True)

    async def take_choice(self, org_id: str, admin: str) -> Document | None:
        """The admin's pending choice for an organization, removed as it is read."""
        return await self.choices.find_one_and_delete({"_id": f"{org_id}|{admin}"})

    # -- Pages' state -----------------------------------------------------------------------

    async def page(self, page_id: str) -> Document | None:
        """A Page's state (None: never throttled nor broken: ok)."""
        return await self.pages.find_one({"_id": page_id})

    async def pause(self, page_id: str, until: datetime, why: str) -> None:
        """No call to ``page_id`` (or ``app``) before ``until``, whichever process makes it.
        Never shortens a pause already set."""
        current = await self.page(page_id) or {}
        if "not_before" in current and as_utc(current["not_before"]) >= until:
            return
        fields = {"not_before": until, "paused_why": why, "paused_at": datetime.now(UTC)}
        await self.pages.update_one({"_id": page_id}, {"$set": fields}, upsert=True)

    async def set_status(self, page_id: str, status: PageStatus, why: str | None, at: datetime,
                         token_fp: str | None = None) -> None:  # fmt: skip
        """Whether the Page may be posted to (ok), and why not; ``token_fp``: the fingerprint
        of the token that found it broken or blocked (another token starts afresh)."""
        fields = {"status": status, "why": why, "changed_at": at, "token_fp": token_fp}
        await self.pages.update_one({"_id": page_id}, {"$set": fields}, upsert=True)

    async def count_blocked(self) -> int:
        """How many Pages Facebook blocked for abuse (an operator must look)."""
        return await self.pages.count_documents({"status": "blocked"})

    # -- erasure ----------------------------------------------------------------------------

    async def forget(self, user_id: str) -> None:
        """A person's traces: their logins and choices under way; the links they made stay
        (the organization's), no longer naming them."""
        await self.logins.delete_many({"admin": user_id})
        await self.choices.delete_many({"admin": user_id})
        await self.links.update_many({"linked_by": user_id}, {"$set": {"linked_by": None}})
