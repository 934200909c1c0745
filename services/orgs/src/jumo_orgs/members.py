"""An organization's people and roles: invitations, role changes, leaving, ownership transfer.

Rules (roles rank owner > admin > editor):

- admins and owners invite; an admin invites admins and editors, only an owner invites owners;
  the invitee must be a person orgs knows (from identity's events), and accepts or declines;
- admins and owners change roles and remove people of their own rank or below, never to a role
  above their own (an admin cannot touch an owner); anyone may leave;
- an owner transfers ownership to another member and becomes admin;
- the last owner can neither leave nor be demoted (409 last-owner).

"At least one owner" holds under concurrency because every change to the set of owners also
goes through the organization's document (its ``owners`` list, written by claimed versions):
an owner's removal is written there first, where a second concurrent removal sees it; a new
owner is added there after their membership, so a crash between the two writes leaves the list
short of an owner, never long of one. Access reads the memberships.
"""

from __future__ import annotations

from datetime import datetime

from jumo_common.events.orgs import OrgRole
from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_common.outbox import UpsertPlan
from jumo_orgs import memberships as m
from jumo_orgs import org_pages
from jumo_orgs.cards import card
from jumo_orgs.deps import Deps
from jumo_orgs.errors import NotAllowed
from jumo_orgs.org_errors import MemberNotFound, PersonNotFound, TransferToSelf, retry_later
from jumo_orgs.org_store import member_key
from jumo_orgs.people import Person
from jumo_orgs.schemas.members import InvitationView, MemberView, person_ref

Page = tuple[list[MemberView], str | None]


