"""The email area assembled: the channel, the digests, the letters, unsubscribing; what it
consumes; its background loops.

Its subscriptions: the email channel on its own queue ``notifier.email`` (every event that
notifies someone, like the app's, and ``user.updated``: a new address after a refusal), and the
digests' projections on ``notifier.orgs`` (posts; answers to calendar events and their changes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from jumo_common.bus import Subscription, on
from jumo_common.events.calendar import EventCancelled, EventRsvped, EventUpdated
from jumo_common.events.identity import UserUpdated
from jumo_common.events.orgs import PostDeleted, PostHidden, PostPublished
from jumo_common.mongo import Database
from jumo_notifier.chain import Chain
from jumo_notifier.digests import Digests
from jumo_notifier.inbox import Inbox
from jumo_notifier.letters import Letters
from jumo_notifier.mail import Clock, Mail, running, utc_now
from jumo_notifier.mail_store import MailStore
from jumo_notifier.mailer import Mailer
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import NotifierStore
from jumo_notifier.unsubscribe import Tokens, Unsubscribes


@dataclass
class Mailing:
    """Every object of the email area."""

    store: MailStore
    tokens: Tokens
    letters: Letters
    mailer: Mailer
    mail: Mail
    digests: Digests
    unsubscribes: Unsubscribes


def build_mailing(
    settings: NotifierSettings,
    store: NotifierStore,
    db: Database,
    chain: Chain,
    inbox: Inbox,
    clock: Clock = utc_now,
) -> Mailing:
    """Wire the email area (the chain learns how email tells what it already sent)."""
    mail_store = MailStore(db)
    tokens = Tokens(settings.unsubscribe_key_bytes())
    letters = Letters(settings, tokens, inbox.share_url)
    mailer = Mailer(settings)
    mail = Mail(store, mail_store, chain, inbox, letters, mailer, clock)
    digests = Digests(settings, store, mail_store, mail, letters, mailer)
    return Mailing(
        mail_store, tokens, letters, mailer, mail, digests, Unsubscribes(store, mail_store)
    )


def projections(mailing: Mailing, queue: str) -> list[Subscription[Any]]:
    """The digests' projections, on ``queue`` (``notifier.orgs``); a new address after a
    refusal, on the email channel's own queue (``notifier.email``)."""
    digests = mailing.digests
    return [
        on(UserUpdated, mailing.mail.on_address_changed, name="email", isolated=True),
        on(PostPublished, digests.on_post, name=queue, isolated=True),
        on(PostDeleted, digests.on_post_deleted, name=queue, isolated=True),
        on(PostHidden, digests.on_post_hidden, name=queue, isolated=True),
        on(EventRsvped, digests.on_rsvp, name=queue, isolated=True),
        on(EventUpdated, digests.on_event_changed, name=queue, isolated=True),
        on(EventCancelled, digests.on_event_changed, name=queue, isolated=True),
    ]


def loops_context(
    settings: NotifierSettings, mailing_of: Callable[[web.Application], Mailing]
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context running the held-email and digest loops while the app runs."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        mailing = mailing_of(app)
        loops = [
            ("mail.release_held", settings.mail_release_interval_s, mailing.mail.release_held),
            ("digests.run_due", settings.digest_interval_s, mailing.digests.run_due),
        ]
        async with running(loops, mailing.mail.clock):
            yield

    return context
