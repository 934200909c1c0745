"""Reports, the moderators' queue, hiding and restoring, and organizations' blocks.

Rules where the issue is silent:
- Anyone signed in may report an organization, post or review they can see (a hidden one, or a
  draft of others, is not there for them); not when that organization blocked them.
- Hiding calls the area that owns the thing (``set_hidden``), which publishes org.hidden,
  post.hidden or review.hidden; every open report of the thing is then resolved alike, each
  publishing report.resolved for its reporter. Restoring only shows the thing again.
- A block is refused (409) for one of the organization's own people: remove them first.
- A person who leaves Jumo: their reports, and the reports about their things (their reviews,
  whose ids name them), are deleted; their decisions as a moderator stay, without their name;
  their blocks are deleted, and their name comes off the blocks they made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from jumo_common.jwt import Principal
from jumo_common.mongo import Document, InvalidCursor, decode_cursor, encode_cursor
from jumo_orgs import moderation_plans as plans
from jumo_orgs.deps import Deps
from jumo_orgs.errors import NotFoundError, OrgNotFound
from jumo_orgs.moderation_plans import Position
from jumo_orgs.moderation_store import QUEUE_SORT, block_key, report_key, target_key
from jumo_orgs.org_pages import is_public
from jumo_orgs.schemas.moderation import (
    BlockOut,
    Decision,
    QueuedReport,
    ReportDraft,
    ReportedThing,
    ReportOut,
    Resolution,
    TargetKind,
    Visibility,
)

QUEUE_BATCH = 100  # reports read at a time to fill a page of the queue
QUEUE_BATCHES = 10  # at most this many per page: a page cut short still has its cursor
SHOWN_PER_THING = 20
BLOCKERS = "admin"  # the lowest role that blocks people
LIVE_STATES = ("published", "posted")  # of posts, of reviews (deleted ones are tombstones)


class PersonNotFound(NotFoundError):
    """orgs has not heard of this person."""

    slug = "person-not-found"


class Hideable(Protocol):
    """An area whose things moderators hide: Organizations, News, Reviews."""

    async def set_hidden(self, thing_id: str, hidden: bool, /) -> bool:
        """Hide or show a thing; False when there is no such thing."""
        ...


class Moderation:
    """Reports, hiding and restoring, and organizations' blocks."""

    def __init__(
        self, deps: Deps, hiders: Mapping[str, Hideable] | None = None, *,
        queue_batch: int = QUEUE_BATCH,
    ) -> None:  # fmt: skip
        self._deps = deps
        self._batch = queue_batch
        self._access = deps.access
        self._store = deps.stores.moderation
        self._hiders: dict[str, Hideable] = dict(hiders or {})

    # ---- reporting ----------------------------------------------------------------------------

    async def report(
        self, caller: Principal, draft: ReportDraft, now: datetime
    ) -> tuple[ReportOut, bool]:
        """File a report (or find the open one): the report, and whether this filed it."""
        target_id, org_id = await self._target(draft.target_kind, draft.target_id, caller)
        await self._access.check_not_blocked(org_id, caller.user_id)
        filing = plans.Filing(
            caller.user_id, draft.target_kind, target_id, target_key(draft.target_kind, target_id),
            org_id, draft.reason, draft.text,
        )  # fmt: skip
        key = report_key(draft.target_kind, target_id, caller.user_id)
        written = await self._store.change_report(key, lambda d: plans.filed(d, filing, now))
        return report_view({**written.after(), "_id": key}), written.change is not None

    async def mine(
        self, caller: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[ReportOut], str | None]:
        """The caller's reports, newest first, with their status and outcome."""
        page = await self._store.reports_by(caller.user_id, limit=limit, cursor=cursor)
        return [report_view(d) for d in page.items], page.next_cursor

    async def _target(self, kind: TargetKind, thing_id: str, caller: Principal) -> tuple[str, str]:
        """The id of the thing and of its organization, if the caller may see them."""
        if kind == "org":
            org = await self._visible_org(thing_id, caller, kind)
            return org["_id"], org["_id"]
        stores = self._deps.stores
        doc = await (
            stores.posts.post(thing_id) if kind == "post" else stores.reviews.review(thing_id)
        )
        if doc is None or doc.get("hidden") or doc.get("state") not in LIVE_STATES:
            raise plans.TargetNotFound(f"No such {kind} to report.")
        await self._visible_org(doc["org_id"], caller, kind)
        return thing_id, doc["org_id"]

    async def _visible_org(self, org_ref: str, caller: Principal, kind: str) -> Document:
        """The organization as the caller may see it (a draft only its people and moderators)."""
        access, missing = self._access, plans.TargetNotFound(f"No such {kind} to report.")
        try:
            org = await access.org(org_ref, caller)
        except OrgNotFound:
            raise missing from None
        if not is_public(org) and not (
            access.is_moderator(caller) or await access.role(org["_id"], caller.user_id)
        ):
            raise missing
        return org

    # ---- deciding -----------------------------------------------------------------------------

    async def queue(
        self, caller: Principal, status: str, *, limit: int, cursor: str | None
    ) -> tuple[list[ReportedThing], str | None]:
        """Things reported, by their oldest report in ``status``, with their reports."""
        self._access.require_moderator(caller)
        after, scan = _queue_position(cursor), cursor
        shown: list[list[Document]] = []
        looked: set[str] = set()  # things whose reports were read already
        for _ in range(QUEUE_BATCHES):
            page = await self._store.reports_page(status, limit=self._batch, cursor=scan)
            keys = {d["target_key"] for d in page.items} - looked
            looked |= keys
            found = await self._store.reports_of(sorted(keys), status) if keys else []
            shown = sorted(shown + plans.unseen(plans.groups_of(found), after), key=_oldest)
            scan = page.next_cursor
            if scan is None or len(shown) > limit:
                break
        if len(shown) > limit:
            last = plans.position_of(shown[limit - 1][0])
            return [thing_view(g) for g in shown[:limit]], _queue_cursor(last)
        return [thing_view(g) for g in shown], scan

    async def resolve(
        self, caller: Principal, report_id: str, decision: Decision, now: datetime
    ) -> Resolution:
        """Hide the thing reported, or dismiss: every open report of it takes the outcome."""
        self._access.require_moderator(caller)
        report = await self._store.report(report_id)
        if report is None:
            raise plans.ReportNotFound("No such report.")
        outcome = plans.OUTCOMES[decision.outcome]
        if report["status"] == "resolved" and report.get("outcome") != outcome:
            raise plans.AlreadyDecided(f"This report was decided: {report.get('outcome')}.")
        kind, thing_id = report["target_kind"], report["target_id"]
        if decision.outcome == "hide":
            await self._hider(kind).set_hidden(thing_id, True)
        resolved = 0
        for doc in await self._store.reports_of([report["target_key"]], "open"):
            written = await self._store.change_report(
                doc["_id"],
                lambda d: plans.decided(d, outcome, note=decision.note, by=caller.user_id, now=now),
            )
            resolved += written.change is not None
        return Resolution(
            target_kind=kind, target_id=thing_id, outcome=outcome, reports_resolved=resolved
        )

    async def restore(self, caller: Principal, kind: TargetKind, thing_id: str) -> Visibility:
        """Show a hidden thing again."""
        self._access.require_moderator(caller)
        if not await self._hider(kind).set_hidden(thing_id, False):
            raise plans.TargetNotFound(f"No such {kind}.")
        return Visibility(target_kind=kind, target_id=thing_id, hidden=False)

    def _hider(self, kind: str) -> Hideable:
        hider = self._hiders.get(kind)
        if hider is None:
            raise NotImplementedError(f"nothing hides a {kind} here")
        return hider

    # ---- blocks -------------------------------------------------------------------------------

    async def block(
        self, caller: Principal, org_ref: str, user_id: str, now: datetime
    ) -> tuple[BlockOut, bool]:
        """An admin blocks a person from the organization: the block, and whether this made it."""
        org_id = await self._admin_of(org_ref, caller)
        if await self._access.role(org_id, user_id) is not None:
            raise plans.BlockingAMember("This person is one of the organization's people.")
        person = await self._deps.people.person(user_id)
        if person is None:
            raise PersonNotFound("No such person.")
        doc = {"_id": block_key(org_id, user_id), "org_id": org_id, "user_id": user_id,
               "blocked_by": caller.user_id, "at": now}  # fmt: skip
        made = await self._store.add_block(doc)
        found = doc if made else await self._store.block(org_id, user_id) or doc
        return block_view(found, person.display_name), made

    async def unblock(self, caller: Principal, org_ref: str, user_id: str) -> None:
        """An admin lifts a block (nothing when there was none)."""
        org_id = await self._admin_of(org_ref, caller)
        await self._store.remove_block(org_id, user_id)

    async def blocks(
        self, caller: Principal, org_ref: str, *, limit: int, cursor: str | None
    ) -> tuple[list[BlockOut], str | None]:
        """The people the organization blocked, newest first (its admins and owners only)."""
        org_id = await self._admin_of(org_ref, caller)
        page = await self._store.blocks_page(org_id, limit=limit, cursor=cursor)
        people = await self._deps.people.people([d["user_id"] for d in page.items])
        names = {i: p.display_name for i, p in people.items()}
        items = [block_view(d, names.get(d["user_id"], "Jumo member")) for d in page.items]
        return items, page.next_cursor

    async def _admin_of(self, org_ref: str, caller: Principal) -> str:
        org = await self._access.org(org_ref, caller)
        await self._access.require(org["_id"], caller, BLOCKERS)
        return str(org["_id"])

    # ---- erasure ------------------------------------------------------------------------------

    async def forget(self, user_id: str) -> None:
        """Erase the person's reports and blocks (module doc)."""
        mentioning = await self._store.reports_mentioning(user_id)
        await self._store.delete_reports([d["_id"] for d in mentioning if _names(d, user_id)])
        for doc in mentioning:
            if not _names(doc, user_id):  # decided by them: the decision stays
                await self._store.change_report(
                    doc["_id"], lambda d: plans.without_moderator(d, user_id)
                )
        await self._store.forget_blocks(user_id)


