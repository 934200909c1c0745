"""Who follows whom: follow, unfollow, follow requests, lists, suggestions.

A follow edge is in one of three states — ``active``, ``requested``, ``none`` — and moves by
the rules below, each move one claimed write of the edge whose version is the pair's ``seq``::

    follow   a public profile      none → active        user.followed
             any other profile     none → requested     user.follow_requested (not yet a follow)
    unfollow                       active → none        user.unfollowed
                                   requested → none     (the request is withdrawn)
    approve  by the followee       requested → active   user.followed
    decline  by the followee       requested → none     (nothing published)

Repeating a move that already happened changes nothing and publishes nothing. "followers"
visibility means something only because a non-public profile approves its followers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from jumo_common.change import Change
from jumo_common.events import Envelope
from jumo_common.mongo import Document
from jumo_common.outbox import WriteConflict
from jumo_identity import events
from jumo_identity.errors import (
    CannotFollowSelf,
    FollowConflict,
    FollowRequestNotFound,
    UserNotFound,
)
from jumo_identity.profiles import User
from jumo_identity.schemas import FollowEntry, FollowState, UserSummary, summary
from jumo_identity.store import Direction, EdgeState, Store

MAX_SUGGESTIONS = 50
Move = Literal["follow", "unfollow", "approve", "decline"]
EventFor = Callable[[str, str, int], Envelope[Any]]


def edge_state(edge: Document | None) -> EdgeState:
    """The state of an edge document (no document: ``none``)."""
    state: EdgeState = edge["state"] if edge else "none"
    return state


def next_state(move: Move, current: EdgeState, *, needs_approval: bool) -> EdgeState:
    """Where ``move`` takes an edge in state ``current`` (the table in the module doc)."""
    if move == "follow" and current == "none":
        return "requested" if needs_approval else "active"
    if move == "unfollow" or (move == "decline" and current == "requested"):
        return "none"
    if move == "approve" and current == "requested":
        return "active"
    return current


def _event_of(before: EdgeState, after: EdgeState) -> EventFor | None:
    if after == "active" and before != "active":
        return events.user_followed
    if before == "active" and after != "active":
        return events.user_unfollowed
    if after == "requested" and before != "requested":
        return events.user_follow_requested
    return None


def edge_change(
    edge: Document | None, move: Move, pair: tuple[str, str], *, needs_approval: bool, now: datetime
) -> Change | None:
    """The write that makes ``move`` on the edge of ``pair`` (None: nothing to do)."""
    before = edge_state(edge)
    after = next_state(move, before, needs_approval=needs_approval)
    if after == before:
        return None
    follower_id, followee_id = pair
    fields = {"follower_id": follower_id, "followee_id": followee_id, "state": after, "since": now}
    make = _event_of(before, after)
    if make is None:
        return Change(set=fields)
    return Change(set=fields, events=lambda seq: [make(follower_id, followee_id, seq)])


class Graph:
    """The follow graph."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def set_following(
        self, follower_id: str, followee_id: str, *, follow: bool, now: datetime
    ) -> FollowState:
        """Follow (or ask to) or unfollow; repeating one changes nothing, publishes nothing."""
        if follower_id == followee_id:
            raise CannotFollowSelf("You cannot follow yourself.")
        followee = await self._store.user(followee_id)
        if followee is None and (
            follow or await self._store.follow_edge(follower_id, followee_id) is None
        ):
            raise UserNotFound("No such user.")
        needs_approval = followee is not None and followee.visibility != "public"
        move: Move = "follow" if follow else "unfollow"
        return await self._move(move, (follower_id, followee_id), needs_approval, now)

    async def answer_request(
        self, followee_id: str, follower_id: str, *, approve: bool, now: datetime
    ) -> FollowState:
        """The followee approves or declines a pending request."""
        edge = await self._store.follow_edge(follower_id, followee_id)
        if edge_state(edge) == "none":
            raise FollowRequestNotFound("This person has not asked to follow you.")
        move: Move = "approve" if approve else "decline"
        return await self._move(move, (follower_id, followee_id), False, now)

    async def _move(
        self, move: Move, pair: tuple[str, str], needs_approval: bool, now: datetime
    ) -> FollowState:
        def plan(edge: Document | None) -> Change | None:
            return edge_change(edge, move, pair, needs_approval=needs_approval, now=now)

        try:
            written = await self._store.change_follow(*pair, plan)
        except WriteConflict:
            raise FollowConflict("This follow is changing concurrently; try again.") from None
        state = edge_state(written.after() if written.change else written.before)
        return FollowState(
            follower_id=pair[0], followee_id=pair[1], following=state == "active",
            requested=state == "requested", changed=written.change is not None,
        )  # fmt: skip

    async def follows(self, follower_id: str, followee_id: str) -> bool:
        """Whether the follower follows the followee now."""
        return edge_state(await self._store.follow_edge(follower_id, followee_id)) == "active"

    async def page(
        self, user: User, *, direction: Direction, limit: int, cursor: str | None
    ) -> tuple[list[FollowEntry], str | None]:
        """One page of a (live) user's followers, following or requests, newest first."""
        page = await self._store.follow_page(
            user.id, direction=direction, limit=limit, cursor=cursor
        )
        other = "followee_id" if direction == "following" else "follower_id"
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
