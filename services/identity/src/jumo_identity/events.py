"""The events identity publishes, built from its domain objects (contracts: jumo_common.events).

Which change publishes what::

    first login                user.registered   (users document; share_joins: the sign-up's
                                                 choice, carried by the login state)
    profile or picture edit    user.updated      (users document; changed = field names)
    a new email from Facebook  user.updated      (at a login; changed names "email")
    follow / unfollow          user.followed / user.unfollowed, seq per pair (follows document)
    ask to follow (approval)   user.follow_requested, seq per pair (follows document)
    account deletion         user.deleted      (the user's tombstone)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from jumo_common.events import Envelope, make_event
from jumo_common.events.identity import (
    Availability,
    Place,
    UserDeleted,
    UserFollowed,
    UserFollowRequested,
    UserRegistered,
    UserUnfollowed,
    UserUpdated,
)
from jumo_common.logging import current_trace_id
from jumo_identity.profiles import User

PRODUCER = "identity"
# Profile fields whose change is public news, under their contract names.
CONTRACT_NAMES = {"picture_url": "avatar_url"}


def _event(data: Any, *, actor: str | None, subject: str) -> Envelope[Any]:
    return make_event(
        data, producer=PRODUCER, actor_id=actor, subject_id=subject, trace_id=current_trace_id()
    )


def user_registered(
    user: User, *, share_joins: bool = False, friend_ids: Sequence[str] = ()
) -> Envelope[Any]:
    """A person signed up (``share_joins``: they asked, at sign-up, to show it on Facebook;
    ``friend_ids``: their Facebook friends already on Jumo, who hear that they joined)."""
    data = UserRegistered(
        user_id=user.id,
        display_name=user.display_name,
        avatar_url=user.picture_url,
        facebook_id=user.facebook_id,
        email=user.email,
        share_joins=share_joins,
        friend_ids=tuple(friend_ids),
    )
    return _event(data, actor=user.id, subject=user.id)


def _availability(user: User) -> Availability | None:
    hours = user.availability
    if hours is None:
        return None
    return Availability(parts=tuple(hours.parts), hours_per_month=hours.hours_per_month)


def user_updated(user: User, changed: Iterable[str], version: int) -> Envelope[Any]:
    """A person's profile as it is at ``version`` of their document (``changed``: stored
    field names)."""
    place = user.location
    data = UserUpdated(
        user_id=user.id,
        display_name=user.display_name,
        avatar_url=user.picture_url,
        bio=user.bio,
        skills=tuple(user.skills),
        location=place.city if place else None,
        changed=tuple(sorted(CONTRACT_NAMES.get(name, name) for name in changed)),
        interests=tuple(user.interests),
        languages=tuple(user.languages),
        place=Place(city=place.city, lat=place.lat, lng=place.lng) if place else None,
        availability=_availability(user),
        visibility=user.visibility,
        version=version,
        findable=user.findable,
        radius_km=user.radius_km,
        email=user.email,
    )
    return _event(data, actor=user.id, subject=user.id)


def user_followed(follower_id: str, followee_id: str, seq: int) -> Envelope[Any]:
    """follower now follows followee."""
    data = UserFollowed(follower_id=follower_id, followee_id=followee_id, seq=seq)
    return _event(data, actor=follower_id, subject=followee_id)


def user_follow_requested(follower_id: str, followee_id: str, seq: int) -> Envelope[Any]:
    """follower asked to follow followee (who approves their followers)."""
    data = UserFollowRequested(follower_id=follower_id, followee_id=followee_id, seq=seq)
    return _event(data, actor=follower_id, subject=followee_id)


def user_unfollowed(follower_id: str, followee_id: str, seq: int) -> Envelope[Any]:
    """follower no longer follows followee."""
    data = UserUnfollowed(follower_id=follower_id, followee_id=followee_id, seq=seq)
    return _event(data, actor=follower_id, subject=followee_id)


def user_deleted(user_id: str, *, actor: str | None) -> Envelope[Any]:
    """Forget this user everywhere (actor None: Facebook asked)."""
    return _event(UserDeleted(user_id=user_id), actor=actor, subject=user_id)
