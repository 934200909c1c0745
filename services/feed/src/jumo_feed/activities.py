"""Activities from the events of orgs and of people: each stored once (``store.py``) with the
snapshot that renders it, then spread (``fanout.py``). Edits rewrite the snapshot (the highest
``version`` wins, whatever the order events arrive in); deletions, moderation, a closed
opportunity or a cancelled event flag the activity, and reading skips flagged ones at once.

A person's activity reaches their followers only while their profile is not private (a private
person's activities are stored flagged ``private`` and never spread, and ``done_private`` keeps
them hidden when the person goes public), and never once erased.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jumo_common.events import Envelope
from jumo_common.events.calendar import (
    CalendarEventCard,
    EventCancelled,
    EventScheduled,
    EventUpdated,
)
from jumo_common.events.opportunities import (
    OpportunityClosed,
    OpportunityPublished,
    OpportunitySnapshot,
    OpportunityUpdated,
)
from jumo_common.events.orgs import (
    CauseJoined,
    CauseLeft,
    OrgCard,
    OrgCreated,
    OrgFollowed,
    OrgHidden,
    OrgUpdated,
    PostDeleted,
    PostHidden,
    PostPublished,
    PostUpdated,
    ReviewDeleted,
    ReviewHidden,
    ReviewPosted,
    ReviewUpdated,
)
from jumo_common.events.record import VolunteeringAttested, VolunteeringDisputed
from jumo_feed.deps import Deps
from jumo_feed.fanout import Fanout
from jumo_feed.model import (
    HIDING,
    Kind,
    activity_number,
    audiences,
    cause_name,
    org_source,
    person_source,
)

Fields = dict[str, Any]


def left_key(user_id: str, cause: str) -> str:
    """Where a person's leaving of a cause is remembered (at its ``seq``, as ``version``)."""
    return f"cause_left:{user_id}:{cause}"


def card(org: OrgCard) -> Fields:
    """An organization's card as stored in an activity."""
    return org.model_dump(mode="json")


