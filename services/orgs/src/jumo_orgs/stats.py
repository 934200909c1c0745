"""An organization's figures, counted at read time from the applications and the attendance
documents (never kept with ``$inc``): exact at every read, and an erased volunteer's
application and check-ins, which stay as anonymous tombstones, still count.

Definitions (where the issue is silent):
- volunteers accepted: distinct volunteers the organization ever accepted (an erased one's
  application counts once, anonymously);
- hours attested: hours of check-ins with recorded, undisputed hours;
- time to answer: from submission to the organization's first answer (accept, decline,
  waitlist); the median in hours; "answered within 7 days" is the share of applications that
  were answered within 7 days among those answered, expired, or waiting for more than 7 days
  (a volunteer's withdrawal before any answer counts in neither part);
- acceptance rate: ever accepted / answered;
- no-show rate: accepted applications of one-off slots that ended, with no check-in for that
  slot / all such (recurring and ongoing opportunities have no fixed roll call);
- by month: applications by the month they were submitted, hours by the month of the session,
  no-shows by the month of the slot.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from jumo_common.jwt import Principal
from jumo_common.mongo import Document, as_utc
from jumo_orgs.attendance_rules import is_attested
from jumo_orgs.deps import Deps
from jumo_orgs.opportunity_model import Opportunity
from jumo_orgs.record import session_date
from jumo_orgs.schemas.record import MonthStats, OrgStatsOut, PublicStats

READERS = "admin"  # the lowest role that reads the full figures
ANSWER_WITHIN = timedelta(days=7)


class ManyOpportunities(Protocol):
    """The opportunities area (``Opportunities.get_many``)."""

    async def get_many(self, opportunity_ids: Sequence[str]) -> dict[str, Opportunity]:
        """Opportunities by id (missing ones left out)."""
        ...


@dataclass
class _Tally:
    """The figures of one month (or of all time)."""

    applications: int = 0
    answered: int = 0
    accepted: int = 0
    within: int = 0
    timely_base: int = 0
    answer_hours: list[float] = field(default_factory=list)
    hours: float = 0.0
    sessions_due: int = 0
    no_shows: int = 0
    volunteers: set[str] = field(default_factory=set)

    def count_application(self, doc: Document, now: datetime) -> None:
        self.applications += 1
        submitted, answered = as_utc(doc["submitted_at"]), doc.get("answered_at")
        if doc.get("accepted_at"):
            self.accepted += 1
            self.volunteers.add(doc.get("volunteer_id") or f"erased:{doc['_id']}")
        if answered is not None:
            waited = as_utc(answered) - submitted
            self.answered += 1
            self.answer_hours.append(waited.total_seconds() / 3600)
            self.timely_base += 1
            self.within += waited <= ANSWER_WITHIN
        elif doc.get("expired_at") or (doc.get("status") == "pending"
                                       and now - submitted > ANSWER_WITHIN):  # fmt: skip
            self.timely_base += 1

    def out(self, month: str | None = None) -> MonthStats:
        return MonthStats(
            month=month or "all", applications=self.applications,
            volunteers_accepted=len(self.volunteers), hours_attested=self.hours,
            median_answer_hours=statistics.median(self.answer_hours) if self.answer_hours else None,
            answered_within_7_days=_share(self.within, self.timely_base),
            acceptance_rate=_share(self.accepted, self.answered),
            no_show_rate=_share(self.no_shows, self.sessions_due),
        )  # fmt: skip


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


Figures = tuple["_Tally", dict[str, "_Tally"]]


def figures(applications: Sequence[Document], check_ins: Sequence[Document],
            opportunities: Mapping[str, Opportunity], now: datetime) -> Figures:  # fmt: skip
    """All-time figures and figures by month (YYYY-MM)."""
    total, months = _Tally(), defaultdict[str, _Tally](_Tally)
    for doc in applications:
        for tally in (total, months[f"{as_utc(doc['submitted_at']):%Y-%m}"]):
            tally.count_application(doc, now)
    for doc in check_ins:
        if is_attested(doc):
            total.hours += doc["hours"]
            months[session_date(doc)[:7]].hours += doc["hours"]
    checked = {(d["application_id"], d["session"]) for d in check_ins}
    for month, shown in _past_sessions(applications, opportunities, checked, now):
        for tally in (total, months[month]):
            tally.sessions_due += 1
            tally.no_shows += not shown
    return total, dict(months)


def _past_sessions(
    applications: Iterable[Document], opportunities: Mapping[str, Opportunity],
    checked: set[tuple[str, str]], now: datetime,
) -> Iterable[tuple[str, bool]]:  # fmt: skip
    """(month, checked in) of every accepted application's one-off slot that ended."""
    for doc in applications:
        opp = opportunities.get(doc["opportunity_id"])
        if doc.get("status") != "accepted" or opp is None or opp.commitment != "one_off":
            continue
        slot = opp.slot(doc["slot_id"])
        if slot is not None and slot.ends_at is not None and slot.ends_at < now:
            month = f"{slot.starts_at or slot.ends_at:%Y-%m}"
            yield month, (doc["_id"], slot.id) in checked


class OrgStats:
    """An organization's figures: all of them for its admins, a public subset on its page."""

    def __init__(self, deps: Deps, opportunities: ManyOpportunities) -> None:
        self._deps = deps
        self._opportunities = opportunities

    async def stats(self, org_ref: str, caller: Principal, now: datetime) -> OrgStatsOut:
        """The figures, all time and by month (the organization's admins and owners)."""
        org = await self._deps.access.org(org_ref, caller)
        await self._deps.access.require(org["_id"], caller, READERS)
        total, months = await self._figures(org["_id"], now)
        return OrgStatsOut(org_id=org["_id"], **total.out().model_dump(exclude={"month"}),
                           months=[months[m].out(m) for m in sorted(months)])  # fmt: skip

    async def public(self, org_id: str, now: datetime) -> PublicStats:
        """What anyone sees on the organization's page."""
        total, _ = await self._figures(org_id, now, sessions=False)
        return PublicStats(volunteers_accepted=len(total.volunteers), hours_attested=total.hours)

    async def median_answer_hours(self, org_id: str, now: datetime) -> float | None:
        """The median time the organization took to answer an application, in hours (None:
        none answered yet): matching's responsiveness."""
        applications = await self._deps.stores.applications.all_of("org_id", org_id)
        return figures(applications, (), {}, now)[0].out().median_answer_hours

    async def _figures(self, org_id: str, now: datetime, *, sessions: bool = True) -> Figures:
        """``sessions``: read the opportunities too (their slots say who did not show up)."""
        applications = await self._deps.stores.applications.all_of("org_id", org_id)
        check_ins = await self._deps.stores.attendance.check_ins_of("org_id", org_id)
        ids = sorted({doc["opportunity_id"] for doc in applications}) if sessions else []
        opportunities = await self._opportunities.get_many(ids) if ids else {}
        return figures(applications, check_ins, opportunities, now)
