"""Where an intended Facebook post goes when the poster makes it, and what a broken link does.

A post is resolved at each attempt, not when it was intended: Jumo's Page as configured now
(``JUMO_PAGE_ID``, ``JUMO_PAGE_TOKEN``), or the organization's linked Page and its token (the
link may have been deleted or made again meanwhile). A Page found broken (190/102, a missing
permission) or blocked (368) with this very token takes no more posts; a new token (a new
link, a new ``JUMO_PAGE_TOKEN``) starts afresh. A broken link notifies the organization's
owners and admins in the app, once per token that broke (``page_link_broken``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from jumo_common.logging import get_logger
from jumo_common.mongo import Document
from jumo_notifier.inbox import Inbox
from jumo_notifier.model import Notice
from jumo_notifier.notices import Addressed, org_party
from jumo_notifier.page_links import PageLinks
from jumo_notifier.page_store import PageStore, fingerprint
from jumo_notifier.poster import Target
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import NotifierStore

log = get_logger(__name__)
JUMO = "jumo"
# Names the broken-link notification of one link (one per token that broke).
BROKEN_NAMESPACE = uuid.UUID("5b0c7f0e-3f7e-4c3a-9d51-6a0f8f1b2c11")


class Targets:
    """The poster's two questions: where does this post go, and who hears of a broken link."""

    def __init__(self, settings: NotifierSettings, store: NotifierStore, links: PageLinks,
                 pages: PageStore, inbox: Inbox) -> None:  # fmt: skip
        self.settings = settings
        self.store = store
        self.links = links
        self.pages = pages
        self.inbox = inbox

    async def resolve(self, post: Document, state: Document | None) -> Target | str:
        """Where an intended post goes now (for the poster), or why nowhere; ``state``: its
        Page's state as the poster just read it."""
        page_id = str(post["page_id"])
        if post.get("target") == JUMO:
            token = self.settings.jumo_page_token.get_secret_value()
            if page_id != self.settings.jumo_page_id or not token:
                return "Jumo's Page is no longer configured"
            target: Target | str = Target(page_id, token)
        else:
            target = await self.links.target(str(post["org_id"]), page_id)
        if isinstance(target, str):
            return target
        status = (state or {}).get("status", "ok")
        if status != "ok" and (state or {}).get("token_fp") == fingerprint(target.token):
            return f"the Page is {status}: {(state or {}).get('why')}"
        return target

    async def link_broken(self, post: Document, target: Target, why: str) -> None:
        """Tell the organization's admins in the app that its Page must be linked again."""
        if target.org_id is None:
            log.error("jumo's own facebook page token no longer works: set JUMO_PAGE_TOKEN",
                      page_id=target.page_id, why=why)  # fmt: skip
            return
        org = await self.store.org(target.org_id) or {}
        link = await self.pages.link(target.org_id) or {}
        event_id = uuid.uuid5(BROKEN_NAMESPACE, f"{target.org_id}:{fingerprint(target.token)}")
        org_name = str(org.get("name") or "your organization")
        notice = Notice("page_link_broken", str(event_id), datetime.now(UTC),
                        subject=org_party(target.org_id, org_name),
                        data={"reason_text": why, "page_id": target.page_id,
                              "page_name": link.get("page_name")})  # fmt: skip
        admins = await self.store.admins(target.org_id)
        stored = await self.inbox.deliver(Addressed(notice, admins))
        log.warning("facebook page link broken", org_id=target.org_id, page_id=target.page_id,
                    why=why, admins_told=stored)  # fmt: skip
