"""notifier's service objects, assembled once by ``app.build_notifier``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from jumo_notifier.chain import Chain
from jumo_notifier.facebook import FacebookChannel
from jumo_notifier.inbox import Inbox
from jumo_notifier.live import LiveHub
from jumo_notifier.mailing import Mailing
from jumo_notifier.notices import Notices
from jumo_notifier.projections import Projections
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import NotifierStore


@dataclass
class Notifier:
    """Every area of notifier."""

    settings: NotifierSettings
    store: NotifierStore
    chain: Chain
    notices: Notices
    projections: Projections
    inbox: Inbox
    live: LiveHub
    mailing: Mailing
    facebook: FacebookChannel


NOTIFIER: web.AppKey[Notifier] = web.AppKey("jumo_notifier")
