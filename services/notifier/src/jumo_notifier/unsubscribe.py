"""Unsubscribe links: signed tokens, and what following one changes.

A token names a person and a scope: one kind of notification (its email channel turns off in
the person's preferences), ``digest`` (the digest turns to ``never``) or ``all`` (every email
stops: the person's ``email_stopped``, until they resume email). It is
``<user id>.<scope>.<HMAC-SHA256 of both under UNSUBSCRIBE_KEY, base64url>``, checked in
constant time.

No expiry, on purpose: the link sits in emails people keep for years and RFC 8058 asks that the
``List-Unsubscribe`` URI keep working; a link that died would leave "report spam" as the only
way out. What a token can do is narrow — turn email off for the one person it names, which they
can turn back on — so a leaked one costs little, and rotating ``UNSUBSCRIBE_KEY`` voids them all.
The token is the authority: following a link needs no sign-in (a mail client's one-click POST
carries none).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime
from urllib.parse import quote

from jumo_notifier.mail_store import MailStore
from jumo_notifier.model import KINDS
from jumo_notifier.preferences import Channels, Preferences
from jumo_notifier.store import NotifierStore

# A kind, "digest" or "all".
Scope = str
ALL, DIGEST = "all", "digest"
SCOPES = frozenset({*KINDS, ALL, DIGEST})
USER_ID = re.compile(r"[0-9a-f]{32}\Z")
DOMAIN = b"jumo-unsubscribe:v1:"


class BadToken(ValueError):
    """A token notifier did not sign (forged, altered, truncated)."""


def unsubscribe_path(token: str) -> str:
    """The one-click unsubscribe path of a signed token."""
    return f"/notifications/unsubscribe?token={quote(token, safe='')}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Tokens:
    """Signs and checks unsubscribe tokens under one key."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def _mac(self, user_id: str, scope: Scope) -> str:
        message = DOMAIN + f"{user_id}:{scope}".encode()
        return _b64(hmac.new(self.key, message, hashlib.sha256).digest())

    def sign(self, user_id: str, scope: Scope) -> str:
        """The token of ``user_id``'s unsubscribing from ``scope``."""
        if scope not in SCOPES or not USER_ID.match(user_id):
            raise ValueError(f"cannot sign {user_id!r} / {scope!r}")
        return f"{user_id}.{scope}.{self._mac(user_id, scope)}"

    def verify(self, token: str) -> tuple[str, Scope]:
        """The person and scope of a token notifier signed; ``BadToken`` otherwise."""
        parts = token.split(".")
        if len(parts) != 3:
            raise BadToken("not an unsubscribe token")
        user_id, scope, mac = parts
        expected = self._mac(user_id, scope)
        if not hmac.compare_digest(expected.encode(), mac.encode()):
            raise BadToken("this unsubscribe link was not made by Jumo")
        if scope not in SCOPES or not USER_ID.match(user_id):
            raise BadToken("not an unsubscribe token")
        return user_id, scope


class Unsubscribes:
    """What an unsubscribe link changes, and resuming email."""

    def __init__(self, store: NotifierStore, mail_store: MailStore) -> None:
        self.store = store
        self.mail_store = mail_store

    async def apply(self, user_id: str, scope: Scope, now: datetime) -> bool:
        """Stop ``scope``'s email to the person (idempotent); False when notifier does not know
        them (erased: nothing is written back)."""
        person = await self.store.person(user_id)
        if person is None or person.get("erased"):
            return False
        if scope == ALL:
            sentence = f"You unsubscribed from all email on {now:%d %B %Y}."
            await self.mail_store.stop_email(user_id, sentence, "unsubscribed", person.get("email"))
            return True
        change = (
            Preferences(digest="never")
            if scope == DIGEST
            else Preferences.model_validate({"kinds": {scope: Channels(email=False)}})
        )
        stored = Preferences.of(await self.store.preferences_of(user_id))
        await self.store.save_preferences(user_id, stored.merged(change).model_dump(mode="json"))
        return True

    async def resume(self, user_id: str) -> None:
        """Email reaches the person again (after a refusal or unsubscribing from all)."""
        await self.mail_store.resume_email(user_id)
