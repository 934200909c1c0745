"""Digests: daily or weekly, what happened for a person on Jumo, sent once per period.

What a digest tells (over the time since the person's last digest, at most one period back):

- the posts of the organizations they follow (``digest_posts``, kept from ``post.published``;
  deleted and hidden ones go), except those whose follow says ``digest: never``;
- the opportunities matched to them (their ``opportunity_match`` notifications);
- their upcoming events within the next period (``digest_rsvps``, kept from ``event.rsvped``,
  ``event.updated``, ``event.cancelled``): going, on the waiting list, or maybe.

The person's ``digest`` preference picks the cadence (weekly by default; ``never``: none). A
period is a day (``2026-05-09``) or an ISO week (``2026-W19``) in the person's time zone (their
quiet hours' zone, else UTC), due from ``DIGEST_HOUR`` (weekly: on ``DIGEST_WEEKDAY``). Each
period's digest is recorded as ``digest:<user>:<period>`` by an exclusive insert BEFORE it is
sent — or with ``state: empty`` when there is nothing to say, and then nothing is sent — so it
goes at most once per period per person, across restarts and processes. ``run_due(now)`` is one
pass over the people (the background loop calls it every ``DIGEST_INTERVAL_S``; tests call it
with the time they want).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jumo_common.events import Envelope
from jumo_common.events.calendar import EventCancelled, EventRsvped, EventUpdated
from jumo_common.events.orgs import PostDeleted, PostHidden, PostPublished
from jumo_common.logging import get_logger
from jumo_common.mongo import Document, as_utc
from jumo_notifier.letters import Letters
from jumo_notifier.mail import Mail
from jumo_notifier.mail_store import MailStore
from jumo_notifier.mailer import Mailer, Session, TemporaryFailure
from jumo_notifier.preferences import Digest, Preferences
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import NotifierStore

log = get_logger(__name__)
LENGTH = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
UPCOMING = ("going", "waiting", "maybe")
POSTS_PER_ORG, MAX_POSTS, MAX_OPPORTUNITIES, MAX_EVENTS = 5, 20, 10, 10
PEOPLE_BATCH = 500
# The digests this process already decided (sent or empty) are remembered up to this many.
REMEMBERED = 100_000


def period_of(
    frequency: Digest, now: datetime, zone: str, hour: int, weekday: int
) -> tuple[str, datetime]:
    """The period ``now`` falls in for a person, and when its digest is due."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    if frequency == "daily":
        return local.date().isoformat(), datetime.combine(local.date(), time(hour), tz)
    year, week, _ = local.isocalendar()
    monday = local.date() - timedelta(days=local.weekday())
    return f"{year}-W{week:02d}", datetime.combine(monday + timedelta(days=weekday), time(hour), tz)


def zone_of(preferences: Preferences) -> str:
    """The time zone a person's periods are counted in."""
    return preferences.quiet_hours.time_zone if preferences.quiet_hours else "UTC"


def is_empty(content: dict[str, Any]) -> bool:
    """Nothing to say."""
    return not (content["posts"] or content["opportunities"] or content["events"])


