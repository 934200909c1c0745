"""What a feed is made of, as plain values: activities, their numbers, timeline members and the
reasons an entry is in a timeline. No I/O here.

An activity has a **number**: its time in milliseconds times 1024 plus 10 bits of its key's
hash, so numbers sort by time, are the same however often an event is redelivered, and stay
below 2**53 (a Redis score is a double). A timeline **member** is ``number * 8 + reason``: the
reason an entry is there travels with it at no cost, and one activity that reaches a person
for two reasons (an organization they follow, a cause they joined) is two members, merged into
one item with two reasons when read.

Sources are strings: ``o:<org id>`` (an organization), ``u:<user id>`` (a person), ``c:<cause
slug>`` (a cause's members who asked for its opportunities).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Kind = Literal[
    "post", "opportunity", "event", "cause_joined", "org_followed", "volunteered", "review"
]
PERSON_KINDS: frozenset[str] = frozenset({"cause_joined", "org_followed", "volunteered", "review"})

REASON_ORG = 1  # you follow the organization
REASON_PERSON = 2  # you follow the person who did it
REASON_CAUSE = 3  # 3 + i: you joined causes[i] of the opportunity (i < MAX_CAUSES)
MAX_CAUSES = 5
# Any of them hides an activity. ``private``: its person's profile is private now;
# ``done_private``: it was when they did it, and it stays hidden when they go public.
HIDING = ("removed", "hidden", "org_hidden", "private", "done_private")
SENTINEL = "0"  # the member that keeps an empty timeline existing (score 0, never shown)


def activity_number(at: datetime, key: str) -> int:
    """The activity's number: time-ordered, deterministic, unique in practice."""
    return int(at.timestamp() * 1000) * 1024 + zlib.crc32(key.encode()) % 1024


def member(number: int, reason: int) -> int:
    """A timeline member: the activity and why it is there."""
    return number * 8 + reason


def split_member(value: int) -> tuple[int, int]:
    """(number, reason) of a timeline member."""
    return value // 8, value % 8


def org_source(org_id: str) -> str:
    """The source of an organization's activities."""
    return f"o:{org_id}"


def person_source(user_id: str) -> str:
    """The source of a person's activities."""
    return f"u:{user_id}"


def cause_source(slug: str) -> str:
    """The members of a cause who asked for its opportunities in their feed."""
    return f"c:{slug}"


def source_reason(source: str, causes: tuple[str, ...] = ()) -> int:
    """Why an activity from ``source`` is in a follower's timeline."""
    if source.startswith("o:"):
        return REASON_ORG
    if source.startswith("u:"):
        return REASON_PERSON
    return REASON_CAUSE + causes.index(source[2:])


def audiences(primary: str, causes: tuple[str, ...] = ()) -> list[tuple[str, int]]:
    """Who an activity reaches: its primary source's followers, then each cause's (the first
    MAX_CAUSES causes)."""
    found = [(primary, source_reason(primary))]
    for index, slug in enumerate(causes[:MAX_CAUSES]):
        found.append((cause_source(slug), REASON_CAUSE + index))
    return found


def cause_name(slug: str) -> str:
    """A cause's name from its slug (``clean-water`` → ``Clean Water``)."""
    return " ".join(part.capitalize() for part in slug.split("-") if part)


@dataclass(frozen=True)
class Activity:
    """One activity as feed renders it (stored once, whatever the number of timelines)."""

    key: str
    number: int
    kind: Kind
    source: str
    at: datetime
    snapshot: dict[str, object]
    org: dict[str, object] | None = None
    actor_id: str | None = None
    actor_name: str | None = None
    causes: tuple[str, ...] = ()
    visible: bool = True

    @property
    def org_name(self) -> str:
        """The organization's name, when it has one."""
        return str((self.org or {}).get("name") or "an organization")


def reason_text(activity: Activity, reason: int) -> str:
    """Why the activity is in your feed, as a sentence."""
    if reason == REASON_ORG:
        return f"You follow {activity.org_name}"
    if reason == REASON_PERSON:
        who = activity.actor_name or "Someone"
        return f"{who}, whom you follow, {did(activity)}"
    index = reason - REASON_CAUSE
    cause = activity.causes[index] if 0 <= index < len(activity.causes) else ""
    return f"You joined the cause {cause_name(cause)}"


def did(activity: Activity) -> str:
    """What a person did, as the end of a sentence."""
    if activity.kind == "cause_joined":
        return f"joined the cause {cause_name(str(activity.snapshot.get('cause', '')))}"
    if activity.kind == "org_followed":
        return f"followed {activity.org_name}"
    if activity.kind == "volunteered":
        return f"volunteered with {activity.org_name}"
    return f"reviewed {activity.org_name}"
