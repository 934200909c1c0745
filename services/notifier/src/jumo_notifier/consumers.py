"""The events notifier consumes, and which handler reacts to each: the one place that subscribes.

Queues (``<prefix>notifier.<name>``, each with its dead-letter queue):

    notifier.people    the people projection (user.registered, user.updated)
    notifier.orgs      organizations and their people, follows, causes; the digests' posts
                       and answers to calendar events (``mailing.projections``)
    notifier.notices   in-app notifications: every event that notifies someone, turned into
                       notices (``notices.Notices``), run through the chain, stored once
    notifier.email     email: the same events, through the chain, each email sent at most
                       once per (person, event) (``mail.Mail``)
    notifier.facebook  members' joins (with their opt-in) and organizations' news posted to
                       Facebook Pages, each once (``publishing.Publishing``, ``poster``)
    notifier.erasure   user.deleted, so that an erasure never waits behind a fan-out

Each channel consumes the domain events on a queue of its own (email, Facebook), so a slow
SMTP relay or a throttled Page never holds up the app's notifications.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from jumo_common.bus import EventHandler, Subscription, Subscriptions, on
from jumo_common.events import Envelope, EventData
from jumo_common.events.applications import (
    ApplicationAccepted,
    ApplicationDeclined,
    ApplicationExpired,
    ApplicationPromoted,
    ApplicationSubmitted,
    ApplicationWaitlisted,
)
from jumo_common.events.calendar import EventReminder
from jumo_common.events.identity import (
    UserDeleted,
    UserFollowed,
    UserFollowRequested,
    UserRegistered,
    UserUpdated,
)
from jumo_common.events.opportunities import OpportunityPublished
from jumo_common.events.orgs import (
    CauseJoined,
    CauseLeft,
    OrgCreated,
    OrgFollowChanged,
    OrgFollowed,
    OrgMemberAdded,
    OrgMemberRemoved,
    OrgRejected,
    OrgUnfollowed,
    OrgUpdated,
    OrgVerified,
    PostPublished,
)
from jumo_common.events.record import VolunteeringAttested
from jumo_notifier.mailing import projections as mail_projections
from jumo_notifier.notices import Addressed, Notices
from jumo_notifier.publishing import Publishing
from jumo_notifier.typedefs import Notifier

E = TypeVar("E", bound=EventData)
Builder = Callable[[Envelope[E]], Awaitable[list[Addressed]]]
Deliver = Callable[[Addressed], Awaitable[int]]


def notifying(builder: Builder[E], deliver: Deliver) -> Callable[[Envelope[E]], Awaitable[None]]:
    """A handler that turns an event into notices and delivers each on one channel."""

    async def handle(event: Envelope[E]) -> None:
        for addressed in await builder(event):
            if addressed.recipients:
                await deliver(addressed)

    return handle


def builders(notices: Notices, notifier: Notifier) -> Sequence[tuple[type[Any], Builder[Any]]]:
    """Every event that notifies someone, with the builder of its notices."""

    async def registered(event: Envelope[UserRegistered]) -> list[Addressed]:
        # The welcome must not depend on which queue ran first: project the person here too
        # (the same write as the people queue's, applied once).
        await notifier.projections.on_registered(event)
        return await notices.registered(event)

    return (
        (UserRegistered, registered),
        (UserFollowed, notices.user_followed),
        (UserFollowRequested, notices.follow_requested),
        (OrgFollowed, notices.org_followed),
        (OrgVerified, notices.moderated),
        (OrgRejected, notices.moderated),
        (PostPublished, notices.post),
        (ApplicationSubmitted, notices.application),
        (ApplicationAccepted, notices.application),
        (ApplicationDeclined, notices.application),
        (ApplicationWaitlisted, notices.application),
        (ApplicationPromoted, notices.application),
        (ApplicationExpired, notices.application),
        (EventReminder, notices.reminder),
        (CauseJoined, notices.cause_joined),
        (OpportunityPublished, notices.opportunity),
    )


def channel(name: str, deliver: Deliver, notifier: Notifier) -> list[Subscription[Any]]:
    """One channel's subscriptions, on its own queue ``notifier.<name>``.

    Without the consumer's claim, which would cost two writes per event for nothing: each
    channel delivers once by a record of its own — a notification's ``_id`` is its (event,
    recipient), inserted once and handed to the live streams only when new (``Inbox``); each
    email is recorded by an exclusive insert before it is sent (``Mail``)."""
    return [
        on(model, notifying(build, deliver), name=name, isolated=True, claimed=False)
        for model, build in builders(notifier.notices, notifier)
    ]


def projection(model: type[E], handler: EventHandler[E], queue: str) -> Subscription[E]:
    """A handler that keeps a projection, on ``notifier.people`` or ``notifier.orgs``.

    Each applies a versioned state (a person's profile, an organization's name, a member's
    role, a follow, a cause membership, by the producer's version or ``seq``): a duplicate
    applies nothing, claimed or not, so it runs without the consumer's claim (two database
    writes fewer per event: the claim and its "done")."""
    return on(model, handler, name=queue, isolated=True, claimed=False)


def facebook(publishing: Publishing) -> list[Subscription[Any]]:
    """The Facebook channel's handlers, on ``notifier.facebook``."""
    return [
        on(UserRegistered, publishing.registered, name="facebook", isolated=True),
        on(CauseJoined, publishing.cause_joined, name="facebook", isolated=True),
        on(ApplicationAccepted, publishing.accepted, name="facebook", isolated=True),
        on(VolunteeringAttested, publishing.attested, name="facebook", isolated=True),
        on(OpportunityPublished, publishing.opportunity, name="facebook", isolated=True),
        on(PostPublished, publishing.news, name="facebook", isolated=True),
    ]


def handlers(notifier: Notifier) -> Subscriptions:
    """notifier's subscriptions, built from its service objects."""
    kept = notifier.projections
    return Subscriptions(
        projection(UserRegistered, kept.on_registered, "people"),
        projection(UserUpdated, kept.on_updated, "people"),
        projection(OrgCreated, kept.on_org_created, "orgs"),
        projection(OrgUpdated, kept.on_org_updated, "orgs"),
        projection(OrgMemberAdded, kept.on_member_added, "orgs"),
        projection(OrgMemberRemoved, kept.on_member_removed, "orgs"),
        projection(OrgFollowed, kept.on_followed, "orgs"),
        projection(OrgFollowChanged, kept.on_followed, "orgs"),
        projection(OrgUnfollowed, kept.on_unfollowed, "orgs"),
        projection(CauseJoined, kept.on_cause, "orgs"),
        projection(CauseLeft, kept.on_cause, "orgs"),
        *channel("notices", notifier.inbox.deliver, notifier),
        *channel("email", notifier.mailing.mail.deliver, notifier),
        *mail_projections(notifier.mailing, "orgs"),
        *facebook(notifier.facebook.publishing),
        on(UserDeleted, kept.forget, name="erasure", isolated=True),
    )
