"""Organizations: creating and editing their page, verification, hiding, and forgetting a person.

Their people and roles are ``members.Members``, claims of unclaimed (imported) organizations
``claims.Claims``; both hang off ``Organizations`` so the rest of the service reaches them
through ``orgs.organizations``.

Who sees an organization: a verified one (or one verified before and pending again after a
registration change) is public; a draft, pending or rejected one exists only for its own
people and for moderators (404 for everyone else); a hidden one only for them too
(``Access.org``). Who edits it: its owners and admins (editors post news, they do not change
the page); moderators verify or reject it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from jumo_common.events.orgs import OrgRole
from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.outbox import Plan
from jumo_orgs import org_events, org_pages
from jumo_orgs.claims import Claims
from jumo_orgs.deps import Deps
from jumo_orgs.errors import OrgNotFound
from jumo_orgs.members import Members
from jumo_orgs.memberships import as_role
from jumo_orgs.org_errors import SlugTaken, retry_later
from jumo_orgs.schemas.orgs import OrgCreate, OrgPatch, OrgView, org_view


class Organizations:
    """Organizations, their people and roles, invitations, verification, claims of imported ones."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._store = deps.stores.orgs
        self._access = deps.access
        self.members = Members(deps)
        self.claims = Claims(deps, self.members)

    # ---- the page -----------------------------------------------------------------------------

    async def create(self, caller: Principal, body: OrgCreate, now: datetime) -> OrgView:
        """A new draft organization whose owner is its creator (org.created, org.member_added)."""
        org_id = uuid.uuid4().hex
        slugs = [body.slug] if body.slug else list(org_pages.derived_slugs(body.name, org_id))
        for slug in slugs:
            doc = org_pages.new_org(
                org_id, slug, body.page(), now=now, created_by=caller.user_id,
                owners=[caller.user_id],
            )  # fmt: skip
            if await self._store.create_org(
                doc, [org_events.org_created(doc, actor=doc["created_by"])]
            ):
                await self.members.make_owner(org_id, caller.user_id, now, actor=caller.user_id)
                return org_view(doc, role="owner", insider=True)
        raise SlugTaken(f"The slug '{slugs[-1]}' is taken; choose another.")

    async def view(self, ref: str, caller: Principal | None) -> OrgView:
        """The page of an organization by id or slug, as the caller may see it."""
        doc, role, insider = await self._visible(ref, caller)
        return org_view(doc, role=role, insider=insider)

    async def update(self, ref: str, caller: Principal, patch: OrgPatch, now: datetime) -> OrgView:
        """Owners and admins edit the page; only the fields sent change (org.updated)."""
        org = await self._access.org(ref, caller)
        role = await self._access.require(org["_id"], caller, "admin")
        wanted = patch.fields_sent()
        after = await self._change(
            org["_id"], lambda d: org_pages.page_change(d, wanted, actor=caller.user_id, now=now)
        )
        return org_view(after, role=as_role(role), insider=True)

    # ---- verification -------------------------------------------------------------------------

    async def submit(self, ref: str, caller: Principal, now: datetime) -> OrgView:
        """Owners and admins ask for verification (org.submitted)."""
        org = await self._access.org(ref, caller)
        role = await self._access.require(org["_id"], caller, "admin")
        after = await self._change(
            org["_id"], lambda d: org_pages.submitted(d, by=caller.user_id, now=now)
        )
        return org_view(after, role=as_role(role), insider=True)

    async def verify(self, ref: str, caller: Principal, now: datetime) -> OrgView:
        """A moderator verifies a pending organization (org.verified)."""
        self._access.require_moderator(caller)
        org = await self._access.org(ref, caller)
        after = await self._change(
            org["_id"], lambda d: org_pages.verified(d, by=caller.user_id, now=now)
        )
        return org_view(after, insider=True)

    async def reject(self, ref: str, caller: Principal, reason: str, now: datetime) -> OrgView:
        """A moderator turns a pending organization down with a reason (org.rejected)."""
        self._access.require_moderator(caller)
        org = await self._access.org(ref, caller)
        after = await self._change(
            org["_id"],
            lambda d: org_pages.rejected(d, by=caller.user_id, reason=reason, now=now),
        )
        return org_view(after, insider=True)

    async def pending(
        self, caller: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[OrgView], str | None]:
        """Moderators: the organizations waiting for verification, oldest first."""
        self._access.require_moderator(caller)
        page = await self._store.pending_page(limit=limit, cursor=cursor)
        return [org_view(doc, insider=True) for doc in page.items], page.next_cursor

    # ---- moderation and erasure ---------------------------------------------------------------

    async def set_hidden(self, organization_id: str, hidden: bool) -> bool:
        """Moderation hides (or shows again) an organization: it disappears from every list, and
        the event says so to the feed; False when there is no such organization."""
        plan: Plan = lambda doc: org_pages.hidden_change(doc, hidden)  # noqa: E731
        with retry_later():
            return await self._store.change_org(organization_id, plan) is not None

    async def forget(self, user_id: str) -> None:
        """Erase what this area holds about a deleted person: their memberships
        (org.member_removed), invitations and claims, and that they created an organization. An
        organization they were the only owner of stays, unclaimed: its other people keep their
        roles, and anyone may claim it (a moderator decides)."""
        await self.members.forget(user_id)
        await self.claims.forget(user_id)
        for org_id in await self._store.orgs_created_by(user_id):
            await self._store.change_org(org_id, lambda d: org_pages.without_creator(d, user_id))

    # ---- helpers ------------------------------------------------------------------------------

    async def _visible(
        self, ref: str, caller: Principal | None
    ) -> tuple[Document, OrgRole | None, bool]:
        org = await self._access.org(ref, caller)
        role = await self._access.role(org["_id"], caller.user_id) if caller else None
        insider = role is not None or self._access.is_moderator(caller)
        if not (insider or org_pages.is_public(org)):
            raise OrgNotFound("No such organization.")
        return org, as_role(role), insider

    async def _change(self, org_id: str, plan: Plan) -> Document:
        with retry_later():
            written = await self._store.change_org(org_id, plan)
        if written is None:
            raise OrgNotFound("No such organization.")
        return written.after()
