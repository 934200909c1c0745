"""What a notification is, independent of storage: its kinds, their channels and default
preferences, the sentence each kind renders to (alone and grouped), and its time-ordered number.

A ``Notice`` is what one domain event says to its recipients (one ``Notice``, many people); a
notification is one recipient's copy of it, stored once per (event, person, kind) whatever the
redeliveries (its ``_id`` is ``notification_id``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

Kind = Literal[
    "welcome",
    "friend_joined",
    "followed",
    "follow_requested",
    "joined_cause",
    "application_received",
    "application_accepted",
    "application_declined",
    "application_waitlisted",
    "application_promoted",
    "application_expired",
    "org_verified",
    "org_rejected",
    "event_tomorrow",
    "opportunity_match",
    "org_post",
    "email_stopped",
    "page_link_broken",
]
KINDS: tuple[Kind, ...] = get_args(Kind)
Channel = Literal["in_app", "email", "facebook"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)

# The kinds whose Facebook channel means "show that I joined" on a Page: a member's opt-in
# (off by default: the 2010 launch was criticised for posting without asking).
FACEBOOK_KINDS: frozenset[Kind] = frozenset({"welcome", "joined_cause", "application_accepted"})
# The kinds that email by default: what a person must not miss. The rest waits for the digest.
EMAIL_BY_DEFAULT: frozenset[Kind] = frozenset(
    {
        "follow_requested",
        "application_received",
        "application_accepted",
        "application_declined",
        "application_waitlisted",
        "application_promoted",
        "application_expired",
        "org_verified",
        "org_rejected",
        "event_tomorrow",
    }
)


def default_channels(kind: Kind) -> dict[Channel, bool]:
    """A kind's channels before the person chose: in the app always, by email if it matters,
    on Facebook never."""
    channels: dict[Channel, bool] = {"in_app": True, "email": kind in EMAIL_BY_DEFAULT}
    if kind in FACEBOOK_KINDS:
        channels["facebook"] = False
    return channels


@dataclass(frozen=True)
class Party:
    """Someone or something a notification names: a person, an organization, an opportunity,
    a calendar event, a cause. ``url`` is its page on the platform (a path)."""

    kind: Literal["person", "org", "opportunity", "event", "cause", "post"]
    id: str
    name: str
    url: str | None = None

    def as_doc(self) -> dict[str, Any]:
        """How it is stored inside a notification."""
        return {"kind": self.kind, "id": self.id, "name": self.name, "url": self.url}


@dataclass(frozen=True)
class Notice:
    """What one event tells its recipients.

    ``actor``: who did it (a person or an organization; a recipient may have blocked them);
    ``subject``: what it is about; ``org_id``: the organization whose follow settings decide
    (posts); ``important``: the post was marked important; ``group``: notices of one group key
    show as one line ("Ann and 4 others followed Water for All")."""

    kind: Kind
    event_id: str
    at: datetime
    actor: Party | None = None
    subject: Party | None = None
    org_id: str | None = None
    important: bool = False
    group: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def notification_id(notice: Notice, recipient: str) -> str:
    """The one notification of ``notice`` for ``recipient``: redeliveries find it taken."""
    return f"{notice.kind}:{notice.event_id}:{recipient}"


def number_of(at: datetime, key: str) -> int:
    """A time-ordered number (ms x 1024 + 10 bits of the key's hash): the same on every
    redelivery, distinct for notices of one millisecond, below 2⁵³ (safe in JSON)."""
    return int(at.timestamp() * 1000) * 1024 + zlib.crc32(key.encode()) % 1024


# -- sentences --------------------------------------------------------------------------------

SENTENCES: dict[Kind, str] = {
    "welcome": "Welcome to Jumo, {actor}! Share that you joined.",
    "friend_joined": "Your friend {actor} joined Jumo",
    "followed": "{actors} followed {subject}",
    "follow_requested": "{actors} asked to follow you",
    "joined_cause": "You joined the cause {subject}. Share it with your friends.",
    "application_received": "{actors} applied to {subject}",
    "application_accepted": "{actor} accepted you for {subject}",
    "application_declined": "{actor} declined your application to {subject}: {reason}",
    "application_waitlisted": "You are on the waiting list of {subject} ({actor})",
    "application_promoted": "A place opened up: you are in for {subject} ({actor})",
    "application_expired": "Your application to {subject} expired without an answer",
    "org_verified": "{subject} is verified: it can now publish opportunities",
    "org_rejected": "{subject} was not verified: {reason}",
    "event_tomorrow": "Tomorrow: {subject}",
    "opportunity_match": "{actor} needs help near you: {subject}",
    "org_post": "{actor} posted: {subject}",
    "email_stopped": "We stopped emailing you: {reason}",
    "page_link_broken": "Jumo can no longer post to the Facebook Page of {subject}: {reason}. "
    "Link it again.",
}
DECLINE_REASONS = {
    "not_a_fit": "not a fit this time",
    "no_places": "no places left",
    "requirements_not_met": "the requirements are not met",
    "other": "see their message",
}


def actors_phrase(names: Sequence[str], count: int) -> str:
    """ "Ann", "Ann and Bob", "Ann and 4 others"."""
    if not names:
        return "Someone"
    if count <= 1:
        return names[0]
    if count == 2 and len(names) >= 2:
        return f"{names[0]} and {names[1]}"
    others = count - 1
    return f"{names[0]} and {others} other{'s' if others > 1 else ''}"


def render(kind: Kind, doc: dict[str, Any], actor_names: Sequence[str], count: int) -> str:
    """The sentence of a notification (``doc``) or of a group of ``count`` like it."""
    subject = doc.get("subject") or {}
    actor = doc.get("actor") or {}
    subject_name = subject.get("name") or ("you" if kind == "followed" else "")
    if kind == "followed" and subject.get("kind") == "person":
        subject_name = "you"
    data = doc.get("data") or {}
    reason = data.get("reason_text") or DECLINE_REASONS.get(data.get("reason", ""), "")
    return SENTENCES[kind].format(
        actor=actor.get("name") or "Someone",
        actors=actors_phrase(actor_names, count),
        subject=subject_name,
        reason=reason or "no reason given",
    )
