"""identity's AppKeys and the service-objects dataclass that ``app.py`` stores under them.

A home of its own so that routes (``api``) and the factory (``app``) both reach the service
objects without importing each other: this module imports only the modules whose objects it
names, none of which imports it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from jumo_common.outbox import Outbox
from jumo_facebook import FacebookClient
from jumo_identity.accounts import Accounts
from jumo_identity.callbacks import FacebookCallbacks
from jumo_identity.graph import Graph
from jumo_identity.login import LoginFlow
from jumo_identity.sessions import Sessions
from jumo_identity.settings import IdentitySettings
from jumo_identity.signing import KeyRingManager
from jumo_identity.store import Store
from jumo_identity.store_auth import AuthStore


@dataclass
class Identity:
    """The service's objects, built once per application (``app.build_identity``)."""

    settings: IdentitySettings
    outbox: Outbox
    store: Store
    auth: AuthStore
    keyring: KeyRingManager
    sessions: Sessions
    login: LoginFlow
    accounts: Accounts
    graph: Graph
    callbacks: FacebookCallbacks


IDENTITY = web.AppKey("jumo_identity", Identity)
FACEBOOK = web.AppKey("jumo_identity_facebook", FacebookClient)
