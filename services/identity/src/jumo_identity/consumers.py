"""The events identity consumes: none.

identity is the source of ``user.*`` and learns about the world only through HTTP (its API
and Facebook's callbacks), so its bus relays its outbox and runs no consumer. A service that
consumes builds its map here, the one visible place, from its service objects::

    def handlers(orgs: Orgs) -> Subscriptions:
        return Subscriptions(
            on(UserUpdated, orgs.people.project),
            on(UserDeleted, orgs.forget_person),
        )
"""

from __future__ import annotations

from jumo_common.bus import Subscriptions
from jumo_identity.typedefs import Identity


def handlers(_identity: Identity) -> Subscriptions:
    """identity subscribes to nothing."""
    return Subscriptions()
