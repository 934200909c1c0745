"""Reviews of organizations, and their helpful votes: Protocol, MongoDB implementation, indexes.

Collections::

    reviews         {_id: "<org>:<author>"} (one per person and organization): stars, text,
                    the volunteered-here badge, the organization's answer, hidden, version;
                    pending review.* in _outbox.
    review_votes    {_id: "<review>:<voter>"}: one helpful vote per person and review.

(Filled in by the reviews work.)
"""

from __future__ import annotations

from typing import Protocol

from jumo_common.mongo import Collection, Database, IndexSpec
from jumo_common.outbox import Outbox

INDEXES: tuple[IndexSpec, ...] = ()
OUTBOX_COLLECTIONS = ("reviews",)


class ReviewStore(Protocol):
    """What the use cases need of reviews."""


class MongoReviewStore:
    """``ReviewStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.reviews: Collection = db["reviews"]
        self.votes: Collection = db["review_votes"]
