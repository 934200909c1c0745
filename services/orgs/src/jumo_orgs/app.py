"""The orgs application: one place that assembles every dependency.

``create_app(settings)`` builds the app; its cleanup contexts start, in order: MongoDB (with
orgs' indexes), the access-token verifier (identity's JWKS), the service objects (with their
outbox), the bus (which relays the outbox and consumes ``user.*``) and the housekeeping task.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web

from jumo_common.bus import bus_context
from jumo_common.jwt import jwt_context
from jumo_common.logging import get_logger
from jumo_common.mongo import MONGO_DB, WRITE_CLAIMS, Database, mongo_context, purge_claims
from jumo_common.outbox import Outbox
from jumo_common.web import OpenApiInfo, create_base_app
from jumo_orgs.api import install_routes
from jumo_orgs.applications import Applications
from jumo_orgs.attendance import Attendance, StoredEngagements
from jumo_orgs.calendar import Calendar
from jumo_orgs.causes import Causes
from jumo_orgs.consumers import handlers
from jumo_orgs.deps import deps_of
from jumo_orgs.following import Following
from jumo_orgs.matching import Matching
from jumo_orgs.moderation import Hideable, Moderation
from jumo_orgs.news import News
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.opportunity_invitations import Invitations
from jumo_orgs.organizations import Organizations
from jumo_orgs.record import VolunteeringRecord
from jumo_orgs.reviews import Reviews
from jumo_orgs.search import Search
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.signing import record_keys
from jumo_orgs.stats import OrgStats
from jumo_orgs.store import INDEXES, OUTBOX_COLLECTIONS, mongo_stores
from jumo_orgs.timers import Timers, timers_context
from jumo_orgs.typedefs import ORGS, Orgs

log = get_logger(__name__)
Context = Callable[[web.Application], AsyncIterator[None]]
# A write claim matters only while its write is in flight; a day is generous.
CLAIM_RETENTION = timedelta(days=1)
HOUSEKEEPING_EVERY_S = 3600.0


def build_orgs(settings: OrgsSettings, db: Database) -> Orgs:
    """Wire the service objects together."""
    outbox = Outbox(db, OUTBOX_COLLECTIONS)
    stores = mongo_stores(db, outbox)
    deps = deps_of(settings, stores)
    record = VolunteeringRecord(deps, record_keys(settings, stores.signing))
    organizations, news, reviews = Organizations(deps), News(deps), Reviews(deps, record)
    hiders: dict[str, Hideable] = {"org": organizations, "post": news, "review": reviews}
    timers = Timers()  # areas register their time-based steps here
    calendar = Calendar(deps)
    timers.register("calendar.reminders", calendar.send_reminders)
    timers.register("calendar.sweep", calendar.sweep)
    attendance = Attendance(deps, Opportunities(deps), StoredEngagements(stores.applications))
    timers.register("attendance.purge_codes", attendance.sweep)
    opportunities = Opportunities(deps)
    timers.register("opportunities.close_due", opportunities.close_due)
    timers.register("opportunities.repair_index", opportunities.repair_index)
    applications = Applications(deps, opportunities)
    opportunities.taken = applications  # remaining places are counted from its seats
    opportunities.on_places_added.append(applications.places_added)
    timers.register("applications.expire_due", applications.expire_due)
    timers.register("applications.promote_waiting", applications.promote_waiting)
    org_stats = OrgStats(deps, Opportunities(deps))
    matching = Matching(deps, org_stats)  # responsiveness: the figures' median answer time
    invitations = Invitations(deps, matching, applications)
    return Orgs(
        settings=settings, outbox=outbox, stores=stores, people=deps.people, access=deps.access,
        organizations=organizations, causes=Causes(deps), following=Following(deps),
        news=news, reviews=reviews, search=Search(deps), moderation=Moderation(deps, hiders),
        attendance=attendance, record=record, org_stats=org_stats, matching=matching,
        invitations=invitations,
        opportunities=opportunities, applications=applications, timers=timers, calendar=calendar,
    )  # fmt: skip


def orgs_context(settings: OrgsSettings) -> Context:
    """The service objects."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        app[ORGS] = build_orgs(settings, app[MONGO_DB])
        yield

    return context


async def housekeep(orgs: Orgs, db: Database) -> int:
    """One round: old write claims, and the tombstones erasure left once their events went;
    search's rows that an interrupted write left behind are repaired too (not counted: they
    are logged)."""
    purged = await purge_claims(db[WRITE_CLAIMS], datetime.now(UTC) - CLAIM_RETENTION)
    purged += await orgs.causes.sweep()
    purged += await orgs.following.sweep()
    if repaired := await orgs.search.repair():
        log.info("search index repaired", organizations=repaired)
    return purged


async def _housekeeping(orgs: Orgs, db: Database) -> None:
    while True:
        await asyncio.sleep(HOUSEKEEPING_EVERY_S)
        try:
            purged = await housekeep(orgs, db)
            if purged:
                log.info("old claims and erasure tombstones deleted", count=purged)
        except Exception:
            log.exception("housekeeping failed; will try again")


def housekeeping_context() -> Context:
    """Deletes old write claims and erasure tombstones now and then (no TTL indexes here), and
    repairs search's index (hourly: the repair reads every organization's version)."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_housekeeping(app[ORGS], app[MONGO_DB]), name="housekeeping")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


def create_app(settings: OrgsSettings) -> web.Application:
    """The orgs application (nothing connects until it starts)."""
    info = OpenApiInfo(title="jumo orgs", version="1.0.0", description=API_DESCRIPTION)
    app = create_base_app(settings, openapi_info=info)
    app.cleanup_ctx.extend(
        [
            mongo_context(settings, INDEXES),
            jwt_context(settings),
            orgs_context(settings),
            bus_context(
                settings,
                outbox=lambda app: app[ORGS].outbox,
                handlers=lambda app: handlers(app[ORGS]),
            ),
            housekeeping_context(),
            timers_context(lambda app: app[ORGS].timers, settings.timers_interval_s),
        ]
    )
    install_routes(app)
    return app


API_DESCRIPTION = (
    "Organizations and their people, causes, following organizations, news, reviews and "
    "moderation. Authenticate with `Authorization: Bearer <access token>` (identity's)."
)
