"""The events identity consumes: none.

identity is the source of ``user.*`` and learns about the world only through HTTP (its API
and Facebook's callbacks), so its bus runs a publisher and no consumer. A service that
consumes declares its map here, one visible place, and hands it to ``bus_context``::

    HANDLERS: Handlers = {"user.deleted": forget_user, "user.followed": project_follow}
"""

from __future__ import annotations

from jumo_common.bus import Handlers

HANDLERS: Handlers = {}