class Activities:
    """Handlers that turn events into activities."""

    def __init__(self, deps: Deps, fanout: Fanout) -> None:
        self.deps = deps
        self.fanout = fanout

    # -- organizations' activities ------------------------------------------------------------

    async def on_post_published(self, event: Envelope[PostPublished]) -> None:
        """An organization's news."""
        data = event.data
        key, source = f"post:{data.post_id}", org_source(data.org.org_id)
        await self._publish(key, "post", source, data.published_at, data.version,
                            self._post(data), org=data.org)  # fmt: skip

    async def on_post_updated(self, event: Envelope[PostUpdated]) -> None:
        """An edited post: its snapshot changes."""
        data = event.data
        await self._edit(f"post:{data.post_id}", data.version, self._post(data), org=data.org)

    async def on_post_deleted(self, event: Envelope[PostDeleted]) -> None:
        """A deleted post leaves every feed."""
        await self._flag({"_id": f"post:{event.data.post_id}"}, {"removed": True})

    async def on_post_hidden(self, event: Envelope[PostHidden]) -> None:
        """Moderation hid (or showed again) a post."""
        await self._moderate({"_id": f"post:{event.data.post_id}"}, "hidden", event.data.hidden)

    async def on_opportunity_published(self, event: Envelope[OpportunityPublished]) -> None:
        """A new opportunity: the organization's followers, and its causes' members who asked."""
        found = event.data.opportunity
        await self._publish(f"opportunity:{found.opportunity_id}", "opportunity",
                            org_source(found.org.org_id), event.data.published_at,
                            event.data.version, self._opportunity(found), org=found.org,
                            causes=found.causes)  # fmt: skip

    async def on_opportunity_updated(self, event: Envelope[OpportunityUpdated]) -> None:
        """An edited opportunity."""
        found = event.data.opportunity
        await self._edit(f"opportunity:{found.opportunity_id}", event.data.version,
                         self._opportunity(found), org=found.org)  # fmt: skip

    async def on_opportunity_closed(self, event: Envelope[OpportunityClosed]) -> None:
        """A closed opportunity leaves the feeds: nobody can apply any more."""
        key = f"opportunity:{event.data.opportunity.opportunity_id}"
        await self._flag({"_id": key}, {"removed": True})

    async def on_event_scheduled(self, event: Envelope[EventScheduled]) -> None:
        """A new event: the organization's followers (and the causes of its opportunity)."""
        found = event.data.event
        causes: tuple[str, ...] = ()
        if found.opportunity_id:
            linked = await self.deps.store.activity(f"opportunity:{found.opportunity_id}")
            causes = tuple((linked or {}).get("causes", ()))
        await self._publish(f"event:{found.event_id}", "event", org_source(found.org.org_id),
                            event.occurred_at, event.data.version, self._event(found),
                            org=found.org, causes=causes)  # fmt: skip

    async def on_event_updated(self, event: Envelope[EventUpdated]) -> None:
        """An edited event."""
        found = event.data.event
        await self._edit(f"event:{found.event_id}", event.data.version, self._event(found),
                         org=found.org)  # fmt: skip

    async def on_event_cancelled(self, event: Envelope[EventCancelled]) -> None:
        """A cancelled event leaves the feeds."""
        await self._flag({"_id": f"event:{event.data.event.event_id}"}, {"removed": True})

    async def on_org_created(self, event: Envelope[OrgCreated]) -> None:
        """An organization's card, for the activities that name it without carrying it (a
        person followed it)."""
        data = event.data
        if await self.deps.store.save_org_card(data.org.org_id, card(data.org), data.version):
            await self._flag({"org_id": data.org.org_id}, {"org": card(data.org)})

    async def on_org_updated(self, event: Envelope[OrgUpdated]) -> None:
        """A renamed organization is renamed in every activity that shows it."""
        data = event.data
        if await self.deps.store.save_org_card(data.org.org_id, card(data.org), data.version):
            await self._flag({"org_id": data.org.org_id}, {"org": card(data.org)})

    async def on_org_hidden(self, event: Envelope[OrgHidden]) -> None:
        """Moderation hid (or showed again) an organization, and so its activities."""
        data = event.data
        await self.deps.store.set_org_hidden(data.org_id, data.hidden)
        await self._moderate({"org_id": data.org_id}, "org_hidden", data.hidden)

    # -- people's activities ------------------------------------------------------------------

    async def on_cause_joined(self, event: Envelope[CauseJoined]) -> None:
        """A person joined a cause (their followers see it), unless a later leaving overtook
        this joining."""
        data = event.data
        key = f"cause_joined:{data.user_id}:{data.cause}:{data.seq}"
        snapshot = {"cause": data.cause, "cause_name": cause_name(data.cause)}
        left = await self._left_since(data.user_id, data.cause, data.seq)
        flags = {"seq": data.seq, "removed": True} if left else {"seq": data.seq}
        await self._by_person(key, "cause_joined", data.user_id, event, snapshot, flags=flags)
        if not left and await self._left_since(data.user_id, data.cause, data.seq):
            await self._flag({"_id": key}, {"removed": True})  # the leaving came meanwhile

    async def on_cause_left(self, event: Envelope[CauseLeft]) -> None:
        """Leaving a cause takes the earlier joinings out of the feeds, and is remembered at
        its ``seq`` for a joining it overtook."""
        data = event.data
        if await self._erased(data.user_id):
            return  # their joinings went with them; orgs' erasure leaves the causes after it
        await self.deps.store.merge_activity(left_key(data.user_id, data.cause), data.seq,
                                             {"actor": data.user_id})  # fmt: skip
        if await self._erased(data.user_id):  # erased between the check and the write
            await self.deps.store.delete_activities({"_id": left_key(data.user_id, data.cause)})
            return
        query = {"kind": "cause_joined", "actor": data.user_id, "snapshot.cause": data.cause,
                 "seq": {"$lt": data.seq}}  # fmt: skip
        await self._flag(query, {"removed": True})

    async def _erased(self, user_id: str) -> bool:
        """Whether the person left Jumo (their tombstone)."""
        person = await self.deps.store.person(user_id)
        return bool(person and person.get("erased"))

    async def _left_since(self, user_id: str, cause: str, seq: int) -> bool:
        found = await self.deps.store.activity(left_key(user_id, cause))
        return bool(found and int(found.get("version", 0)) > seq)

    async def on_org_followed(self, event: Envelope[OrgFollowed]) -> None:
        """A person followed an organization (their followers see it)."""
        data = event.data
        await self._by_person(f"org_followed:{data.user_id}:{data.org_id}:{data.seq}",
                              "org_followed", data.user_id, event, {"org_id": data.org_id},
                              org_id=data.org_id)  # fmt: skip

    async def on_volunteering_attested(self, event: Envelope[VolunteeringAttested]) -> None:
        """Hours an organization attested (shown when the volunteer's record allows it)."""
        data = event.data
        snapshot = {"opportunity_id": data.opportunity_id, "hours": data.hours,
                    "opportunity_title": data.opportunity_title,
                    "session": data.session}  # fmt: skip
        await self._by_person(f"volunteered:{data.check_in_id}", "volunteered",
                              data.volunteer_id, event, snapshot, org=data.org,
                              at=data.attested_at, version=data.version)  # fmt: skip

    async def on_volunteering_disputed(self, event: Envelope[VolunteeringDisputed]) -> None:
        """Disputed hours leave the feeds."""
        await self._flag({"_id": f"volunteered:{event.data.check_in_id}"}, {"removed": True})

    async def on_review_posted(self, event: Envelope[ReviewPosted]) -> None:
        """A person reviewed an organization."""
        data = event.data
        await self._by_person(f"review:{data.review_id}", "review", data.author_id, event,
                              self._review(data), org=data.org, version=data.version)  # fmt: skip

    async def on_review_updated(self, event: Envelope[ReviewUpdated]) -> None:
        """An edited review."""
        data = event.data
        await self._edit(f"review:{data.review_id}", data.version, self._review(data),
                         org=data.org)  # fmt: skip

    async def on_review_deleted(self, event: Envelope[ReviewDeleted]) -> None:
        """A deleted review leaves the feeds. An erased author's went with them: no removal
        mark is upserted for it (its key names them; their review can never come back)."""
        key = f"review:{event.data.review_id}"
        if await self._erased(event.data.author_id):
            return
        await self._flag({"_id": key}, {"removed": True})
        if await self._erased(event.data.author_id):  # erased between the check and the write
            await self.deps.store.delete_activities({"_id": key})

    async def on_review_hidden(self, event: Envelope[ReviewHidden]) -> None:
        """Moderation hid (or showed again) a review."""
        key = f"review:{event.data.review_id}"
        await self._moderate({"_id": key}, "hidden", event.data.hidden)

    # -- snapshots ----------------------------------------------------------------------------

    @staticmethod
    def _post(data: PostPublished | PostUpdated) -> Fields:
        link = data.link.model_dump(mode="json") if data.link else None
        return {"post_id": data.post_id, "title": data.title, "excerpt": data.excerpt,
                "important": data.important, "link": link}  # fmt: skip

    @staticmethod
    def _opportunity(found: OpportunitySnapshot) -> Fields:
        return found.model_dump(mode="json", exclude={"org"})

    @staticmethod
    def _event(found: CalendarEventCard) -> Fields:
        return found.model_dump(mode="json", exclude={"org"})

    @staticmethod
    def _review(data: ReviewPosted | ReviewUpdated) -> Fields:
        return {"review_id": data.review_id, "stars": data.stars, "excerpt": data.excerpt,
                "volunteered": data.volunteered}  # fmt: skip

    # -- the steps every handler shares -------------------------------------------------------

    async def _by_person(
        self,
        key: str,
        kind: Kind,
        user_id: str,
        event: Envelope[Any],
        snapshot: Fields,
        *,
        org: OrgCard | None = None,
        org_id: str | None = None,
        at: datetime | None = None,
        version: int = 1,
        flags: Fields | None = None,
    ) -> None:
        person = await self.deps.store.person(user_id) or {}
        if person.get("erased"):
            return
        private = person.get("visibility") == "private"
        extra: Fields = {"actor": user_id, "actor_name": person.get("name"), "private": private,
                         "done_private": private, **(flags or {})}  # fmt: skip
        if org_id is not None:
            extra["org_id"] = org_id
            extra["org"] = (await self.deps.store.org_card(org_id)) or {"org_id": org_id}
        await self._publish(key, kind, person_source(user_id), at or event.occurred_at, version,
                            snapshot, org=org, extra=extra)  # fmt: skip

    async def _publish(
        self,
        key: str,
        kind: Kind,
        source: str,
        at: datetime,
        version: int,
        snapshot: Fields,
        *,
        org: OrgCard | None = None,
        causes: tuple[str, ...] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Store the activity (its snapshot at ``version``; once, what only its first event
        knows — who did it, whom it reaches, what hides it from the start — even when an edit
        came before it), then spread it unless something hides it."""
        fields: Fields = {"snapshot": snapshot}
        if org is not None:
            fields |= {"org": card(org), "org_id": org.org_id}
        await self.deps.store.merge_activity(key, version, fields)
        reach = audiences(source, causes)
        creation = {"number": activity_number(at, key), "kind": kind, "source": source, "at": at,
                    "causes": list(causes),
                    "audiences": [{"source": s, "reason": r} for s, r in reach],
                    "fan": [s for s, _ in reach], **(extra or {})}  # fmt: skip
        if org is not None and await self.deps.store.org_hidden(org.org_id):
            creation["org_hidden"] = True
        document = await self.deps.store.set_creation(key, creation)
        if document is None or any(document.get(flag) for flag in HIDING):
            return
        await self.deps.timelines.forget([int(document["number"])])
        await self.fanout.spread(document)

    async def _edit(self, key: str, version: int, snapshot: Fields, *, org: OrgCard) -> None:
        fields = {"snapshot": snapshot, "org": card(org), "org_id": org.org_id}
        if await self.deps.store.merge_activity(key, version, fields):
            document = await self.deps.store.activity(key)
            if document is not None and "number" in document:
                await self.deps.timelines.forget([int(document["number"])])

    async def _moderate(self, query: Mapping[str, Any], flag: str, hidden: bool) -> None:
        """Hide activities, or show them again: then spread them once more, for a hide that
        overtook its publication kept them from ever being spread (an entry written twice is
        one entry)."""
        await self._flag(query, {flag: hidden})
        if not hidden:
            for document in await self.deps.store.visible(query, self.deps.settings.timeline_cap):
                await self.fanout.spread(document)

    async def _flag(self, query: Mapping[str, Any], flags: Mapping[str, Any]) -> None:
        """Flag activities (upserting one named by ``_id``, so a deletion that overtakes its
        publication still wins), and drop their cached renderings."""
        if "_id" in query:
            numbers = await self.deps.store.flag_one(str(query["_id"]), flags)
        else:
            numbers = await self.deps.store.flag(query, flags)
        await self.deps.timelines.forget(numbers)
