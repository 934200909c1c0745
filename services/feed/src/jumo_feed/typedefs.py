"""feed's service objects, assembled once by ``app.build_feed``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from jumo_feed.activities import Activities
from jumo_feed.deps import Deps
from jumo_feed.fanout import Fanout
from jumo_feed.graph import Graph
from jumo_feed.people import People
from jumo_feed.reading import Reading


@dataclass
class Feed:
    """Every area of feed."""

    deps: Deps
    people: People
    graph: Graph
    activities: Activities
    fanout: Fanout
    reading: Reading


FEED: web.AppKey[Feed] = web.AppKey("jumo_feed")