class Members:
    """The people of organizations and their roles."""

    def __init__(self, deps: Deps) -> None:
        self._store = deps.stores.orgs
        self._access = deps.access
        self._people = deps.people

    # ---- invitations --------------------------------------------------------------------------

    async def invite(
        self, ref: str, caller: Principal, user_id: str, role: OrgRole, now: datetime
    ) -> MemberView:
        """Invite a person to a role (nothing is published until they accept)."""
        org = await self._access.org(ref, caller)
        mine = await self._access.require(org["_id"], caller, "admin")
        if m.outranks(role, mine):
            raise NotAllowed(f"Only an {role} may invite an {role}.")
        if await self._people.person(user_id) is None:
            raise PersonNotFound("No such person.")
        pair = (org["_id"], user_id)
        doc = await self._write(pair, lambda d: m.invitation(d, pair, role, by=caller.user_id,
                                                             now=now))  # fmt: skip
        return await self._view(doc)

    async def invitations(
        self, caller: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[InvitationView], str | None]:
        """The caller's pending invitations, newest first."""
        page = await self._store.invitations_of(caller.user_id, limit=limit, cursor=cursor)
        inviters = await self._people.people([d["invited_by"] for d in page.items
                                              if d.get("invited_by")])  # fmt: skip
        items = []
        for doc in page.items:
            org = await self._store.org(doc["org_id"])
            if org is None or org.get("hidden"):
                continue
            by = person_ref(inviters.get(doc.get("invited_by") or ""))
            items.append(InvitationView(org=card(org), role=doc["role"], invited_by=by,
                                        invited_at=doc["since"]))  # fmt: skip
        return items, page.next_cursor

    async def accept(self, ref: str, caller: Principal, now: datetime) -> MemberView:
        """The invitee joins in the invited role (org.member_added)."""
        org = await self._access.org(ref, caller)
        pair = (org["_id"], caller.user_id)
        doc = await self._write(pair, lambda d: m.accepted(d, now=now))
        if m.role_of(doc) == "owner":
            await self._add_owner(org["_id"], caller.user_id)
        return await self._view(doc)

    async def decline(self, ref: str, caller: Principal) -> None:
        """The invitee turns the invitation down (nothing is published)."""
        org = await self._access.org(ref, caller)
        await self._write((org["_id"], caller.user_id), m.declined)

    # ---- the people ---------------------------------------------------------------------------

    async def page(
        self, ref: str, caller: Principal, state: str, *, limit: int, cursor: str | None
    ) -> Page:
        """The organization's people (its people and moderators may look), or its pending
        invitations (its admins and moderators)."""
        org = await self._access.org(ref, caller)
        if not self._access.is_moderator(caller):
            await self._access.require(
                org["_id"], caller, "admin" if state == "invited" else "editor"
            )
        page = await self._store.members_page(org["_id"], state, limit=limit, cursor=cursor)
        people = await self._people.people([d["user_id"] for d in page.items])
        return [_member_view(d, people.get(d["user_id"])) for d in page.items], page.next_cursor

    async def change_role(
        self, ref: str, caller: Principal, user_id: str, role: OrgRole
    ) -> MemberView:
        """Give a member another role (org.member_added with it)."""
        org = await self._access.org(ref, caller)
        mine = await self._access.require(org["_id"], caller, "admin")
        current = m.role_of(await self._store.member(org["_id"], user_id))
        if current is None:
            raise MemberNotFound("This person is not one of the organization's people.")
        if m.outranks(current, mine) or m.outranks(role, mine):
            raise NotAllowed("You may only give roles up to your own, to people up to your rank.")
        return await self._view(await self._set_role(org["_id"], user_id, current, role, caller))

    async def remove(self, ref: str, caller: Principal, user_id: str) -> None:
        """Leave (anyone), or remove someone of your rank or below, or withdraw an invitation
        (admins and owners); org.member_removed for a member."""
        org = await self._access.org(ref, caller)
        mine = None
        if user_id != caller.user_id:
            mine = await self._access.require(org["_id"], caller, "admin")
        target = await self._store.member(org["_id"], user_id)
        role = m.listed_role(target)
        if role is None:
            raise MemberNotFound("This person is not one of the organization's people.")
        if mine is not None and m.outranks(role, mine):
            raise NotAllowed("You may only remove people of your rank or below.")
        if m.role_of(target) == "owner":
            await self._remove_owner(org["_id"], user_id)
        await self._write((org["_id"], user_id), lambda d: m.removed(d, actor=caller.user_id))

    async def transfer(self, ref: str, caller: Principal, user_id: str) -> MemberView:
        """An owner makes another member owner and becomes admin."""
        org = await self._access.org(ref, caller)
        await self._access.require(org["_id"], caller, "owner")
        if user_id == caller.user_id:
            raise TransferToSelf("You are an owner already; name another member.")
        current = m.role_of(await self._store.member(org["_id"], user_id))
        if current is None:
            raise MemberNotFound("Only one of the organization's people can become its owner.")
        new_owner = await self._set_role(org["_id"], user_id, current, "owner", caller)
        await self._set_role(org["_id"], caller.user_id, "owner", "admin", caller)
        return await self._view(new_owner)

    async def make_owner(
        self, org_id: str, user_id: str, now: datetime, *, actor: str | None
    ) -> None:
        """The person becomes an owner: the creator, or an approved claimant."""
        pair = (org_id, user_id)
        await self._write(pair, lambda d: m.owner_granted(d, pair, actor=actor, now=now))
        await self._add_owner(org_id, user_id)

    async def forget(self, user_id: str) -> None:
        """An erased person leaves every organization (org.member_removed) and every invitation;
        an organization left without owners becomes unclaimed."""
        for doc in await self._store.memberships_of(user_id):
            if m.role_of(doc) == "owner":
                await self._store.change_org(
                    doc["org_id"], lambda d: org_pages.without_owner(d, user_id, may_empty=True)
                )
            plan: UpsertPlan = lambda d: m.removed(d, actor=None, erasing=True)  # noqa: E731
            await self._store.change_member(doc["org_id"], user_id, plan)

    # ---- helpers ------------------------------------------------------------------------------

    async def _set_role(
        self, org_id: str, user_id: str, current: str, role: OrgRole, caller: Principal
    ) -> Document:
        if current == "owner" and role != "owner":
            await self._remove_owner(org_id, user_id)  # first: the lock refuses the last one
        plan: UpsertPlan = lambda d: m.role_changed(d, role, actor=caller.user_id)  # noqa: E731
        doc = await self._write((org_id, user_id), plan)
        if role == "owner":
            await self._add_owner(org_id, user_id)
        return doc

    async def _add_owner(self, org_id: str, user_id: str) -> None:
        with retry_later():
            await self._store.change_org(org_id, lambda d: org_pages.with_owner(d, user_id))

    async def _remove_owner(self, org_id: str, user_id: str) -> None:
        with retry_later():
            await self._store.change_org(org_id, lambda d: org_pages.without_owner(d, user_id))

    async def _write(self, pair: tuple[str, str], plan: UpsertPlan) -> Document:
        with retry_later():
            written = await self._store.change_member(*pair, plan)
        doc = written.after() if written.change else written.before or {}
        return {"_id": member_key(*pair), **doc}  # a new document's Written has no _id

    async def _view(self, doc: Document) -> MemberView:
        return _member_view(doc, await self._people.person(doc["user_id"]))


def _member_view(doc: Document, person: Person | None) -> MemberView:
    return MemberView(
        user_id=doc["user_id"], display_name=person.display_name if person else "Jumo member",
        avatar_url=person.avatar_url if person else None, role=doc["role"], state=doc["state"],
        since=doc["since"],
    )  # fmt: skip