def _names(doc: Document, user_id: str) -> bool:
    """Whether the report is the person's, or about their thing (a review's id names them)."""
    return doc.get("reporter_id") == user_id or user_id in str(doc.get("target_id", ""))


def _oldest(group: list[Document]) -> Position:
    return plans.position_of(group[0])


def _queue_position(cursor: str | None) -> Position | None:
    if cursor is None:
        return None
    created_at, report_id = decode_cursor(QUEUE_SORT, cursor)
    if not (isinstance(created_at, datetime) and isinstance(report_id, str)):
        raise InvalidCursor("The cursor is not valid here.")
    return created_at, report_id


def _queue_cursor(position: Position) -> str:
    return encode_cursor(QUEUE_SORT, {"created_at": position[0], "_id": position[1]})


# ---- views --------------------------------------------------------------------------------------


def report_view(doc: Document) -> ReportOut:
    """A report as its reporter sees it."""
    return ReportOut(
        id=doc["_id"], target_kind=doc["target_kind"], target_id=doc["target_id"],
        org_id=doc["org_id"], reason=doc["reason"], text=doc.get("text", ""),
        status=doc["status"], outcome=doc.get("outcome"), created_at=doc["created_at"],
        resolved_at=doc.get("resolved_at"),
    )  # fmt: skip


