"""orgs' calendar-event contracts (``event.*``): an organization's dated gatherings, the
answers people give (RSVPs) and the reminder a day before; edited by orgs' owners.

Order: an event about one calendar event carries ``version``, its document's version; an
answer carries ``seq``, the version of that person's RSVP document, so a consumer keeps the
highest it has seen. ``CalendarEventCard`` lets the feed render without calling orgs back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime

from jumo_common.events.envelope import EventData, event_type
from jumo_common.events.orgs import OrgCard

CalendarEventStatus = Literal["scheduled", "cancelled"]
Answer = Literal["going", "maybe", "declined"]
# Where an answer stands: going with a place, waiting for one, maybe, declined, or withdrawn
# (the RSVP was deleted, or its person was).
RsvpStatus = Literal["going", "waiting", "maybe", "declined", "removed"]


class CalendarEventCard(EventData):
    """A calendar event as others show it: enough to render, no call back."""

    event_id: str
    org: OrgCard
    title: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    time_zone: str
    city: str | None = None
    online: bool = False
    capacity: int
    opportunity_id: str | None = None
    status: CalendarEventStatus = "scheduled"
    url: str


@event_type("event.scheduled", 1)
class EventScheduled(EventData):
    """An organization scheduled a calendar event."""

    event: CalendarEventCard
    by: str
    version: int


@event_type("event.updated", 1)
class EventUpdated(EventData):
    """A calendar event changed; ``changed`` names the fields that did (``starts_at`` moved:
    calendars and reminders follow)."""

    event: CalendarEventCard
    by: str
    changed: tuple[str, ...] = ()
    version: int


@event_type("event.cancelled", 1)
class EventCancelled(EventData):
    """A calendar event was cancelled; ``going`` is how many people had a place."""

    event: CalendarEventCard
    by: str
    going: int = 0
    version: int


@event_type("event.rsvped", 1)
class EventRsvped(EventData):
    """A person answered a calendar event (or their answer moved: ``promoted`` from the
    waiting list to a place; ``removed`` when the RSVP or its person was deleted)."""

    event_id: str
    org_id: str
    user_id: str
    answer: Answer | None = None
    status: RsvpStatus
    guests: int = 0
    promoted: bool = False
    event: CalendarEventCard | None = None
    seq: int


@event_type("event.reminder", 1)
class EventReminder(EventData):
    """A calendar event starts in about a day: one per calendar event, listing the people with
    a place (``recipients``), for the notifier to tell each of them once."""

    event: CalendarEventCard
    recipients: tuple[str, ...]
    starts_at: AwareDatetime
