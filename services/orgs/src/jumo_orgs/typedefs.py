"""orgs' AppKeys and the service-objects dataclass that ``app.py`` stores under them."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from jumo_common.events import Envelope
from jumo_common.events.identity import UserDeleted
from jumo_common.outbox import Outbox
from jumo_orgs.access import Access
from jumo_orgs.applications import Applications
from jumo_orgs.attendance import Attendance
from jumo_orgs.calendar import Calendar
from jumo_orgs.causes import Causes
from jumo_orgs.following import Following
from jumo_orgs.matching import Matching
from jumo_orgs.moderation import Moderation
from jumo_orgs.news import News
from jumo_orgs.opportunities import Opportunities
from jumo_orgs.opportunity_invitations import Invitations
from jumo_orgs.organizations import Organizations
from jumo_orgs.people import People
from jumo_orgs.record import VolunteeringRecord
from jumo_orgs.reviews import Reviews
from jumo_orgs.search import Search
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.stats import OrgStats
from jumo_orgs.store import Stores
from jumo_orgs.timers import Timers


@dataclass
class Orgs:
    """The service's objects, built once per application (``app.build_orgs``)."""

    settings: OrgsSettings
    outbox: Outbox
    stores: Stores
    people: People
    access: Access
    organizations: Organizations
    causes: Causes
    following: Following
    news: News
    reviews: Reviews
    search: Search
    moderation: Moderation
    opportunities: Opportunities
    # The periodic loop's steps; areas register theirs in app.build_orgs.
    timers: Timers
    calendar: Calendar
    attendance: Attendance
    record: VolunteeringRecord
    org_stats: OrgStats
    matching: Matching
    invitations: Invitations
    applications: Applications

    async def forget_person(self, event: Envelope[UserDeleted]) -> None:
        """``user.deleted``: every area erases the person and says so to the others."""
        user_id = event.data.user_id
        for area in (self.organizations, self.causes, self.following, self.news, self.reviews,
                     self.moderation, self.opportunities):  # fmt: skip
            await area.forget(user_id)
        await self.attendance.forget(user_id)
        await self.applications.forget(user_id)
        await self.invitations.forget(user_id)
        await self.calendar.forget(user_id)
        await self.people.forget(user_id)


ORGS = web.AppKey("jumo_orgs", Orgs)
