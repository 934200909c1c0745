"""Whether to notify: one visible chain of small named checks (Mastodon's NotifyService habit).

Each check looks at one ``Candidate`` (a notice, a recipient, a channel) and returns None to
let it through or the sentence saying why not. ``decide`` runs them in order and stops at the
first that says no; what stopped it is logged and counted, so "why did I not get it?" has an
answer. Duplicates are also refused by the store itself (a notification's ``_id`` is taken on
redelivery); the check keeps a second channel (email, Facebook) from even trying.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jumo_common.logging import get_logger
from jumo_common.mongo import Document
from jumo_notifier.model import Channel, Notice
from jumo_notifier.preferences import Preferences
from jumo_notifier.store import NotifierStore

# Per channel: the recipients a notice was already delivered to (one query per notice).
log = get_logger(__name__)
AlreadyDone = Callable[[Notice], Awaitable[set[str]]]


@dataclass
class Candidate:
    """One possible notification: ``notice`` to ``recipient`` on ``channel``."""

    notice: Notice
    recipient: str
    channel: Channel
    now: datetime
    person: Document | None = None
    preferences: Preferences = field(default_factory=Preferences)
    follow: Document | None = None
    blocked_actor: bool = False
    delivered: bool = False
    # Set by the quiet-hours check: when the held delivery may go.
    hold_until: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """What the chain said: ``stopped_by`` names the check that refused (None: notify)."""

    stopped_by: str | None = None
    why: str | None = None
    hold_until: datetime | None = None

    @property
    def notify(self) -> bool:
        """Whether the notification goes out (perhaps later: ``hold_until``)."""
        return self.stopped_by is None


Check = Callable[[Candidate, "Chain"], Awaitable[str | None]]


async def recipient_exists(candidate: Candidate, chain: Chain) -> str | None:
    """The recipient is someone notifier knows, and not deleted."""
    person = candidate.person
    if person is None:
        return "the recipient is unknown"
    if person.get("erased"):
        return "the recipient deleted their account"
    return None


async def email_reachable(candidate: Candidate, chain: Chain) -> str | None:
    """An email needs an address, and one whose email was not stopped (a permanent refusal by
    the relay, or unsubscribing from all email)."""
    if candidate.channel != "email":
        return None
    person = candidate.person or {}
    if not person.get("email"):
        return "the recipient has no email address"
    if person.get("email_stopped"):
        return f"email to the recipient stopped: {person['email_stopped']}"
    return None


async def not_blocked(candidate: Candidate, chain: Chain) -> str | None:
    """The recipient has not blocked who acted (a person or an organization)."""
    actor = candidate.notice.actor
    if actor is None or actor.id == candidate.recipient:
        return None
    if candidate.blocked_actor:
        return "the recipient blocked who acted"
    return None


async def follow_setting_allows(candidate: Candidate, chain: Chain) -> str | None:
    """For an organization's post: what the follower asked of it (all posts, important ones
    only, none)."""
    notice = candidate.notice
    if notice.kind != "org_post" or notice.org_id is None:
        return None
    follow = candidate.follow
    if follow is None or not follow.get("active"):
        return "the recipient does not follow the organization"
    wanted = follow.get("notify", "important")
    if wanted == "all" or (wanted == "important" and notice.important):
        return None
    return f"the recipient's follow setting is notify={wanted}"


async def preference_allows(candidate: Candidate, chain: Chain) -> str | None:
    """The recipient's preference for this kind allows this channel."""
    if candidate.preferences.allows(candidate.notice.kind, candidate.channel):
        return None
    return f"the recipient turned {candidate.notice.kind} off on {candidate.channel}"


async def not_duplicate(candidate: Candidate, chain: Chain) -> str | None:
    """One event, one notification per person and channel, whatever the redeliveries."""
    if candidate.delivered:
        return "already notified of this event"
    return None


