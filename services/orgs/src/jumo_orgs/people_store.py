"""The people orgs knows: a projection of identity's ``user.*`` events, never a call to identity.

Collections::

    people          one per person: display name, picture, skills, interests, languages,
                    place, availability, visibility, and ``profile_version`` (the version of
                    the user.updated it was built from: an older one arriving late is ignored).
                    A deleted person stays as {_id, deleted: true}, so that a late user.updated
                    cannot bring them back; nothing else of them remains.
    person_follows  who follows whom among people, {_id: "<follower>:<followee>", active,
                    version = the user.followed/unfollowed seq}: what "followers" visibility
                    needs here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from jumo_common.mongo import ASCENDING, Collection, Database, Document, IndexSpec
from jumo_common.mongo.pushdown import FilterMode, find_by_ids
from jumo_common.outbox import Outbox, UpsertPlan, VersionedDocuments, Written

INDEXES = (IndexSpec("person_follows", (("followee_id", ASCENDING), ("active", ASCENDING))),)
OUTBOX_COLLECTIONS: tuple[str, ...] = ()  # the projection publishes nothing


def follow_key(follower_id: str, followee_id: str) -> str:
    """The _id of a person-to-person follow."""
    return f"{follower_id}:{followee_id}"


class PeopleStore(Protocol):
    """What the projection needs of its storage."""

    async def person(self, user_id: str) -> Document | None:
        """A person's document (a tombstone too), by id."""
        ...

    async def people(self, user_ids: Sequence[str]) -> list[Document]:
        """The live people among ``user_ids``."""
        ...

    async def change_person(self, user_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a person's document (or to its absence)."""
        ...

    async def follow(self, follower_id: str, followee_id: str) -> Document | None:
        """The follow of a pair, if either ever followed."""
        ...

    async def change_follow(self, follower_id: str, followee_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the follow of a pair."""
        ...

    async def forget_follows(self, user_id: str) -> None:
        """Delete every follow from or to a person."""
        ...


class MongoPeopleStore:
    """``PeopleStore`` on MongoDB / FerretDB."""

    def __init__(self, db: Database, outbox: Outbox, claims: Collection) -> None:
        self.collection: Collection = db["people"]
        self.follows: Collection = db["person_follows"]
        self._people = VersionedDocuments(self.collection, outbox, claims)
        self._follows = VersionedDocuments(self.follows, outbox, claims)
        self._filter_mode = FilterMode(self.collection)

    async def person(self, user_id: str) -> Document | None:
        """A person's document (a tombstone too), by id."""
        return await self._people.get(user_id)

    async def people(self, user_ids: Sequence[str]) -> list[Document]:
        """The live people among ``user_ids``."""
        found = await find_by_ids(self.collection, user_ids, self._filter_mode)
        return [doc for doc in found if not doc.get("deleted")]

    async def change_person(self, user_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to a person's document (or to its absence)."""
        return await self._people.upsert(user_id, plan)

    async def follow(self, follower_id: str, followee_id: str) -> Document | None:
        """The follow of a pair, if either ever followed."""
        return await self._follows.get(follow_key(follower_id, followee_id))

    async def change_follow(self, follower_id: str, followee_id: str, plan: UpsertPlan) -> Written:
        """Apply ``plan`` to the follow of a pair."""
        return await self._follows.upsert(follow_key(follower_id, followee_id), plan)

    async def forget_follows(self, user_id: str) -> None:
        """Delete every follow from or to a person."""
        await self.follows.delete_many(
            {"$or": [{"follower_id": user_id}, {"followee_id": user_id}]}
        )
