"""The events orgs consumes, and which handler reacts to each: the one place that subscribes.

People come from identity's ``user.*`` (orgs never calls identity): the projection's handlers
share the service's queue; erasure on ``user.deleted`` runs on a queue of its own, so that a
failing erasure never holds up the projection and the projection never delays an erasure.
"""

from __future__ import annotations

from jumo_common.bus import Subscriptions, on
from jumo_common.events.identity import (
    UserDeleted,
    UserFollowed,
    UserRegistered,
    UserUnfollowed,
    UserUpdated,
)
from jumo_orgs.typedefs import Orgs


def handlers(orgs: Orgs) -> Subscriptions:
    """orgs' subscriptions, built from its service objects."""
    people = orgs.people
    return Subscriptions(
        on(UserRegistered, people.on_registered),
        on(UserUpdated, people.on_updated),
        on(UserFollowed, people.on_followed),
        on(UserUnfollowed, people.on_unfollowed),
        on(UserDeleted, orgs.forget_person, name="erasure", isolated=True),
    )
