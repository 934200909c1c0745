"""Organizations' news: the store's Protocol, its MongoDB implementation, its indexes.

Collections::

    posts   one per post: org_id, author_id, title, body, link, important, state
            published | deleted, hidden, created_at, version; pending post.* in _outbox.

(Filled in by the news work.)
"""

from __future__ import annotations

from typing import Protocol

from jumo_common.mongo import Collection, Database, IndexSpec
from jumo_common.outbox import Outbox

INDEXES: tuple[IndexSpec, ...] = ()
OUTBOX_COLLECTIONS = ("posts",)


class PostStore(Protocol):
    """What the use cases need of posts."""


class MongoPostStore:
    """``PostStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.posts: Collection = db["posts"]