async def outside_quiet_hours(candidate: Candidate, chain: Chain) -> str | None:
    """An email waits for the end of the recipient's quiet hours (the app keeps it silently)."""
    quiet = candidate.preferences.quiet_hours
    if candidate.channel != "email" or quiet is None:
        return None
    candidate.hold_until = quiet.holds(candidate.now)
    return None


# The recipient's own preference comes first: it is in memory, and what it refuses needs
# nothing else read (a post's 10,000 followers who get no email cost no profile reads).
CHECKS: tuple[Check, ...] = (
    preference_allows,
    recipient_exists,
    email_reachable,
    not_blocked,
    follow_setting_allows,
    not_duplicate,
    outside_quiet_hours,
)


class Chain:
    """The checks, with what they read: the store, and per channel how to tell that a
    delivery was already made."""

    def __init__(self, store: NotifierStore, already_done: Mapping[Channel, AlreadyDone],
                 checks: tuple[Check, ...] = CHECKS) -> None:  # fmt: skip
        self.store = store
        self.already_done = dict(already_done)
        self.checks = checks

    async def candidates(self, notice: Notice, recipients: Sequence[str], channel: Channel,
                         now: datetime, known: Mapping[str, Document] | None = None,
                         ) -> list[Candidate]:  # fmt: skip
        """Candidates with what the checks read loaded in a few queries, however many
        recipients (a post to 10,000 followers must not cost 50,000 queries).

        ``known``: documents the audience was found by (a post's follows), which show that
        the recipient exists and what they asked of the organization. People are read only
        for the recipients whose preference allows the channel and whom ``known`` does not
        vouch for, or when the channel needs their address (email)."""
        recipients = list(dict.fromkeys(recipients))
        known = known or {}
        stored = await self.store.preferences_by_ids(recipients)
        prefs = {user: Preferences.of(stored.get(user)) for user in recipients}
        wanted = [u for u in recipients if prefs[u].allows(notice.kind, channel)]
        needs_person = [u for u in wanted if channel == "email" or u not in known]
        people = await self.store.people_by_ids(needs_person)
        blockers = await self.store.blockers_of(notice.actor.id) if notice.actor else set()
        follows: Mapping[str, Document] = {}
        if notice.kind == "org_post" and notice.org_id:
            follows = known or {d["user"]: d for d in await self.store.followers(notice.org_id)}
        already = self.already_done.get(channel)
        delivered = await already(notice) if already else set()
        return [
            Candidate(notice, user, channel, now, people.get(user) or known.get(user),
                      prefs[user], follow=follows.get(user), blocked_actor=user in blockers,
                      delivered=user in delivered)
            for user in recipients
        ]  # fmt: skip

    async def allowed(self, notice: Notice, recipients: Sequence[str], channel: Channel,
                      now: datetime, known: Mapping[str, Document] | None = None,
                      ) -> list[tuple[Candidate, Decision]]:  # fmt: skip
        """The candidates the chain lets through, each with its decision."""
        passed = []
        stopped: Counter[str] = Counter()
        for candidate in await self.candidates(notice, recipients, channel, now, known):
            decision = await self.decide(candidate)
            if decision.notify:
                passed.append((candidate, decision))
            else:
                stopped[f"{decision.stopped_by}: {decision.why}"] += 1
        if stopped:
            # One line per notice and channel, however many recipients.
            log.info("not notified", kind=notice.kind, channel=channel, notified=len(passed),
                     stopped=dict(stopped))  # fmt: skip
        return passed

    async def decide(self, candidate: Candidate) -> Decision:
        """Run the checks in order; the first that refuses decides."""
        for check in self.checks:
            why = await check(candidate, self)
            if why is not None:
                return Decision(stopped_by=check.__name__, why=why)
        return Decision(hold_until=candidate.hold_until)

    def register(self, channel: Channel, already: AlreadyDone) -> None:
        """How ``channel`` tells that it already delivered a candidate."""
        self.already_done[channel] = already