class Digests:
    """The digests: their projections, composing one, and the pass that sends those due."""

    def __init__(
        self,
        settings: NotifierSettings,
        store: NotifierStore,
        mail_store: MailStore,
        mail: Mail,
        letters: Letters,
        mailer: Mailer,
    ) -> None:
        self.settings = settings
        self.store = store
        self.mail_store = mail_store
        self.mail = mail
        self.letters = letters
        self.mailer = mailer
        self.decided: set[str] = set()

    # -- projections ------------------------------------------------------------------------

    async def on_post(self, event: Envelope[PostPublished]) -> None:
        """An organization posted."""
        data = event.data
        fields = {
            "org": data.org.org_id,
            "org_name": data.org.name,
            "title": data.title,
            "excerpt": data.excerpt,
            "important": data.important,
            "published_at": data.published_at,
            "url": f"/orgs/{data.org.org_id}/posts/{data.post_id}",
        }
        await self.mail_store.save_post(data.post_id, fields, data.version)

    async def on_post_deleted(self, event: Envelope[PostDeleted]) -> None:
        """A post is gone."""
        await self.mail_store.delete_post(event.data.post_id)

    async def on_post_hidden(self, event: Envelope[PostHidden]) -> None:
        """A post was hidden by a moderator (or shown again)."""
        await self.mail_store.hide_post(event.data.post_id, event.data.hidden)

    async def on_rsvp(self, event: Envelope[EventRsvped]) -> None:
        """A person's answer to a calendar event."""
        data = event.data
        if await self._erased(data.user_id):
            return  # orgs' erasure removes their answers after user.deleted: nothing to keep
        fields: dict[str, Any] = {"status": data.status}
        if data.event is not None:
            fields["event"] = data.event.model_dump(mode="python")
        await self.mail_store.save_rsvp(data.event_id, data.user_id, fields, data.seq)
        if await self._erased(data.user_id):  # the erasure ran between the check and the write
            await self.mail_store.forget(data.user_id)

    async def _erased(self, user_id: str) -> bool:
        person = await self.store.person(user_id)
        return bool(person and person.get("erased"))

    async def on_event_changed(
        self, event: Envelope[EventUpdated] | Envelope[EventCancelled]
    ) -> None:
        """A calendar event moved, changed or was cancelled."""
        data = event.data
        card = data.event.model_dump(mode="python")
        if isinstance(data, EventCancelled):
            card["status"] = "cancelled"
        await self.mail_store.update_event(data.event.event_id, card, data.version)

    # -- composing --------------------------------------------------------------------------

    async def compose(
        self, user_id: str, frequency: Digest, since: datetime, until: datetime
    ) -> dict[str, Any]:
        """What a digest over (since, until] tells ``user_id``."""
        return {
            "frequency": frequency,
            "posts": await self._posts(user_id, since, until),
            "opportunities": await self._opportunities(user_id, since),
            "events": await self._events(user_id, until, until + LENGTH[frequency]),
        }

    async def _posts(self, user_id: str, since: datetime, until: datetime) -> list[Document]:
        posts: list[Document] = []
        for follow in await self.store.follows_of(user_id):
            if not follow.get("active") or follow.get("digest", "weekly") == "never":
                continue
            posts += await self.mail_store.posts_of(follow["org"], since, until, POSTS_PER_ORG)
        posts.sort(key=lambda doc: as_utc(doc["published_at"]), reverse=True)
        return posts[:MAX_POSTS]

    async def _opportunities(self, user_id: str, since: datetime) -> list[Document]:
        found = await self.store.notifications_of_kind(
            user_id, "opportunity_match", since, MAX_OPPORTUNITIES
        )
        return [doc for doc in found if doc.get("subject")]

    async def _events(self, user_id: str, start: datetime, end: datetime) -> list[Document]:
        events = []
        for rsvp in await self.mail_store.rsvps_of(user_id):
            card = rsvp.get("event") or {}
            if rsvp.get("status") not in UPCOMING or card.get("status") == "cancelled":
                continue
            if card.get("starts_at") and start < as_utc(card["starts_at"]) <= end:
                events.append(rsvp | {"starts_at": as_utc(card["starts_at"])})
        events.sort(key=lambda doc: doc["starts_at"])
        return events[:MAX_EVENTS]

    # -- the pass ---------------------------------------------------------------------------

    async def run_due(self, now: datetime) -> int:
        """Send every digest due at ``now`` that was not decided before; how many were sent."""
        sent = 0
        async with self.mailer.session() as session:
            async for person, preferences in self._people():
                try:
                    sent += await self._maybe_send(session, person, preferences, now)
                except TemporaryFailure as exc:
                    log.info("digests wait for the relay", reply=exc.reply)
                    if exc.connection_lost:
                        break
        return sent

    async def _people(self) -> AsyncIterator[tuple[Document, Preferences]]:
        """Everyone email may reach, with their preferences, a batch at a time."""
        async for batch in self.mail_store.reachable_people(PEOPLE_BATCH):
            prefs = await self.store.preferences_by_ids(doc["_id"] for doc in batch)
            for person in batch:
                yield person, Preferences.of(prefs.get(person["_id"]))

    async def _maybe_send(
        self, session: Session, person: Document, preferences: Preferences, now: datetime
    ) -> int:
        frequency = preferences.digest
        if frequency == "never":
            return 0
        period, due_at = period_of(
            frequency,
            now,
            zone_of(preferences),
            self.settings.digest_hour,
            self.settings.digest_weekday,
        )
        digest_id = f"digest:{person['_id']}:{period}"
        if now < due_at or digest_id in self.decided:
            return 0
        if await self.mail_store.digest(digest_id) is not None:
            self._remember(digest_id)
            return 0
        return await self._send(session, person, frequency, period, digest_id, now)

    async def _send(
        self,
        session: Session,
        person: Document,
        frequency: Digest,
        period: str,
        digest_id: str,
        now: datetime,
    ) -> int:
        user_id = person["_id"]
        last = await self.mail_store.last_digest(user_id)
        since = now - LENGTH[frequency]
        if last is not None:
            since = max(since, as_utc(last["until"]))
        content = await self.compose(user_id, frequency, since, now)
        record = {
            "_id": digest_id,
            "user": user_id,
            "period": period,
            "frequency": frequency,
            "since": since,
            "until": now,
            "created_at": now,
            "counts": {k: len(content[k]) for k in ("posts", "opportunities", "events")},
        }
        if is_empty(content):
            await self.mail_store.claim_digest(record | {"state": "empty"})
            self._remember(digest_id)
            return 0
        if not await self.mail_store.claim_digest(record | {"state": "sending"}):
            self._remember(digest_id)
            return 0
        return await self._deliver(session, person, content, digest_id, now)

    async def _deliver(
        self,
        session: Session,
        person: Document,
        content: dict[str, Any],
        digest_id: str,
        now: datetime,
    ) -> int:
        try:
            message = self.letters.digest(person, content, digest_id, now)
            outcome = await session.send(message, str(person["email"]))
        except TemporaryFailure:
            await self.mail_store.forget_digest(digest_id)  # not sent: a later pass sends it
            raise
        except ValueError as exc:  # an address the email library cannot write
            await self.mail_store.settle_digest(digest_id, {"state": "refused", "reply": str(exc)})
            await self.mail.refused(person, f"not a valid address ({exc})", digest_id, now)
            return 0
        await self.mail_store.settle_digest(
            digest_id, {"state": outcome.verdict, "reply": outcome.reply}
        )
        self._remember(digest_id)
        if outcome.verdict == "refused":
            await self.mail.refused(person, outcome.reply, digest_id, now)
        return 1 if outcome.verdict == "sent" else 0

    def _remember(self, digest_id: str) -> None:
        if len(self.decided) >= REMEMBERED:
            self.decided.clear()
        self.decided.add(digest_id)
