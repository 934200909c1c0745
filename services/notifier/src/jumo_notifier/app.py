"""The notifier application: one place that assembles every dependency.

``create_app(settings)`` builds the app; its cleanup contexts start, in order: MongoDB (with
notifier's indexes), the access-token verifier (identity's JWKS), the service objects, then
the bus, which consumes the events on notifier's queues (``consumers``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import web

from jumo_common.bus import bus_context
from jumo_common.jwt import jwt_context
from jumo_common.mongo import MONGO_DB, mongo_context
from jumo_common.web import OpenApiInfo, add_routes, create_base_app
from jumo_notifier.api import routes
from jumo_notifier.chain import Chain
from jumo_notifier.consumers import handlers
from jumo_notifier.facebook import INDEXES as FACEBOOK_INDEXES
from jumo_notifier.facebook import build_facebook, facebook_context
from jumo_notifier.inbox import Inbox
from jumo_notifier.live import LiveHub
from jumo_notifier.mail_api import routes as mail_routes
from jumo_notifier.mail_store import INDEXES as MAIL_INDEXES
from jumo_notifier.mailing import build_mailing, loops_context
from jumo_notifier.notices import Notices
from jumo_notifier.page_api import routes as page_routes
from jumo_notifier.projections import Projections
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import INDEXES, NotifierStore
from jumo_notifier.typedefs import NOTIFIER, Notifier

Context = Callable[[web.Application], AsyncIterator[None]]


def build_notifier(settings: NotifierSettings, store: NotifierStore) -> Notifier:
    """Wire the service objects together."""
    chain = Chain(store, {})
    live = LiveHub()
    inbox = Inbox(settings, store, chain, live)
    mailing = build_mailing(settings, store, store.db, chain, inbox)
    projections = Projections(store)
    projections.also_forget.append(mailing.store.forget)
    notices = Notices(store, settings.default_radius_km)
    facebook = build_facebook(settings, store, chain, notices, projections, inbox)
    projections.also_forget.append(facebook.forget)
    return Notifier(
        settings=settings,
        store=store,
        chain=chain,
        notices=notices,
        projections=projections,
        inbox=inbox,
        live=live,
        mailing=mailing,
        facebook=facebook,
    )


def notifier_context(settings: NotifierSettings) -> Context:
    """The service objects."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        app[NOTIFIER] = build_notifier(settings, NotifierStore(app[MONGO_DB]))
        yield

    return context


def create_app(settings: NotifierSettings) -> web.Application:
    """The notifier application (nothing connects until it starts)."""
    info = OpenApiInfo(title="jumo notifier", version="1.0.0", description=API_DESCRIPTION)
    app = create_base_app(settings, openapi_info=info)
    app.cleanup_ctx.extend(
        [
            mongo_context(settings, (*INDEXES, *MAIL_INDEXES, *FACEBOOK_INDEXES)),
            jwt_context(settings),
            notifier_context(settings),
            bus_context(settings, handlers=lambda app: handlers(app[NOTIFIER])),
            loops_context(settings, lambda app: app[NOTIFIER].mailing),
            facebook_context(lambda app: app[NOTIFIER].facebook),
        ]
    )
    add_routes(app, routes)
    add_routes(app, mail_routes)
    add_routes(app, page_routes)
    return app


API_DESCRIPTION = (
    "Your notifications: in the app (and live, as Server-Sent Events), by email, and — when "
    "you opt in — on Facebook Pages, where Jumo shows that you joined. Authenticate with "
    "`Authorization: Bearer <access token>` (identity's)."
)
