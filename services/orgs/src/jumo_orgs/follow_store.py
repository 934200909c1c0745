"""People following organizations, with their settings: Protocol, MongoDB implementation,
indexes.

Collections::

    org_follows     {_id: "<user>:<org>", user_id, org_id, active, in_feed, notify, digest,
                    since, version = the seq of org.followed / follow_changed / unfollowed}.

(Filled in by the following work.)
"""

from __future__ import annotations

from typing import Protocol

from jumo_common.mongo import Collection, Database, IndexSpec
from jumo_common.outbox import Outbox

INDEXES: tuple[IndexSpec, ...] = ()
OUTBOX_COLLECTIONS = ("org_follows",)


class FollowStore(Protocol):
    """What the use cases need of organization follows."""


class MongoFollowStore:
    """``FollowStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.follows: Collection = db["org_follows"]
