"""Claims of unclaimed organizations (imported by an operator, or left without owners when the
last one was erased): a person claims with evidence, a moderator approves or rejects.

A claim is one document per (organization, person), ``state`` open → approved | rejected; a
person may claim again once a claim is decided, never hold two open ones. Approving makes the
claimant the organization's owner (org.member_added); of several claimants only the first
approved wins (the organization's ``owners`` list decides, written by claimed versions), the
others then answer 409 org-claimed. Claims publish nothing themselves: the claimant reads the
outcome in ``GET /claims/mine``.
"""

from __future__ import annotations

from datetime import datetime

from jumo_common.change import Change
from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_orgs import org_pages
from jumo_orgs.cards import card
from jumo_orgs.deps import Deps
from jumo_orgs.errors import OrgNotFound
from jumo_orgs.members import Members
from jumo_orgs.org_errors import (
    AlreadyClaimed,
    ClaimDecided,
    ClaimNotFound,
    ClaimOpen,
    retry_later,
)
from jumo_orgs.org_store import claim_key
from jumo_orgs.schemas.claims import ClaimState, ClaimView
from jumo_orgs.schemas.members import PersonRef, person_ref

Page = tuple[list[ClaimView], str | None]


def opened(doc: Document | None, pair: tuple[str, str], evidence: str, now: datetime) -> Change:
    """A new claim (a person's earlier one, decided, is replaced)."""
    if doc is not None and doc.get("state") == "open":
        raise ClaimOpen("You already have an open claim of this organization.")
    org_id, user_id = pair
    return Change(
        set={"org_id": org_id, "user_id": user_id, "evidence": evidence, "state": "open",
             "created_at": now},
        unset=frozenset({"reason", "decided_at"}),
    )  # fmt: skip


def decided(
    doc: Document | None, outcome: ClaimState, reason: str | None, now: datetime
) -> Change | None:
    """A moderator's decision on an open claim (the same decision again changes nothing)."""
    if doc is None:
        raise ClaimNotFound("No such claim.")
    if doc["state"] == outcome:
        return None
    if doc["state"] != "open":
        raise ClaimDecided(f"This claim was {doc['state']} already.")
    fields = {"state": outcome, "decided_at": now} | ({"reason": reason} if reason else {})
    return Change(set=fields)


def claimed_by(doc: Document, user_id: str) -> Change | None:
    """The organization gets its first owner (unless someone else claimed it first)."""
    owners = list(doc.get("owners") or [])
    if user_id in owners:
        return None
    if owners:
        raise AlreadyClaimed("This organization has an owner already.")
    return Change(set={"owners": [user_id]})


class Claims:
    """Claims of unclaimed organizations."""

    def __init__(self, deps: Deps, members: Members) -> None:
        self._store = deps.stores.orgs
        self._access = deps.access
        self._people = deps.people
        self._members = members

    async def claim(self, ref: str, caller: Principal, evidence: str, now: datetime) -> ClaimView:
        """Claim an unclaimed organization, with evidence a moderator reads."""
        org = await self._access.org(ref, caller)
        await self._access.check_not_blocked(org["_id"], caller.user_id)
        if not org_pages.is_public(org) and not await self._access.role(org["_id"], caller.user_id):
            raise OrgNotFound("No such organization.")
        if org.get("owners"):
            raise AlreadyClaimed("This organization has an owner already.")
        pair = (org["_id"], caller.user_id)
        claim_id = claim_key(*pair)
        with retry_later():
            written = await self._store.change_claim(
                claim_id, lambda d: opened(d, pair, evidence, now)
            )
        return _view({"_id": claim_id, **written.after()}, org)

    async def mine(self, caller: Principal, *, limit: int, cursor: str | None) -> Page:
        """The caller's claims and their outcomes, newest first."""
        page = await self._store.claims_of(caller.user_id, limit=limit, cursor=cursor)
        return await self._views(page.items, claimant=False), page.next_cursor

    async def queue(self, caller: Principal, *, limit: int, cursor: str | None) -> Page:
        """Moderators: the open claims, oldest first, with who claims."""
        self._access.require_moderator(caller)
        page = await self._store.open_claims_page(limit=limit, cursor=cursor)
        return await self._views(page.items, claimant=True), page.next_cursor

    async def approve(
        self, caller: Principal, claim_id: str, reason: str | None, now: datetime
    ) -> ClaimView:
        """A moderator approves: the claimant becomes owner (org.member_added)."""
        self._access.require_moderator(caller)
        claim = await self._store.claim(claim_id)
        if claim is None:
            raise ClaimNotFound("No such claim.")
        if claim["state"] == "rejected":
            raise ClaimDecided("This claim was rejected already.")
        org_id, user_id = claim["org_id"], claim["user_id"]
        with retry_later():
            written = await self._store.change_org(org_id, lambda d: claimed_by(d, user_id))
            if written is None:
                raise OrgNotFound("The claimed organization no longer exists.")
            decision = await self._store.change_claim(
                claim_id, lambda d: decided(d, "approved", reason, now)
            )
        await self._members.make_owner(org_id, user_id, now, actor=caller.user_id)
        return _view(decision.after(), written.after(), await self._claimant(user_id))

    async def reject(
        self, caller: Principal, claim_id: str, reason: str | None, now: datetime
    ) -> ClaimView:
        """A moderator rejects a claim (the claimant may claim again, with better evidence)."""
        self._access.require_moderator(caller)
        with retry_later():
            written = await self._store.change_claim(
                claim_id, lambda d: decided(d, "rejected", reason, now)
            )
        org = await self._store.org(written.after()["org_id"])
        if org is None:
            raise ClaimNotFound("No such claim.")
        return _view(written.after(), org, await self._claimant(written.after()["user_id"]))

    async def forget(self, user_id: str) -> None:
        """An erased person's claims go (with their evidence)."""
        await self._store.delete_claims_of(user_id)

    async def _views(self, claims: list[Document], *, claimant: bool) -> list[ClaimView]:
        people = await self._people.people([c["user_id"] for c in claims]) if claimant else {}
        views = []
        for claim in claims:
            org = await self._store.org(claim["org_id"])
            if org is not None:
                views.append(_view(claim, org, person_ref(people.get(claim["user_id"]))))
        return views

    async def _claimant(self, user_id: str) -> PersonRef | None:
        return person_ref(await self._people.person(user_id))


def _view(claim: Document, org: Document, claimant: PersonRef | None = None) -> ClaimView:
    return ClaimView(
        id=claim["_id"], org=card(org), state=claim["state"], evidence=claim["evidence"],
        reason=claim.get("reason"), claimant=claimant, created_at=claim["created_at"],
        decided_at=claim.get("decided_at"),
    )  # fmt: skip
