"""iCalendar of calendar events: one event's ``.ics``, and a person's own feed of the events
they are going to, at a secret URL a calendar app subscribes to.

Only the secret's SHA-256 is stored (a leak of the database gives no feed away); a new feed
replaces the person's previous one and ``revoke`` ends it. The secret is in the URL path, so
the access log logs that route by its template (``/calendars/{secret}.ics``), never the path.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_orgs import ical
from jumo_orgs.calendar_store import CalendarStore
from jumo_orgs.deps import Deps
from jumo_orgs.errors import NotFoundError
from jumo_orgs.rsvp import CalendarEventNotFound


class CalendarFeedNotFound(NotFoundError):
    """No feed with that secret (never made, replaced or revoked)."""

    slug = "calendar-not-found"


def secret_hash(secret: str) -> str:
    """What is stored of a feed's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


class CalendarFeeds:
    """``.ics`` of one calendar event, and personal feeds."""

    def __init__(self, deps: Deps, store: CalendarStore) -> None:
        self._deps = deps
        self._store = store
        self._base = deps.settings.public_base_url.rstrip("/")

    async def event_ics(self, caller: Principal | None, event_id: str, *, now: datetime) -> str:
        """One calendar event as an iCalendar file."""
        event = await self._store.event(event_id)
        if event is None:
            raise CalendarEventNotFound("No such calendar event.")
        org = await self._deps.access.org(event["org_id"], caller)
        lines = ical.vevent(event, org_name=org["name"], base_url=self._base, now=now)
        return ical.calendar([lines], name=event["title"])

    async def create(self, user_id: str, *, now: datetime) -> str:
        """A new feed URL for the person (their previous one stops working)."""
        secret = secrets.token_urlsafe(32)
        await self._store.replace_feed(user_id, secret_hash(secret), now)
        return f"{self._base}/calendars/{secret}.ics"

    async def revoke(self, user_id: str) -> int:
        """End the person's feed; how many there were."""
        return await self._store.delete_feeds(user_id)

    async def feed_ics(self, secret: str, *, now: datetime) -> str:
        """The events the feed's person is going to (a place held), as an iCalendar file."""
        feed = await self._store.feed(secret_hash(secret))
        if feed is None:
            raise CalendarFeedNotFound("No such calendar.")
        going = [d for d in await self._store.rsvps_of(feed["user_id"]) if d["status"] == "going"]
        vevents = []
        for rsvp in going:
            event = await self._store.event(rsvp["event_id"])
            org = await self._visible_org(event)
            if event is not None and org is not None:
                vevents.append(ical.vevent(event, org_name=org["name"], base_url=self._base,
                                           now=now))  # fmt: skip
        return ical.calendar(vevents, name="Jumo: my events")

    async def _visible_org(self, event: Document | None) -> Document | None:
        if event is None:
            return None
        org = await self._deps.stores.orgs.org(event["org_id"])
        return None if org is None or org.get("hidden") else org
