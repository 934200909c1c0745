"""identity's event contracts (``user.*``); edited by identity's owners.

user.followed / user.unfollowed carry ``seq``: a per-(follower, followee) counter that
identity increments on every follow or unfollow of that pair, so a consumer keeps the state
of the highest ``seq`` it has seen (``jumo_common.bus.apply_if_newer``) and a late
``followed`` cannot undo a later ``unfollowed``. user.follow_requested carries the pair's ``seq``
too: it is the move of the same edge to ``requested`` (the followee's profile is not public and
they approve their followers), which becomes a follow only with a later ``user.followed``.

``email`` (user.registered, user.updated) is the person's contact address, the one identity
holds from Facebook. It is on the bus for the notifier alone, which sends email with it; it is
never shown to anyone else, and no other consumer stores or echoes it (orgs' and feed's
projections keep named fields only).

``share_joins`` (user.registered only) is the choice made at sign-up (``GET
/auth/facebook/login?share_joins=true``) to have joining shown on Facebook; off unless the person
said so. identity does not keep it: the notifier owns that preference afterwards.
"""

from __future__ import annotations

from jumo_common.events.envelope import EventData, event_type


@event_type("user.registered", 1)
class UserRegistered(EventData):
    """A person signed up (subject_id = user_id); a new profile is public."""

    user_id: str
    display_name: str
    avatar_url: str | None = None
    facebook_id: str | None = None
    locale: str | None = None
    visibility: str = "public"
    # Optional, so v1 stays compatible (see the module doc): the contact address, for the
    # notifier only, and the sign-up's opt-in to share joins on Facebook.
    email: str | None = None
    share_joins: bool = False
    # The Jumo users who are the person's Facebook friends when they sign up: the notifier
    # tells each of them "your friend joined Jumo" (Facebook's /me/friends lists only friends
    # who use the app, so these are people already here).
    friend_ids: tuple[str, ...] = ()


class Place(EventData):
    """Where a person is, coarsely: a city and/or a point rounded to 2 decimals."""

    city: str | None = None
    lat: float | None = None
    lng: float | None = None


class Availability(EventData):
    """Which parts of the week, and how many hours a month, a person can give."""

    parts: tuple[str, ...] = ()
    hours_per_month: int | None = None


@event_type("user.updated", 1)
class UserUpdated(EventData):
    """A user's profile changed; ``changed`` names the fields that did. It carries the whole
    profile as it is now (not only the changes), so a consumer's projection is one overwrite;
    ``version`` orders the updates of one person (a consumer keeps the highest it has seen).

    ``location`` is the city alone (the first shape); ``place`` has the point too.
    ``visibility`` is public | followers | private: a consumer shows others no more than it
    allows. ``findable`` (default false): organizations may list the person as a candidate
    for their opportunities; ``radius_km``: how far the person would go."""

    user_id: str
    display_name: str
    avatar_url: str | None = None
    bio: str | None = None
    skills: tuple[str, ...] = ()
    location: str | None = None
    changed: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    place: Place | None = None
    availability: Availability | None = None
    visibility: str = "public"
    version: int | None = None
    # Matching (optional, so v1 stays compatible): whether organizations may find the person
    # as a candidate, and how far they would go.
    findable: bool = False
    radius_km: int = 25
    # The contact address, for the notifier only (optional: v1 stays compatible).
    email: str | None = None


@event_type("user.followed", 1)
class UserFollowed(EventData):
    """follower_id now follows followee_id (``seq``: per-pair order)."""

    follower_id: str
    followee_id: str
    seq: int


@event_type("user.follow_requested", 1)
class UserFollowRequested(EventData):
    """follower_id asked to follow followee_id, who approves their followers (``seq``: per-pair
    order, shared with user.followed / user.unfollowed). Not a follow yet: approval publishes
    user.followed; a decline or a withdrawal publishes nothing."""

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
