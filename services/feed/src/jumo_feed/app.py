"""The feed application: one place that assembles every dependency.

``create_app(settings)`` builds the app; its cleanup contexts start, in order: MongoDB (with
feed's indexes), the access-token verifier (identity's JWKS), Redis (the timelines), the
service objects, the bus (which consumes the events and feed's own fan-out batches) and the
loading of the follower sets into Redis when the cache started empty.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

from aiohttp import web
from redis.asyncio import BlockingConnectionPool, Redis

from jumo_common.bus import BUS_KEY, bus_context
from jumo_common.events import Envelope
from jumo_common.events.feed import FanoutBatch
from jumo_common.jwt import jwt_context
from jumo_common.logging import get_logger
from jumo_common.mongo import MONGO_DB, mongo_context
from jumo_common.web import (
    OpenApiInfo,
    add_readiness_check,
    add_routes,
    create_base_app,
    remove_readiness_check,
)
from jumo_feed.activities import Activities
from jumo_feed.api import routes
from jumo_feed.consumers import handlers
from jumo_feed.deps import Deps, PublishBatches
from jumo_feed.fanout import Fanout
from jumo_feed.graph import Graph
from jumo_feed.people import People
from jumo_feed.reading import Reading
from jumo_feed.settings import FeedSettings
from jumo_feed.store import INDEXES, FeedStore
from jumo_feed.timelines import Timelines
from jumo_feed.typedefs import FEED, Feed

log = get_logger(__name__)
Context = Callable[[web.Application], AsyncIterator[None]]
REDIS: web.AppKey[Redis] = web.AppKey("jumo_feed_redis")
GRAPH_CHECK_S = 5.0
REDIS_POOL = 50  # connections per process; Redis runs one command at a time anyway


def build_feed(deps: Deps) -> Feed:
    """Wire the service objects together."""
    fanout = Fanout(deps)
    return Feed(
        deps=deps,
        people=People(deps),
        graph=Graph(deps),
        activities=Activities(deps, fanout),
        fanout=fanout,
        reading=Reading(deps),
    )


def redis_context(settings: FeedSettings) -> Context:
    """The Redis client, with a readiness check."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        # A blocking pool: past its size a request waits for a connection (up to the timeout)
        # instead of failing with "Too many connections" (300 reads at once answered 127 500s).
        pool = BlockingConnectionPool.from_url(settings.redis_url, max_connections=REDIS_POOL,
                                               timeout=5, socket_timeout=5,
                                               socket_connect_timeout=3)  # fmt: skip
        redis = Redis(connection_pool=pool)
        app[REDIS] = redis
        add_readiness_check(app, "redis", lambda: _ping(redis))
        yield
        remove_readiness_check(app, "redis")
        await redis.aclose()

    return context


async def _ping(redis: Redis) -> None:
    await redis.ping()


def batch_publisher(app: web.Application) -> PublishBatches:
    """Publishes fan-out batches with the bus's confirms (the bus starts after the service
    objects, so it is looked up when a batch is sent)."""

    async def publish(batches: Sequence[Envelope[FanoutBatch]]) -> None:
        outcomes = await app[BUS_KEY].publisher.publish_many(batches)
        failed = [outcome for outcome in outcomes if outcome is not None]
        if failed:
            raise failed[0]  # the event is retried: batches already sent are harmless twice

    return publish


def feed_context(settings: FeedSettings) -> Context:
    """The service objects."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        timelines = Timelines(app[REDIS], settings.redis_prefix, settings.timeline_cap,
                              settings.active_days * 86_400)  # fmt: skip
        deps = Deps(settings, FeedStore(app[MONGO_DB]), timelines, batch_publisher(app))
        app[FEED] = build_feed(deps)
        yield

    return context


async def _load_graph(feed: Feed) -> None:
    """Load the follower sets whenever Redis lacks them (at start, and after Redis lost its
    data while feed runs: a restart or a flush); a cheap check every few seconds."""
    while True:
        try:
            await feed.graph.load_followers()
        except Exception:
            log.exception("loading the follower sets failed; will try again")
        await asyncio.sleep(GRAPH_CHECK_S)


def graph_context() -> Context:
    """When Redis lost the follower sets (or never had them), load them from MongoDB."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_load_graph(app[FEED]), name="load-graph")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


def create_app(settings: FeedSettings) -> web.Application:
    """The feed application (nothing connects until it starts)."""
    info = OpenApiInfo(title="jumo feed", version="1.0.0", description=API_DESCRIPTION)
    app = create_base_app(settings, openapi_info=info)
    app.cleanup_ctx.extend(
        [
            mongo_context(settings, INDEXES),
            jwt_context(settings),
            redis_context(settings),
            feed_context(settings),
            bus_context(settings, handlers=lambda app: handlers(app[FEED])),
            graph_context(),
        ]
    )
    add_routes(app, routes)
    return app


API_DESCRIPTION = (
    "Your home feed: what the organizations and people you follow do, each item with the "
    "reasons it is there. Authenticate with `Authorization: Bearer <access token>` (identity's)."
)
