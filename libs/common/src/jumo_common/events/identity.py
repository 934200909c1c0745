"""identity's event contracts (``user.*``); edited by identity's owners.

user.followed / user.unfollowed carry ``seq``: a per-(follower, followee) counter that
identity increments on every follow or unfollow of that pair, so a consumer keeps the state
of the highest ``seq`` it has seen (``jumo_common.bus.apply_if_newer``) and a late
``followed`` cannot undo a later ``unfollowed``.
"""

from __future__ import annotations

from jumo_common.events.envelope import EventData, event_type


@event_type("user.registered", 1)
class UserRegistered(EventData):
    """A person signed up (subject_id = user_id)."""

    user_id: str
    display_name: str
    avatar_url: str | None = None
    facebook_id: str | None = None
    locale: str | None = None


@event_type("user.updated", 1)
class UserUpdated(EventData):
    """A user's public profile changed; ``changed`` names the fields that did."""

    user_id: str
    display_name: str
    avatar_url: str | None = None
    bio: str | None = None
    skills: tuple[str, ...] = ()
    location: str | None = None
    changed: tuple[str, ...] = ()


@event_type("user.followed", 1)
class UserFollowed(EventData):
    """follower_id now follows followee_id (``seq``: per-pair order)."""

    follower_id: str
    followee_id: str
    seq: int


@event_type("user.unfollowed", 1)
class UserUnfollowed(EventData):
    """follower_id no longer follows followee_id (``seq``: per-pair order)."""

    follower_id: str
    followee_id: str
    seq: int


@event_type("user.deleted", 1)
class UserDeleted(EventData):
    """A user deleted their account (or Facebook asked us to): forget them everywhere."""

    user_id: str
