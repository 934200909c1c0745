"""The callbacks Facebook makes to us: deauthorize, and data deletion with its status page.

A data-deletion request is recorded under a pseudonym of the app-scoped Facebook id (a keyed
hash: the status page must not keep the id it was asked to forget). The pseudonym is unique,
so a replayed request finds the first record and answers its confirmation code; the deletion
runs again only if the first attempt never finished (it is idempotent anyway).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.logging import get_logger
from jumo_facebook import FacebookClient, SignedRequest, SignedRequestError
from jumo_identity.accounts import Accounts
from jumo_identity.crypto import Sealer
from jumo_identity.errors import DeletionNotFound, InvalidSignedRequest
from jumo_identity.schemas import DeletionAnswer, DeletionStatus
from jumo_identity.store import Store
from jumo_identity.store_auth import AuthStore

log = get_logger(__name__)
SUBJECT_PURPOSE = "facebook-data-deletion"


def describe(record: dict[str, Any]) -> DeletionStatus:
    """Say in words what a deletion request did."""
    asked = f"{record['requested_at']:%d %B %Y at %H:%M} UTC"
    if record["status"] != "completed":
        message = f"Your request of {asked} to delete your Jumo data is being processed."
    elif record.get("outcome") == "deleted":
        message = (
            f"Following your request of {asked}, your Jumo account was deleted: your profile, "
            "the people you followed and who followed you, your logins and your Facebook link "
            "are gone. Jumo's other services were told to forget you too."
        )
    else:
        message = (
            f"When your request of {asked} arrived, Jumo held no account for your Facebook "
            "profile, so there was nothing to delete."
        )
    return DeletionStatus(
        confirmation_code=record["_id"], status=record["status"], outcome=record.get("outcome"),
        requested_at=record["requested_at"], completed_at=record.get("completed_at"),
        message=message,
    )  # fmt: skip


def _rejoined_since(document: dict[str, Any] | None, request: dict[str, Any]) -> bool:
    """Whether the live account ``document`` was created after ``request`` was completed."""
    completed = request.get("completed_at")
    return document is not None and completed is not None and document["created_at"] > completed


class FacebookCallbacks:
    """Handles Facebook's signed callbacks."""

    def __init__(
        self,
        *,
        facebook: FacebookClient,
        store: Store,
        auth: AuthStore,
        accounts: Accounts,
        sealer: Sealer,
        status_url: Callable[[str], str],
    ) -> None:
        self._facebook = facebook
        self._store = store
        self._auth = auth
        self._accounts = accounts
        self._sealer = sealer
        self._status_url = status_url

    def verify(self, signed_request: str | None) -> str:
        """The Facebook user id of a valid signed_request; InvalidSignedRequest otherwise."""
        try:
            request: SignedRequest = self._facebook.parse_signed_request(signed_request or "")
        except SignedRequestError as exc:
            raise InvalidSignedRequest(f"The signed_request is not valid: {exc}") from None
        if not request.user_id:
            raise InvalidSignedRequest("The signed_request names no user.")
        return request.user_id

    async def deauthorize(self, signed_request: str | None, now: datetime) -> None:
        """The person removed Jumo on Facebook: drop the link and end their logins."""
        facebook_id = self.verify(signed_request)
        document = await self._store.user_by_facebook_id(facebook_id)
        if document is None:
            return
        await self._auth.revoke_user(document["_id"], now)
        unlink = Change(
            set={"facebook_deauthorized_at": now},
            unset=frozenset({"facebook", "facebook_friend_ids"}),
        )
        await self._store.change_user(document["_id"], lambda _doc: unlink)
        log.info("facebook deauthorized", user_id=document["_id"])

    async def request_deletion(self, signed_request: str | None, now: datetime) -> DeletionAnswer:
        """Delete the person's data (once) and answer the status page and code."""
        facebook_id = self.verify(signed_request)
        record = {
            "_id": secrets.token_urlsafe(12),
            "subject": self._sealer.pseudonym(facebook_id, SUBJECT_PURPOSE),
            "status": "pending",
            "requested_at": now,
        }
        saved = await self._auth.save_deletion(record)
        document = await self._store.user_by_facebook_id(facebook_id)
        if saved["status"] == "pending" or _rejoined_since(document, saved):
            await self._delete(saved["_id"], document, now)
        return DeletionAnswer(url=self._status_url(saved["_id"]), confirmation_code=saved["_id"])

    async def _delete(self, code: str, document: dict[str, Any] | None, now: datetime) -> None:
        deleted = document is not None and await self._accounts.delete(
            document["_id"], now, revoke_facebook=False, actor=None
        )
        await self._auth.finish_deletion(code, "deleted" if deleted else "nothing_to_delete", now)

    async def status(self, code: str) -> DeletionStatus:
        """The status page of a confirmation code."""
        record = await self._auth.deletion_by_code(code)
        if record is None:
            raise DeletionNotFound("No data-deletion request has this confirmation code.")
        return describe(record)
