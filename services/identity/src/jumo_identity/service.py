"""The service's objects and how they are wired (``app.py`` builds them into the app).

Kept apart from ``app.py`` so that ``api.py`` can reach them through ``IDENTITY`` without
importing the application factory that imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from jumo_common.mongo import Database
from jumo_facebook import FacebookClient
from jumo_identity.accounts import Accounts
from jumo_identity.callbacks import FacebookCallbacks
from jumo_identity.crypto import Sealer
from jumo_identity.graph import Graph
from jumo_identity.keyring import KeyRingManager
from jumo_identity.login import LoginFlow
from jumo_identity.sessions import Sessions
from jumo_identity.settings import IdentitySettings
from jumo_identity.store import Store
from jumo_identity.store_auth import AuthStore
from jumo_identity.tokens import TokenPolicy


@dataclass
class Identity:
    """The service's objects, built once per application."""

    settings: IdentitySettings
    store: Store
    auth: AuthStore
    keyring: KeyRingManager
    sessions: Sessions
    login: LoginFlow
    accounts: Accounts
    graph: Graph
    callbacks: FacebookCallbacks


IDENTITY = web.AppKey("jumo_identity", Identity)


def token_policy(settings: IdentitySettings) -> TokenPolicy:
    """Issuer, audience and lifetimes from the settings."""
    return TokenPolicy(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl=timedelta(seconds=settings.access_token_ttl_s),
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_s),
    )


def keyring_for(settings: IdentitySettings, auth: AuthStore, sealer: Sealer) -> KeyRingManager:
    """The key ring manager configured by the settings."""
    return KeyRingManager(
        auth,
        sealer,
        cache_ttl_s=settings.key_cache_ttl_s,
        activation_delay_s=settings.key_activation_delay_s,
    )


def build_identity(
    settings: IdentitySettings, db: Database, facebook: FacebookClient, notify: Callable[[], None]
) -> Identity:
    """Wire the service objects together; ``notify`` wakes the outbox relay."""
    store, auth = Store(db), AuthStore(db)
    sealer = Sealer(settings.encryption_key_bytes())
    keyring = keyring_for(settings, auth, sealer)
    sessions = Sessions(auth, store, keyring, token_policy(settings))
    accounts = Accounts(store=store, auth=auth, sealer=sealer, facebook=facebook, notify=notify)
    login = LoginFlow(
        facebook=facebook, redirect_uri=settings.redirect_uri(),
        state_ttl=timedelta(seconds=settings.login_state_ttl_s), sealer=sealer, auth=auth,
        store=store, sessions=sessions, notify=notify,
    )  # fmt: skip
    callbacks = FacebookCallbacks(
        facebook=facebook, store=store, auth=auth, accounts=accounts, sealer=sealer,
        status_url=settings.deletion_status_url,
    )  # fmt: skip
    return Identity(
        settings, store, auth, keyring, sessions, login, accounts, Graph(store, notify), callbacks
    )
