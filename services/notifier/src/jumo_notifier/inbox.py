"""In-app notifications: storing each once, reading them (grouped), marking them read.

Storing runs the chain for the ``in_app`` channel, then writes the notifications the chain let
through in bulk: ``_id`` is ``model.notification_id``, so a redelivered event stores nothing
twice. Reading groups what shares a group key within a page ("Ann and 4 others followed Water
for All"): the cursor is the number of the oldest notification the page covered, so the next
page starts below it whatever the grouping.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jumo_common.logging import get_logger
from jumo_common.mongo import Document
from jumo_facebook import dialogs
from jumo_notifier.chain import Chain
from jumo_notifier.live import LiveHub
from jumo_notifier.model import FACEBOOK_KINDS, Notice, notification_id, number_of, render
from jumo_notifier.notices import Addressed
from jumo_notifier.schemas import encode_cursor
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import NotifierStore

log = get_logger(__name__)
# A page reads this many times its limit, so that groups can fill it.
GROUP_WINDOW = 4


class Inbox:
    """The in-app channel."""

    def __init__(self, settings: NotifierSettings, store: NotifierStore, chain: Chain,
                 live: LiveHub) -> None:  # fmt: skip
        self.settings = settings
        self.store = store
        self.chain = chain
        self.live = live
        chain.register("in_app", lambda notice: store.delivered_in_app(notice.event_id,
                                                                       notice.kind))  # fmt: skip

    # -- storing ----------------------------------------------------------------------------

    async def deliver(self, addressed: Addressed) -> int:
        """Store the notice for every recipient the chain allows; how many were new."""
        notice = addressed.notice
        now = datetime.now(UTC)
        allowed = await self.chain.allowed(notice, addressed.recipients, "in_app", now,
                                           addressed.known)  # fmt: skip
        docs = [self.document(notice, candidate.recipient) for candidate, _ in allowed]
        stored = await self.store.add_notifications(docs, self._hand)
        return len(stored)

    def _hand(self, docs: list[Document]) -> None:
        """Stored notifications go to their recipients' open streams at once."""
        for doc in docs:
            self.live.hand(doc)

    def document(self, notice: Notice, recipient: str) -> Document:
        """One recipient's notification of ``notice``."""
        key = notification_id(notice, recipient)
        data = dict(notice.data)
        if notice.kind in FACEBOOK_KINDS and notice.subject is not None:
            data["share_url"] = self.share_url(notice.subject.url or "/")
        return {
            "_id": key,
            "recipient": recipient,
            "kind": notice.kind,
            "event_id": notice.event_id,
            "number": number_of(notice.at, key),
            "created_at": notice.at,
            "actor": notice.actor.as_doc() if notice.actor else None,
            "subject": notice.subject.as_doc() if notice.subject else None,
            "group": notice.group,
            "data": data,
            "read": False,
        }

    def share_url(self, path: str) -> str:
        """The Share dialog link to post the public page at ``path`` to one's own timeline."""
        href = f"{self.settings.public_base_url}{path}"
        return dialogs.share_dialog_url(self.settings.facebook, href, "#Jumo", None)

    # -- reading ----------------------------------------------------------------------------

    async def page(self, user_id: str, *, limit: int, below: int | None,
                   unread: bool | None) -> tuple[list[dict[str, Any]], int | None]:  # fmt: skip
        """Up to ``limit`` items (groups), newest first, and the cursor of the next page."""
        raw = await self.store.notifications_of(user_id, below=below, unread=unread,
                                                limit=limit * GROUP_WINDOW + 1)  # fmt: skip
        more = len(raw) > limit * GROUP_WINDOW
        raw = raw[: limit * GROUP_WINDOW]
        groups: list[list[Document]] = []
        by_key: dict[str, list[Document]] = {}
        covered = 0
        for doc in raw:
            key = doc.get("group")
            if key and key in by_key:
                by_key[key].append(doc)
            elif len(groups) == limit:
                break
            else:
                members = [doc]
                groups.append(members)
                if key:
                    by_key[key] = members
            covered += 1
        next_below = None
        if groups and (more or covered < len(raw)):
            next_below = int(raw[covered - 1]["number"])
        return [item(members) for members in groups], next_below


def item(members: list[Document]) -> dict[str, Any]:
    """One line of the list: a notification, or a group of like ones (newest first)."""
    newest = members[0]
    names: list[str] = []
    for doc in members:
        name = (doc.get("actor") or {}).get("name")
        if name and name not in names:
            names.append(name)
    return {
        "id": newest["_id"],
        "ids": [doc["_id"] for doc in members],
        "kind": newest["kind"],
        "text": render(newest["kind"], newest, names, len(members)),
        "read": all(doc.get("read") for doc in members),
        "count": len(members),
        "actors": names[:3],
        "actor": newest.get("actor"),
        "subject": newest.get("subject"),
        "data": newest.get("data") or {},
        "created_at": newest["created_at"],
        "cursor": encode_cursor(int(newest["number"])),
    }


def stream_item(doc: Document) -> dict[str, Any]:
    """A notification as the live stream sends it (ungrouped)."""
    return item([doc])
