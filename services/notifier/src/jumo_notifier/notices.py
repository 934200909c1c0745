"""From a domain event to what it tells whom: one ``Addressed`` (a notice and its recipients)
per audience. Builders are pure apart from reading the projections (admins, followers, cause
members, people); the channels (``inbox``, ``mail``, ``publishing``) decide and deliver.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jumo_common.events import Envelope
from jumo_common.events.applications import (
    ApplicationAccepted,
    ApplicationDeclined,
    ApplicationEvent,
    ApplicationExpired,
    ApplicationPromoted,
    ApplicationSubmitted,
    ApplicationWaitlisted,
)
from jumo_common.events.calendar import EventReminder
from jumo_common.events.identity import UserFollowed, UserFollowRequested, UserRegistered
from jumo_common.events.opportunities import OpportunityPublished, OpportunitySnapshot
from jumo_common.events.orgs import (
    CauseJoined,
    OrgFollowed,
    OrgRejected,
    OrgVerified,
    PostPublished,
)
from jumo_common.geo import distance_km
from jumo_common.mongo import Document
from jumo_notifier.model import Kind, Notice, Party
from jumo_notifier.store import NotifierStore

# How long one event's follows are shared between its channels in this process.
SHARED_FOR_S = 30.0


@dataclass(frozen=True)
class Addressed:
    """A notice and the people it is for; ``known``: the documents they were found by (a
    post's follows), which the chain reads instead of reading every profile again."""

    notice: Notice
    recipients: Sequence[str]
    known: Mapping[str, Document] = field(default_factory=dict)


def cause_name(slug: str) -> str:
    """A cause's name from its slug (``clean-water`` → ``Clean Water``)."""
    return " ".join(part.capitalize() for part in slug.split("-"))


def org_party(org_id: str, name: str) -> Party:
    """An organization as a notification names it."""
    return Party("org", org_id, name, f"/orgs/{org_id}")


def person_party(user_id: str, person: dict[str, Any] | None) -> Party:
    """A person as a notification names them (their name as notifier last heard it)."""
    name = (person or {}).get("name") or "Someone"
    return Party("person", user_id, name, f"/users/{user_id}")


class Notices:
    """The builders, with the projections they read."""

    def __init__(self, store: NotifierStore, default_radius_km: int = 25) -> None:
        self.store = store
        self.default_radius_km = default_radius_km
        self._follows: dict[str, asyncio.Task[list[Document]]] = {}

    async def follows_for(self, org_id: str, event_id: str) -> list[Document]:
        """An organization's follows as one event's channels read them: each channel (app,
        email, Facebook) builds the same notices from the same event at about the same time,
        so this process reads the follows once per event, not once per channel (10,000 follows
        cost FerretDB a second or more)."""
        key = f"{org_id}:{event_id}"
        task = self._follows.get(key)
        if task is None:
            task = asyncio.ensure_future(self.store.followers(org_id))
            self._follows[key] = task
            asyncio.get_running_loop().call_later(SHARED_FOR_S, self._follows.pop, key, None)
        try:
            return await asyncio.shield(task)
        except Exception:
            self._follows.pop(key, None)  # the next channel's retry reads again
            raise

    async def _person(self, user_id: str) -> Party:
        return person_party(user_id, await self.store.person(user_id))

    # -- people -----------------------------------------------------------------------------

    async def registered(self, event: Envelope[UserRegistered]) -> list[Addressed]:
        """Welcome (with the share link), and "your friend joined" to their friends on Jumo."""
        data = event.data
        me = person_party(data.user_id, {"name": data.display_name})
        welcome = Notice("welcome", str(event.id), event.occurred_at, actor=me,
                         subject=Party("org", "jumo", "Jumo", "/"))  # fmt: skip
        found = [Addressed(welcome, [data.user_id])]
        friends = data.friend_ids
        if friends:
            joined = Notice("friend_joined", str(event.id), event.occurred_at, actor=me,
                            group=f"friend_joined:{event.occurred_at.date()}")  # fmt: skip
            found.append(Addressed(joined, friends))
        return found

    async def user_followed(self, event: Envelope[UserFollowed]) -> list[Addressed]:
        """Someone follows you."""
        data = event.data
        followee = person_party(data.followee_id, {"name": "you"})
        notice = Notice("followed", str(event.id), event.occurred_at,
                        actor=await self._person(data.follower_id), subject=followee,
                        group=f"followed:{data.followee_id}")  # fmt: skip
        return [Addressed(notice, [data.followee_id])]

    async def follow_requested(self, event: Envelope[UserFollowRequested]) -> list[Addressed]:
        """Someone asked to follow you (identity's approval flow)."""
        follower, followee = event.data.follower_id, event.data.followee_id
        notice = Notice("follow_requested", str(event.id), event.occurred_at,
                        actor=await self._person(follower),
                        subject=person_party(followee, {"name": "you"}),
                        group=f"follow_requested:{followee}")  # fmt: skip
        return [Addressed(notice, [followee])]

    # -- organizations ----------------------------------------------------------------------

    async def org_followed(self, event: Envelope[OrgFollowed]) -> list[Addressed]:
        """Someone follows your organization (its admins)."""
        data = event.data
        org = await self.store.org(data.org_id)
        notice = Notice("followed", str(event.id), event.occurred_at,
                        actor=await self._person(data.user_id),
                        subject=org_party(data.org_id, (org or {}).get("name", "your org")),
                        group=f"followed:{data.org_id}")  # fmt: skip
        return [Addressed(notice, await self.store.admins(data.org_id))]

    async def moderated(
        self, event: Envelope[OrgVerified] | Envelope[OrgRejected]
    ) -> list[Addressed]:
        """Your organization was verified, or not (its admins)."""
        data = event.data
        kind: Kind = "org_verified" if isinstance(data, OrgVerified) else "org_rejected"
        extra = {"reason_text": data.reason} if isinstance(data, OrgRejected) else {}
        notice = Notice(kind, str(event.id), event.occurred_at,
                        subject=org_party(data.org.org_id, data.org.name),
                        data=extra)  # fmt: skip
        return [Addressed(notice, await self.store.admins(data.org.org_id))]

    async def post(self, event: Envelope[PostPublished]) -> list[Addressed]:
        """An organization posted: its followers (their follow settings decide, in the chain)."""
        data = event.data
        link = f"/orgs/{data.org.org_id}/posts/{data.post_id}"
        notice = Notice("org_post", str(event.id), event.occurred_at,
                        actor=org_party(data.org.org_id, data.org.name),
                        subject=Party("post", data.post_id, data.title, link),
                        org_id=data.org.org_id, important=data.important,
                        data={"excerpt": data.excerpt})  # fmt: skip
        found = await self.follows_for(data.org.org_id, str(event.id))
        follows = {doc["user"]: doc for doc in found}
        return [Addressed(notice, list(follows), follows)]

    # -- volunteering -----------------------------------------------------------------------

    async def application(self, event: Envelope[ApplicationEvent]) -> list[Addressed]:
        """An application's news: to the volunteer (an answer) or to the admins (a new one)."""
        data = event.data
        opportunity = Party("opportunity", data.opportunity_id, data.opportunity_title,
                            f"/opportunities/{data.opportunity_id}")  # fmt: skip
        org = org_party(data.org_id, data.org_name)
        if isinstance(data, ApplicationSubmitted):
            notice = Notice("application_received", str(event.id), event.occurred_at,
                            actor=await self._person(data.volunteer_id), subject=opportunity,
                            group=f"application_received:{data.opportunity_id}",
                            data={"application_id": data.application_id})  # fmt: skip
            return [Addressed(notice, await self.store.admins(data.org_id))]
        kind = VOLUNTEER_KINDS.get(type(data))
        if kind is None:
            return []
        extra: dict[str, Any] = {"application_id": data.application_id}
        if isinstance(data, ApplicationDeclined):
            extra |= {"reason": data.reason, "reason_text": data.reason_text}
        notice = Notice(kind, str(event.id), event.occurred_at, actor=org, subject=opportunity,
                        org_id=data.org_id, data=extra)  # fmt: skip
        return [Addressed(notice, [data.volunteer_id])]

    async def reminder(self, event: Envelope[EventReminder]) -> list[Addressed]:
        """A calendar event you have a place at is tomorrow."""
        data = event.data
        card = data.event
        notice = Notice("event_tomorrow", str(event.id), event.occurred_at,
                        actor=org_party(card.org.org_id, card.org.name),
                        subject=Party("event", card.event_id, card.title, card.url),
                        data={"starts_at": data.starts_at.isoformat(),
                              "time_zone": card.time_zone, "city": card.city})  # fmt: skip
        return [Addressed(notice, list(data.recipients))]

    async def cause_joined(self, event: Envelope[CauseJoined]) -> list[Addressed]:
        """You joined a cause: the join notification, with its share link."""
        data = event.data
        cause = Party("cause", data.cause, cause_name(data.cause), f"/causes/{data.cause}")
        notice = Notice("joined_cause", str(event.id), event.occurred_at,
                        actor=await self._person(data.user_id), subject=cause)  # fmt: skip
        return [Addressed(notice, [data.user_id])]

    async def opportunity(self, event: Envelope[OpportunityPublished]) -> list[Addressed]:
        """A new opportunity: to the people whose causes, skills and place match it."""
        snapshot = event.data.opportunity
        notice = Notice("opportunity_match", str(event.id), event.occurred_at,
                        actor=org_party(snapshot.org.org_id, snapshot.org.name),
                        subject=Party("opportunity", snapshot.opportunity_id, snapshot.title,
                                      snapshot.url_path),
                        org_id=snapshot.org.org_id,
                        group=f"opportunity_match:{snapshot.org.org_id}")  # fmt: skip
        return [Addressed(notice, await self.matching_people(event.data))]

    async def matching_people(self, data: OpportunityPublished) -> list[str]:
        """The people in one of its causes, with one of its skills (when it asks for any), and
        near it unless it is remote: within their own radius (else ``default_radius_km``) of its
        place when both have a point, else in its city."""
        snapshot = data.opportunity
        candidates: dict[str, None] = {}
        for cause in snapshot.causes:
            candidates.update(dict.fromkeys(await self.store.cause_members(cause)))
        people = await self.store.people_by_ids(candidates)
        wanted_skills = {s.lower() for s in snapshot.skills}
        matched = []
        for user_id, person in people.items():
            if person.get("erased"):
                continue
            skills = {s.lower() for s in person.get("skills") or ()}
            if wanted_skills and not wanted_skills & skills:
                continue
            if snapshot.remote or self.near(snapshot, person):
                matched.append(user_id)
        return matched

    def near(self, snapshot: OpportunitySnapshot, person: Mapping[str, Any]) -> bool:
        """Whether the opportunity is near the person (see ``matching_people``)."""
        place = person.get("place") or {}
        if snapshot.lat is not None and snapshot.lng is not None and place.get("lat") is not None:
            radius = person.get("radius_km") or self.default_radius_km
            km = distance_km(place["lat"], place["lng"], snapshot.lat, snapshot.lng)
            return bool(km <= radius)
        city = (snapshot.city or "").strip().lower()
        theirs = (place.get("city") or person.get("location") or "").strip().lower()
        return bool(city) and theirs == city


VOLUNTEER_KINDS: dict[type[ApplicationEvent], Kind] = {
    ApplicationAccepted: "application_accepted",
    ApplicationDeclined: "application_declined",
    ApplicationWaitlisted: "application_waitlisted",
    ApplicationPromoted: "application_promoted",
    ApplicationExpired: "application_expired",
}
