"""Who may do what to an organization: its people's roles, platform moderators, blocks.

Every write of orgs checks the caller here before anything else; the authorization matrix
test tries every route as every kind of caller. Roles rank ``owner`` > ``admin`` > ``editor``:
a check names the lowest role that may act.
"""

from __future__ import annotations

from jumo_common.jwt import Principal
from jumo_common.mongo import Document
from jumo_orgs.errors import Blocked, NotAllowed, OrgNotFound
from jumo_orgs.store import Stores

RANK = {"editor": 1, "admin": 2, "owner": 3}


class Access:
    """The checks; every method raises a domain error or returns what it looked up."""

    def __init__(self, stores: Stores, moderator_role: str = "moderator") -> None:
        self._stores = stores
        self.moderator_role = moderator_role

    def is_moderator(self, caller: Principal | None) -> bool:
        """Whether the caller's token carries the platform moderator role."""
        return caller is not None and caller.has_role(self.moderator_role)

    async def org(self, ref: str, caller: Principal | None = None) -> Document:
        """An organization by id or slug that the caller may see; OrgNotFound otherwise.

        A hidden organization exists only for moderators and its own people.
        """
        doc = await self._stores.orgs.org(ref) or await self._stores.orgs.org_by_slug(ref)
        if doc is None:
            raise OrgNotFound("No such organization.")
        if doc.get("hidden") and not (
            self.is_moderator(caller) or await self._is_member(doc, caller)
        ):
            raise OrgNotFound("No such organization.")
        return doc

    async def role(self, org_id: str, user_id: str) -> str | None:
        """The person's role in the organization (None: not one of its people)."""
        member = await self._stores.orgs.member(org_id, user_id)
        return member["role"] if member and member.get("state") == "active" else None

    async def require(self, org_id: str, caller: Principal, lowest: str) -> str:
        """The caller's role when it is at least ``lowest``; NotAllowed otherwise."""
        role = await self.role(org_id, caller.user_id)
        if role is None or RANK[role] < RANK[lowest]:
            raise NotAllowed(f"This needs the {lowest} role (or higher) in this organization.")
        return role

    def require_moderator(self, caller: Principal) -> None:
        """NotAllowed unless the caller is a platform moderator."""
        if not self.is_moderator(caller):
            raise NotAllowed("This needs the moderator role.")

    async def check_not_blocked(self, org_id: str, user_id: str) -> None:
        """Blocked when the organization's admins blocked this person."""
        if await self._stores.moderation.block(org_id, user_id) is not None:
            raise Blocked("This organization does not accept that from you.")

    async def _is_member(self, org: Document, caller: Principal | None) -> bool:
        return caller is not None and await self.role(org["_id"], caller.user_id) is not None
