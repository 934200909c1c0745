"""The rules of reports as pure plans: filing one, deciding it, forgetting a moderator, and the
events they cause; the grouping of the moderators' queue. No I/O.

A report moves ``(none) → open → resolved → open …``: filing while open changes nothing (one
open report per person and thing), filing after a decision opens it again with the new reason.
Deciding writes ``resolved`` with the outcome and publishes ``report.resolved`` for the
reporter (whose notifier tells them); deciding again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.events import Envelope, make_event
from jumo_common.events.orgs import ReportResolved
from jumo_common.logging import current_trace_id
from jumo_common.mongo import Document
from jumo_orgs.errors import Conflict, NotFoundError
from jumo_orgs.schemas.moderation import Outcome

DECISION_FIELDS = frozenset({"outcome", "note", "resolved_by", "resolved_at"})
OUTCOMES: dict[str, Outcome] = {"hide": "hidden", "dismiss": "dismissed"}


class ReportNotFound(NotFoundError):
    """No such report."""

    slug = "report-not-found"


class TargetNotFound(NotFoundError):
    """No such organization, post or review (or the caller may not see it)."""

    slug = "target-not-found"


class AlreadyDecided(Conflict):
    """This report was decided otherwise; restore the thing, or wait for a new report."""

    slug = "already-decided"


class BlockingAMember(Conflict):
    """The person is one of the organization's people: remove them from it first."""

    slug = "blocking-a-member"


@dataclass(frozen=True)
class Filing:
    """A person's report of a thing."""

    reporter_id: str
    target_kind: str
    target_id: str
    target_key: str
    org_id: str
    reason: str
    text: str


def filed(doc: Document | None, filing: Filing, now: datetime) -> Change | None:
    """File a report: nothing while the person's report of this thing is open."""
    if doc is not None and doc.get("status") == "open":
        return None
    fields = {**vars(filing), "status": "open", "created_at": now}
    return Change(set=fields, unset=DECISION_FIELDS)


def report_resolved(doc: Document, outcome: Outcome) -> Envelope[Any]:
    """The reporter learns the outcome."""
    data = ReportResolved(
        report_id=doc["_id"], reporter_id=doc["reporter_id"], target_kind=doc["target_kind"],
        target_id=doc["target_id"], outcome=outcome,
    )  # fmt: skip
    # No actor: which moderator decided is not the reporter's to know.
    return make_event(
        data, producer="orgs", subject_id=doc["reporter_id"], trace_id=current_trace_id()
    )


def decided(
    doc: Document | None, outcome: Outcome, *, note: str | None, by: str, now: datetime
) -> Change | None:
    """Resolve an open report with ``outcome`` (hidden | dismissed); nothing otherwise."""
    if doc is None or doc.get("status") != "open":
        return None
    fields = {"status": "resolved", "outcome": outcome, "note": note, "resolved_by": by,
              "resolved_at": now}  # fmt: skip
    return Change(set=fields, events=[report_resolved(doc, outcome)])


def without_moderator(doc: Document | None, user_id: str) -> Change | None:
    """A moderator left Jumo: their decisions stay, without their name."""
    if doc is None or doc.get("resolved_by") != user_id:
        return None
    return Change(unset=frozenset({"resolved_by"}))


# ---- the queue ----------------------------------------------------------------------------------

Position = tuple[datetime, str]


def position_of(doc: Document) -> Position:
    """Where a report sits in the queue (oldest first)."""
    return doc["created_at"], doc["_id"]


def groups_of(reports: Iterable[Document]) -> list[list[Document]]:
    """Reports grouped by thing, each group oldest first, groups by their oldest report."""
    groups: dict[str, list[Document]] = {}
    for doc in sorted(reports, key=position_of):
        groups.setdefault(doc["target_key"], []).append(doc)
    return sorted(groups.values(), key=lambda group: position_of(group[0]))


def unseen(groups: list[list[Document]], after: Position | None) -> list[list[Document]]:
    """The groups a page after ``after`` shows: those whose oldest report comes after it (the
    others were on an earlier page)."""
    return [g for g in groups if after is None or position_of(g[0]) > after]
