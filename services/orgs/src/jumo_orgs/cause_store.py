"""Causes people join: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    cause_members   {_id: "<cause slug>:<user>", cause, user_id, active, since,
                    version = the seq of cause.joined / cause.left}.

The catalogue itself is in the repository (``catalogue.py``), not in the database.
(Filled in by the causes work.)
"""

from __future__ import annotations

from typing import Protocol

from jumo_common.mongo import Collection, Database, IndexSpec
from jumo_common.outbox import Outbox

INDEXES: tuple[IndexSpec, ...] = ()
OUTBOX_COLLECTIONS = ("cause_members",)


class CauseStore(Protocol):
    """What the use cases need of cause memberships."""


class MongoCauseStore:
    """``CauseStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.members: Collection = db["cause_members"]
