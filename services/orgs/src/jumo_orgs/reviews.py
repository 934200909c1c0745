"""Reviews of organizations, their answers and helpful votes. (To be built: issue 8.)"""

from __future__ import annotations

from jumo_orgs.deps import Deps


class Reviews:
    """Reviews of organizations, their answers and helpful votes."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def forget(self, user_id: str) -> None:
        """Erase what this area holds about a deleted person, publishing what lets others forget."""

    async def set_hidden(self, review_id: str, hidden: bool) -> bool:
        """Moderation hides (or shows again) a review: it disappears from every list, and the
        event says so to the feed; False when there is no such review."""
        raise NotImplementedError
