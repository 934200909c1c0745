"""Who follows whom: idempotent follow/unfollow with per-pair order, lists, suggestions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from jumo_common.events import Envelope
from jumo_identity import events
from jumo_identity.errors import CannotFollowSelf, FollowConflict, UserNotFound
from jumo_identity.profiles import User
from jumo_identity.schemas import FollowEntry, FollowState, UserSummary, summary
from jumo_identity.store import Store, WriteConflict

MAX_SUGGESTIONS = 50


class Graph:
    """The follow graph."""

    def __init__(self, store: Store, notify: Callable[[], None]) -> None:
        self._store = store
        self._notify = notify

    async def set_following(
        self, follower_id: str, followee_id: str, *, follow: bool, now: datetime
    ) -> FollowState:
        """Follow or unfollow; repeating one changes nothing and publishes nothing."""
        if follower_id == followee_id:
            raise CannotFollowSelf("You cannot follow yourself.")
        if follow and await self._store.user(followee_id) is None:
            raise UserNotFound("No such user.")
        make = events.user_followed if follow else events.user_unfollowed

        def event_for(seq: int) -> Envelope[Any]:
            return make(follower_id, followee_id, seq)

        try:
            changed = await self._store.set_follow(
                follower_id, followee_id, active=follow, now=now, event=event_for
            )
        except WriteConflict:
            raise FollowConflict("This follow is changing concurrently; try again.") from None
        if not follow and not changed and await self._store.user(followee_id) is None:
            raise UserNotFound("No such user.")
        if changed:
            self._notify()
        return FollowState(
            follower_id=follower_id, followee_id=followee_id, following=follow, changed=changed
        )

    async def follows(self, follower_id: str, followee_id: str) -> bool:
        """Whether the follower follows the followee now."""
        edge = await self._store.follow_state(follower_id, followee_id)
        return bool(edge and edge["active"])

    async def page(
        self, user: User, *, direction: str, limit: int, cursor: str | None
    ) -> tuple[list[FollowEntry], str | None]:
        """One page of a (live) user's followers or following, newest first."""
        page = await self._store.follow_page(
            user.id, direction=direction, limit=limit, cursor=cursor
        )
        other = "follower_id" if direction == "followers" else "followee_id"
        people = await self._store.users_by_ids([edge[other] for edge in page.items])
        entries = [
            FollowEntry(**summary(people[edge[other]]).model_dump(), since=edge["since"])
            for edge in page.items
            if edge[other] in people
        ]
        return entries, page.next_cursor

    async def suggestions(self, user: User) -> list[UserSummary]:
        """Facebook friends on Jumo whom the user does not follow yet."""
        friends = await self._store.friends_using_jumo(user)
        followed = await self._store.followed_among(user.id, [f.id for f in friends])
        fresh = [f for f in friends if f.id not in followed]
        fresh.sort(key=lambda f: (f.display_name.lower(), f.id))
        return [summary(f) for f in fresh[:MAX_SUGGESTIONS]]
