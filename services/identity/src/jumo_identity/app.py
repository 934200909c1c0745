"""The identity application: one place that assembles every dependency.

``create_app(settings)`` builds the app; its cleanup contexts start, in order: MongoDB (with
identity's indexes), the Facebook client, the service objects with the key ring (first key
created if none) and the local token verifier, the bus (which relays the service's outbox;
identity consumes nothing), and the housekeeping task. A test hands in what it needs through
``deps`` (e.g. a FacebookClient aimed at an in-process sandbox).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.typedefs import Handler

from jumo_common.bus import bus_context
from jumo_common.jwt import JWT_VERIFIER, JwksVerifier
from jumo_common.logging import get_logger
from jumo_common.mongo import MONGO_DB, Database, mongo_context
from jumo_common.outbox import Outbox
from jumo_common.web import OpenApiInfo, create_base_app
from jumo_facebook import FacebookClient
from jumo_identity.accounts import Accounts
from jumo_identity.api import install_routes
from jumo_identity.callbacks import FacebookCallbacks
from jumo_identity.consumers import handlers
from jumo_identity.crypto import Sealer
from jumo_identity.errors import SigningUnavailable
from jumo_identity.graph import Graph
from jumo_identity.login import LoginFlow
from jumo_identity.sessions import Sessions
from jumo_identity.settings import IdentitySettings
from jumo_identity.signing import KeyRingUnavailable, keyring_for
from jumo_identity.store import INDEXES, OUTBOX_COLLECTIONS, MongoStore
from jumo_identity.store_auth import MongoAuthStore
from jumo_identity.tokens import TokenPolicy
from jumo_identity.typedefs import FACEBOOK, IDENTITY, Identity

log = get_logger(__name__)
Context = Callable[[web.Application], AsyncIterator[None]]
# A write claim matters only while its write is in flight; a day is generous.
CLAIM_RETENTION = timedelta(days=1)


@dataclass
class Deps:
    """What a test (or another runner) may supply instead of the defaults."""

    facebook: FacebookClient | None = None


def facebook_context(settings: IdentitySettings, deps: Deps) -> Context:
    """The Facebook client (ours unless the caller supplied one; then the caller closes it)."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        if deps.facebook is not None:
            app[FACEBOOK] = deps.facebook
            yield
            return
        async with FacebookClient(settings.facebook) as client:
            app[FACEBOOK] = client
            yield

    return context


def token_policy(settings: IdentitySettings) -> TokenPolicy:
    """Issuer, audience and lifetimes from the settings."""
    return TokenPolicy(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl=timedelta(seconds=settings.access_token_ttl_s),
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_s),
    )


def build_identity(settings: IdentitySettings, db: Database, facebook: FacebookClient) -> Identity:
    """Wire the service objects together."""
    outbox = Outbox(db, OUTBOX_COLLECTIONS)
    store, auth = MongoStore(db, outbox), MongoAuthStore(db)
    sealer = Sealer(settings.encryption_key_bytes())
    keyring = keyring_for(settings, auth, sealer)
    sessions = Sessions(auth, store, keyring, token_policy(settings))
    accounts = Accounts(store=store, auth=auth, sealer=sealer, facebook=facebook)
    login = LoginFlow(
        facebook=facebook, redirect_uri=settings.redirect_uri(),
        state_ttl=timedelta(seconds=settings.login_state_ttl_s), sealer=sealer, auth=auth,
        store=store, sessions=sessions,
    )  # fmt: skip
    callbacks = FacebookCallbacks(
        facebook=facebook, store=store, auth=auth, accounts=accounts, sealer=sealer,
        status_url=settings.deletion_status_url,
    )  # fmt: skip
    return Identity(
        settings, outbox, store, auth, keyring, sessions, login, accounts, Graph(store), callbacks
    )


def identity_context(settings: IdentitySettings) -> Context:
    """The service objects, the key ring and the local access-token verifier."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        identity = build_identity(settings, app[MONGO_DB], app[FACEBOOK])
        await identity.keyring.ensure()
        app[IDENTITY] = identity
        # Identity verifies its own tokens from the database, never over HTTP; the interval is
        # short because a read is cheap, yet bounds what made-up kids can cost.
        app[JWT_VERIFIER] = JwksVerifier(
            identity.keyring.fresh_jwks,
            settings.jwt_issuer,
            settings.jwt_audience,
            refresh_min_interval_s=settings.jwks_refresh_min_interval_s,
            max_age_s=settings.key_cache_ttl_s,
        )
        yield

    return context


async def _housekeeping(identity: Identity, interval_s: float) -> None:
    while True:
        try:
            now = datetime.now(UTC)
            purged = await identity.auth.purge_expired(now)
            purged += await identity.store.purge_claims(now - CLAIM_RETENTION)
            if purged:
                log.info("expired states, tokens and claims deleted", count=purged)
        except Exception:
            log.exception("housekeeping failed; will try again")
        await asyncio.sleep(interval_s)


def housekeeping_context(settings: IdentitySettings) -> Context:
    """Deletes expired records now and then (FerretDB has no TTL indexes)."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(
            _housekeeping(app[IDENTITY], settings.housekeeping_interval_s), name="housekeeping"
        )
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


@web.middleware
async def key_ring_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An unreadable key ring is a 503 (identity's domain errors need nothing: the base app's
    error middleware answers every ``DomainError``)."""
    try:
        return await handler(request)
    except KeyRingUnavailable as exc:
        log.error("key ring unavailable", error=str(exc))
        raise SigningUnavailable("Tokens cannot be issued right now; try again.") from None


def create_app(settings: IdentitySettings, deps: Deps | None = None) -> web.Application:
    """The identity application (nothing connects until it starts)."""
    info = OpenApiInfo(title="jumo identity", version="1.0.0", description=API_DESCRIPTION)
    app = create_base_app(settings, openapi_info=info, middlewares=[key_ring_errors])
    app.cleanup_ctx.extend(
        [
            mongo_context(settings, INDEXES),
            facebook_context(settings, deps or Deps()),
            identity_context(settings),
            bus_context(
                settings,
                outbox=lambda app: app[IDENTITY].outbox,
                handlers=lambda app: handlers(app[IDENTITY]),
            ),
            housekeeping_context(settings),
        ]
    )
    install_routes(app)
    return app


API_DESCRIPTION = (
    "Sign-up and login with Facebook, Jumo's access and refresh tokens, profiles and the "
    "follow graph. Authenticate with `Authorization: Bearer <access token>`."
)
