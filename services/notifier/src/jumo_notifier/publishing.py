"""The Facebook channel: which events become posts on which Page, with the member's opt-in.

On the queue ``notifier.facebook`` (``consumers.facebook``):

    user.registered        "Ann joined Jumo"                  Jumo's Page    welcome:<user>
    cause.joined           "Ann joined the cause Clean Water" Jumo's Page    cause:<cause>:<user>
    application.accepted   "Ann now volunteers with Water     the org's      volunteers:<org>:
    volunteering.attested   for All" (whichever comes first)  linked Page    <user>
    opportunity.published  "Water for All needs volunteers…"  the org's      opportunity:<id>
    post.published         the post's title and excerpt       the org's      news:<id>

A member's join is posted only when the chain lets it through on the ``facebook`` channel (the
person exists and is not deleted, their preference for the kind says yes — off by default, set
at sign-up by ``share_joins`` or in their preferences —, not a duplicate). An organization's
opportunities and news go to its own Page when it turned ``post_opportunities`` /
``post_news`` on. A join is posted once per key above (a cause left and joined again is not
posted again), an attested volunteering only when the volunteer's record is public.

Handling an event only records the post as intended (``PostStore.intend``, an exclusive insert
keyed as above) and wakes the poster, which makes it (``poster``). Each post links to the public
page of what was joined (``PUBLIC_BASE_URL`` + its path), with our marker ``?ref=<ref>`` — the
link also ends the message, since a Page's feed gives back messages, not links.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

from jumo_common.events import Envelope
from jumo_common.events.applications import ApplicationAccepted, ApplicationEvent
from jumo_common.events.identity import UserRegistered
from jumo_common.events.opportunities import OpportunityPublished
from jumo_common.events.orgs import CauseJoined, PostPublished
from jumo_common.events.record import VolunteeringAttested
from jumo_common.logging import get_logger
from jumo_notifier.chain import Chain
from jumo_notifier.model import Notice, Party
from jumo_notifier.notices import Addressed, Notices, org_party
from jumo_notifier.page_store import PageStore
from jumo_notifier.page_targets import JUMO
from jumo_notifier.post_store import PostStore
from jumo_notifier.projections import Projections
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import NotifierStore

log = get_logger(__name__)


def marker_ref(key: str) -> str:
    """The short mark of one intended post, found again among a Page's recent posts."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class Publishing:
    """The Facebook channel's event handlers (see the module doc)."""

    def __init__(self, settings: NotifierSettings, store: NotifierStore, chain: Chain,
                 notices: Notices, projections: Projections, pages: PageStore,
                 posts: PostStore, wake: Callable[[], None]) -> None:  # fmt: skip
        self.settings = settings
        self.store = store
        self.chain = chain
        self.notices = notices
        self.projections = projections
        self.pages = pages
        self.posts = posts
        self.wake = wake
        chain.register("facebook", self.already)

    async def already(self, notice: Notice) -> set[str]:
        """The members whose join this event already put on a Page."""
        return {str(doc["user_id"]) for doc in await self.posts.by_event(notice.event_id)
                if doc.get("user_id")}  # fmt: skip

    # -- members' joins ---------------------------------------------------------------------

    async def registered(self, event: Envelope[UserRegistered]) -> None:
        """ "Ann joined Jumo", to Jumo's Page."""
        # The opt-in made at sign-up must be known, whichever queue runs first.
        await self.projections.on_registered(event)
        data = event.data
        for addressed in await self.notices.registered(event):
            if addressed.notice.kind == "welcome":
                text = f"{data.display_name} joined Jumo"
                await self._join(addressed, data.user_id, f"welcome:{data.user_id}", text, "/")

    async def cause_joined(self, event: Envelope[CauseJoined]) -> None:
        """ "Ann joined the cause Clean Water", to Jumo's Page."""
        data = event.data
        for addressed in await self.notices.cause_joined(event):
            notice = addressed.notice
            name = notice.actor.name if notice.actor else "Someone"
            cause = notice.subject.name if notice.subject else data.cause
            key, text = f"cause:{data.cause}:{data.user_id}", f"{name} joined the cause {cause}"
            await self._join(addressed, data.user_id, key, text, f"/causes/{data.cause}")

    async def accepted(self, event: Envelope[ApplicationAccepted]) -> None:
        """ "Ann now volunteers with Water for All", to the organization's Page."""
        data = event.data
        for addressed in await self.notices.application(cast(Envelope[ApplicationEvent], event)):
            await self._volunteers(addressed, data.volunteer_id, data.org_id, data.org_name)

    async def attested(self, event: Envelope[VolunteeringAttested]) -> None:
        """The same, when hours attested come before (or without) an accepted application."""
        data = event.data
        if data.visibility != "public":
            return  # shown to the volunteer's followers only: not on a public Page
        notice = Notice("application_accepted", str(event.id), event.occurred_at,
                        actor=org_party(data.org.org_id, data.org.name),
                        subject=Party("opportunity", data.opportunity_id, data.opportunity_title,
                                      f"/opportunities/{data.opportunity_id}"),
                        org_id=data.org.org_id)  # fmt: skip
        addressed = Addressed(notice, [data.volunteer_id])
        await self._volunteers(addressed, data.volunteer_id, data.org.org_id, data.org.name)

    async def _volunteers(self, addressed: Addressed, user_id: str, org_id: str,
                          org_name: str) -> None:  # fmt: skip
        person = await self.store.person(user_id) or {}
        text = f"{person.get('name') or 'Someone'} now volunteers with {org_name}"
        await self._join(addressed, user_id, f"volunteers:{org_id}:{user_id}", text,
                         f"/orgs/{org_id}", org_id=org_id)  # fmt: skip

    async def _join(self, addressed: Addressed, user_id: str, key: str, text: str, path: str,
                    *, org_id: str | None = None) -> None:  # fmt: skip
        """Intend a member's join post, if it has a Page to go to and the chain allows it on
        the facebook channel."""
        page_id = await self._page_of(org_id)
        if page_id is None:
            return
        now = datetime.now(UTC)
        if await self.chain.allowed(addressed.notice, [user_id], "facebook", now):
            await self._intend(key, addressed.notice, page_id, text, path, user_id=user_id,
                               org_id=org_id)  # fmt: skip

    # -- organizations' own news ------------------------------------------------------------

    async def opportunity(self, event: Envelope[OpportunityPublished]) -> None:
        """A new opportunity, to its organization's Page if it asked for that."""
        snapshot = event.data.opportunity
        org_id = snapshot.org.org_id
        page_id = await self._page_of(org_id, wants="post_opportunities")
        if page_id is None:
            return
        text = f"{snapshot.org.name} needs volunteers: {snapshot.title}"
        notice = Notice("opportunity_match", str(event.id), event.occurred_at)
        await self._intend(f"opportunity:{snapshot.opportunity_id}", notice, page_id, text,
                           snapshot.url_path, org_id=org_id)  # fmt: skip

    async def news(self, event: Envelope[PostPublished]) -> None:
        """An organization's news post, to its Page if it asked for that."""
        data = event.data
        org_id = data.org.org_id
        page_id = await self._page_of(org_id, wants="post_news")
        if page_id is None:
            return
        text = f"{data.title}\n\n{data.excerpt}".strip()
        notice = Notice("org_post", str(event.id), event.occurred_at)
        await self._intend(f"news:{data.post_id}", notice, page_id, text,
                           f"/orgs/{org_id}/posts/{data.post_id}", org_id=org_id)  # fmt: skip

    # -- where posts go ---------------------------------------------------------------------

    async def _page_of(self, org_id: str | None, wants: str | None = None) -> str | None:
        """The Page a post goes to now: Jumo's (``org_id`` None), or the organization's linked
        one (and it ``wants`` this kind of post); None: nowhere."""
        if org_id is None:
            return self.settings.jumo_page_id or None
        link = await self.pages.link(org_id)
        if link is None or (wants is not None and not link.get(wants)):
            return None
        return str(link["page_id"])

    async def _intend(self, key: str, notice: Notice, page_id: str, text: str, path: str, *,
                      user_id: str | None = None, org_id: str | None = None) -> None:  # fmt: skip
        ref = marker_ref(key)
        link = f"{self.settings.public_base_url}{path}?ref={ref}"
        doc = {"_id": key, "ref": ref, "kind": notice.kind, "event_id": notice.event_id,
               "target": "org" if org_id else JUMO, "org_id": org_id, "page_id": page_id,
               "user_id": user_id, "message": f"{text}\n{link}", "link": link,
               "state": "pending", "created_at": datetime.now(UTC)}  # fmt: skip
        if await self.posts.intend(doc, datetime.now(UTC)):
            log.info("facebook post intended", key=key, page_id=page_id)
        self.wake()