def queued_view(doc: Document) -> QueuedReport:
    """A report as moderators see it."""
    return QueuedReport(
        id=doc["_id"], reporter_id=doc["reporter_id"], reason=doc["reason"],
        text=doc.get("text", ""), created_at=doc["created_at"], outcome=doc.get("outcome"),
        note=doc.get("note"), resolved_by=doc.get("resolved_by"),
        resolved_at=doc.get("resolved_at"),
    )  # fmt: skip


def thing_view(group: list[Document]) -> ReportedThing:
    """A thing reported, with its reports."""
    first = group[0]
    reasons: dict[str, int] = {}
    for doc in group:
        reasons[doc["reason"]] = reasons.get(doc["reason"], 0) + 1
    return ReportedThing(
        target_kind=first["target_kind"], target_id=first["target_id"], org_id=first["org_id"],
        count=len(group), reasons=reasons, first_reported_at=first["created_at"],
        reports=[queued_view(d) for d in group[:SHOWN_PER_THING]],
    )  # fmt: skip


def block_view(doc: Document, display_name: str) -> BlockOut:
    """A block as the organization's admins see it."""
    return BlockOut(
        org_id=doc["org_id"], user_id=doc["user_id"], display_name=display_name,
        blocked_at=doc["at"],
    )  # fmt: skip
