"""People following organizations, with their own settings. (To be built: issue 8.)"""

from __future__ import annotations

from jumo_orgs.deps import Deps


class Following:
    """People following organizations, with their own settings."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def forget(self, user_id: str) -> None:
        """Erase what this area holds about a deleted person, publishing what lets others forget."""
