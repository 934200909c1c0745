"""The Facebook channel, assembled: linked Pages (``page_links``), the posts the events call for
(``publishing``), the poster that makes them exactly once (``poster``), and where each goes
(``page_targets``). ``app.py`` builds it once (``build_facebook``) and runs its poster
(``facebook_context``); ``consumers.py`` subscribes its handlers on ``notifier.facebook``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiohttp import web

from jumo_common.metrics import METRICS_REGISTRY, add_gauge
from jumo_common.mongo import IndexSpec
from jumo_notifier.chain import Chain
from jumo_notifier.inbox import Inbox
from jumo_notifier.notices import Notices
from jumo_notifier.page_links import PageLinks
from jumo_notifier.page_store import PAGE_INDEXES, PageStore
from jumo_notifier.page_targets import Targets
from jumo_notifier.post_store import POST_INDEXES, PostStore
from jumo_notifier.poster import GraphSession, Poster, PostMetrics
from jumo_notifier.projections import Projections
from jumo_notifier.publishing import Publishing
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import NotifierStore

INDEXES: tuple[IndexSpec, ...] = (*PAGE_INDEXES, *POST_INDEXES)


@dataclass
class FacebookChannel:
    """The Facebook side of notifier."""

    links: PageLinks
    pages: PageStore
    posts: PostStore
    poster: Poster
    publishing: Publishing

    async def forget(self, user_id: str) -> None:
        """Erase a person here: the posts of their joins (made or not), their logins under way;
        the links they made stay with their organizations, no longer naming them."""
        await self.posts.forget(user_id)
        await self.pages.forget(user_id)


def build_facebook(settings: NotifierSettings, store: NotifierStore, chain: Chain,
                   notices: Notices, projections: Projections,
                   inbox: Inbox) -> FacebookChannel:  # fmt: skip
    """Wire the Facebook channel's objects together."""
    pages, posts = PageStore(store.db), PostStore(store.db)
    graph = GraphSession(settings.facebook)
    links = PageLinks(settings, store, pages, graph.client)
    targets = Targets(settings, store, links, pages, inbox)
    poster = Poster(settings, posts, pages, graph, targets.resolve, targets.link_broken)
    publishing = Publishing(settings, store, chain, notices, projections, pages, posts,
                            poster.wake)  # fmt: skip
    return FacebookChannel(links, pages, posts, poster, publishing)


def facebook_context(
    channel: Callable[[web.Application], FacebookChannel],
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Run this process's poster; its counters and the blocked Pages' gauge in ``/metrics``."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        facebook = channel(app)
        if METRICS_REGISTRY in app:
            facebook.poster.metrics = PostMetrics(app[METRICS_REGISTRY])
        add_gauge(app, "jumo_notifier_facebook_pages_blocked",
                  "Facebook Pages blocked for abuse (368): posting to them stopped; look at them",
                  lambda: facebook.poster.blocked_pages)  # fmt: skip
        async with facebook.poster.running():
            yield

    return context
