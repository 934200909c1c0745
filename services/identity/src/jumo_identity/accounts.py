"""A person's account: creation from Facebook, profile edits, export and deletion."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.logging import get_logger
from jumo_facebook import FacebookClient, FacebookError
from jumo_facebook.models import Profile
from jumo_identity import events
from jumo_identity.crypto import Sealer, SealError
from jumo_identity.errors import UserNotFound
from jumo_identity.profiles import User, changes
from jumo_identity.schemas import ProfilePatch, private_view
from jumo_identity.store import Store
from jumo_identity.store_auth import AuthStore

log = get_logger(__name__)
# What a tombstone keeps of a user document: nothing that says who the person was.
TOMBSTONE_FIELDS = frozenset({"_id", "deleted", "deleted_at", "facebook_id", "version"})


def new_user_document(profile: Profile, now: datetime) -> dict[str, Any]:
    """The document of a person's first login (the Facebook link is added by the caller)."""
    name = profile.name or " ".join(p for p in (profile.first_name, profile.last_name) if p)
    return {
        "_id": uuid.uuid4().hex,
        "facebook_id": profile.id,
        "email": profile.email,
        "display_name": (name or "Jumo member")[:100],
        "picture_url": profile.picture.data.url if profile.picture else None,
        "visibility": "public",
        "roles": [],
        "created_at": now,
        "updated_at": now,
    }


def _facebook_export(user: User, link: dict[str, Any]) -> dict[str, Any]:
    """The Facebook link as exported: the sealed token is named, never included."""
    return {
        "facebook_id": user.facebook_id,
        "scopes": link.get("scopes", []),
        "linked_at": link.get("linked_at"),
        "token_expires_at": link.get("token_expires_at"),
        "access_token": "held encrypted (AES-256-GCM); not exported" if link.get("token") else None,
        "friend_ids_using_jumo": user.facebook_friend_ids,
    }


def _edges_export(
    edges: list[dict[str, Any]], user_id: str, own_side: str, other_side: str
) -> list[dict[str, Any]]:
    """The other person and the date of each edge where ``user_id`` is on ``own_side``."""
    return [
        {"user_id": e[other_side], "since": e["since"]} for e in edges if e[own_side] == user_id
    ]


def tombstone(doc: dict[str, Any], now: datetime, deleted: Any) -> Change:
    """The write that erases a user down to a tombstone carrying ``user.deleted`` (only)."""
    user_id = doc["_id"]
    return Change(
        set={"deleted": True, "deleted_at": now, "facebook_id": f"deleted:{user_id}"},
        unset=frozenset(name for name in doc if name not in TOMBSTONE_FIELDS),
        events=(deleted,),
        forget_pending=True,  # the unsent events of the person's past carry their data
    )


def unfriend(doc: dict[str, Any], facebook_id: str) -> Change | None:
    """Drop ``facebook_id`` from a user's Facebook friend list (nothing public changes)."""
    friends = doc.get("facebook_friend_ids") or []
    if facebook_id not in friends:
        return None
    return Change(set={"facebook_friend_ids": [f for f in friends if f != facebook_id]})


class Accounts:
    """Profile edits, export and deletion."""

    def __init__(
        self,
        *,
        store: Store,
        auth: AuthStore,
        sealer: Sealer,
        facebook: FacebookClient,
    ) -> None:
        self._store = store
        self._auth = auth
        self._sealer = sealer
        self._facebook = facebook

    async def live_user(self, user_id: str) -> User:
        """A live user, or UserNotFound."""
        user = await self._store.user(user_id)
        if user is None:
            raise UserNotFound("No such user.")
        return user

    async def update_profile(self, user: User, patch: ProfilePatch, now: datetime) -> User:
        """Apply a PATCH; publishes user.updated only when something really changed."""

        def plan(doc: dict[str, Any]) -> Change | None:
            changed = changes(User.model_validate(doc), patch.fields_sent())
            if not changed:
                return None
            preview = User.model_validate({**doc, **changed})
            return Change(
                set={**changed, "updated_at": now},
                events=lambda version: [events.user_updated(preview, changed, version)],
            )

        written = await self._store.change_user(user.id, plan)
        if written is None:
            raise UserNotFound("No such user.")
        return User.model_validate(written.after())

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything identity holds about a person, secrets replaced by what they are."""
        document = await self._store.user_document(user_id)
        if document is None:
            raise UserNotFound("No such user.")
        user = User.model_validate(document)
        edges = await self._store.edges_of(user_id)
        families = await self._auth.families_of(user_id)
        return {
            "profile": private_view(user).model_dump(mode="json"),
            "last_login_at": user.last_login_at,
            "facebook": _facebook_export(user, document.get("facebook") or {}),
            "following": _edges_export(edges, user_id, "follower_id", "followee_id"),
            "followers": _edges_export(edges, user_id, "followee_id", "follower_id"),
            "logins": [
                {"id": f["_id"], "created_at": f["created_at"], "revoked_at": f.get("revoked_at")}
                for f in families
            ],
        }

    async def delete(
        self, user_id: str, now: datetime, *, revoke_facebook: bool, actor: str | None
    ) -> bool:
        """Delete a person: tokens, Facebook permissions, data; publishes user.deleted.

        False when there was no live user. Facebook revocation is best effort: a person who
        asked to leave is deleted even while Facebook is unreachable.
        """
        document = await self._store.user_document(user_id)
        if document is None:
            return False
        await self._auth.revoke_user(user_id, now)
        if revoke_facebook:
            await self._revoke_facebook(user_id, document)
        deleted = events.user_deleted(user_id, actor=actor)
        if await self._store.change_user(user_id, lambda doc: tombstone(doc, now, deleted)) is None:
            return False
        await self._store.delete_edges_of(user_id)
        await self._auth.forget_user(user_id)
        await self._forget_friendship(document.get("facebook_id"))
        log.info("user deleted", user_id=user_id)
        return True

    async def _forget_friendship(self, facebook_id: str | None) -> None:
        """Take a deleted person's Facebook id out of their friends' friend lists."""
        if not facebook_id:
            return
        for friend_id in await self._store.users_with_friend(facebook_id):
            await self._store.change_user(friend_id, lambda doc: unfriend(doc, facebook_id))

    async def _revoke_facebook(self, user_id: str, document: dict[str, Any]) -> None:
        sealed = (document.get("facebook") or {}).get("token")
        if not sealed:
            return
        try:
            token = self._sealer.open(sealed, f"facebook-token:{user_id}")
            await self._facebook.revoke(token)
        except (FacebookError, SealError) as exc:
            log.warning("could not revoke facebook permissions", user_id=user_id, error=str(exc))
