"""Organizations, their people and roles, invitations, verification, claimed imports."""

from __future__ import annotations

from jumo_orgs.deps import Deps


class Organizations:
    """Organizations, their people and roles, invitations, verification, claims of imported ones."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def forget(self, user_id: str) -> None:
        """Erase what this area holds about a deleted person, publishing what lets others forget."""

    async def set_hidden(self, organization_id: str, hidden: bool) -> bool:
        """Moderation hides (or shows again) a organization: it disappears from every list, and the
        event says so to the feed; False when there is no such organization."""
        raise NotImplementedError
