"""Facebook Login: the dialog redirect with a browser-bound state, and the callback.

The state is random, kept only as its SHA-256 with the SHA-256 of a random browser nonce
(set as an HttpOnly SameSite=Lax cookie by the API), 10 minutes, consumed by the first
callback that presents it — valid or not — so it can never be replayed.

The state also carries the sign-up's choices through the Facebook round trip: ``share_joins``
(the person asked to have their joining shown on Facebook) goes into ``user.registered`` if
this login creates the account, and nowhere else; a returning person's login ignores it. So
does ``return_to``, the app path a browser's login lands on (``browser``: checked when the
login starts, and again when the callback reads it back).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jumo_common.change import Change
from jumo_common.logging import get_logger
from jumo_facebook import (
    FacebookAppCredentialsError,
    FacebookClient,
    FacebookError,
    FacebookInvalidParameterError,
    FacebookPermissionError,
    FacebookRateLimitedError,
    FacebookTokenError,
    FacebookTransientError,
    FacebookUnavailableError,
)
from jumo_facebook.models import AccessToken, Profile
from jumo_identity import events
from jumo_identity.accounts import new_user_document
from jumo_identity.browser import DEFAULT_RETURN_TO, safe_return_to
from jumo_identity.crypto import Sealer, random_token, sha256_hex
from jumo_identity.errors import FacebookUnreachable, InvalidLoginState, LoginCancelled, LoginFailed
from jumo_identity.profiles import User
from jumo_identity.schemas import TokenPair
from jumo_identity.sessions import Sessions
from jumo_identity.store import Store
from jumo_identity.store_auth import AuthStore

log = get_logger(__name__)
_NONCE = re.compile(r"^[A-Za-z0-9_\-]{32,64}$")
UNREACHABLE = (
    FacebookUnavailableError, FacebookTransientError, FacebookRateLimitedError,
    FacebookAppCredentialsError,
)  # fmt: skip


@dataclass(frozen=True)
class CallbackParams:
    """What Facebook put in the callback's query string."""

    state: str | None = None
    code: str | None = None
    error: str | None = None
    error_code: str | None = None


@dataclass(frozen=True)
class LoginResult:
    """A completed login."""

    tokens: TokenPair
    created: bool
    user: User
    return_to: str = DEFAULT_RETURN_TO  # where a browser lands: a same-origin app path


@dataclass(frozen=True)
class ConfirmedLogin:
    """What Facebook confirmed about the person logging in."""

    profile: Profile
    friend_ids: list[str]
    token: AccessToken
    scopes: list[str]


@contextmanager
def facebook_errors() -> Iterator[None]:
    """Facebook's failures as identity's: 503 when it is away, 401 when it refuses."""
    try:
        yield
    except UNREACHABLE as exc:
        log.warning("facebook unavailable during login", error=str(exc))
        raise FacebookUnreachable("Facebook is not reachable right now; try again.") from None
    except (FacebookTokenError, FacebookInvalidParameterError) as exc:
        log.info("facebook refused the login", error=str(exc))
        raise LoginFailed("Facebook did not confirm this login; start again.") from None
    except FacebookError as exc:
        log.warning("unexpected facebook answer during login", error=str(exc))
        raise FacebookUnreachable("Facebook answered unexpectedly; try again.") from None


def usable_nonce(cookie: str | None) -> str | None:
    """The browser's nonce cookie if it looks like one of ours."""
    return cookie if cookie is not None and _NONCE.match(cookie) else None


class LoginFlow:
    """Starts and completes Facebook logins."""

    def __init__(
        self,
        *,
        facebook: FacebookClient,
        redirect_uri: str,
        state_ttl: timedelta,
        sealer: Sealer,
        auth: AuthStore,
        store: Store,
        sessions: Sessions,
    ) -> None:
        self._facebook = facebook
        self._redirect_uri = redirect_uri
        self._state_ttl = state_ttl
        self._sealer = sealer
        self._auth = auth
        self._store = store
        self._sessions = sessions

    async def begin(
        self,
        browser_nonce: str | None,
        now: datetime,
        *,
        share_joins: bool = False,
        return_to: str | None = None,
    ) -> tuple[str, str]:
        """The dialog URL and the browser nonce to (re)set as the login cookie."""
        # Reusing the browser's nonce lets two tabs log in at the same time.
        nonce = usable_nonce(browser_nonce) or random_token()
        start = self._facebook.start_login(self._redirect_uri)
        verifier = start.code_verifier
        record = {
            "nonce_hash": sha256_hex(nonce),
            "code_verifier": self._sealer.seal(verifier, "pkce") if verifier else None,
            "share_joins": share_joins,
            "return_to": safe_return_to(return_to),
            "created_at": now,
            "expires_at": now + self._state_ttl,
        }
        await self._auth.save_login_state(sha256_hex(start.state), record)
        return start.url, nonce

    async def complete(
        self, params: CallbackParams, browser_nonce: str | None, now: datetime
    ) -> LoginResult:
        """Check the state once, then trade the code for a Jumo login."""
        taken = await self._take_state(params.state, now)
        if params.error or params.error_code:
            raise LoginCancelled("The Facebook login was cancelled or refused.")
        record = self._check_state(taken, browser_nonce, now)
        if not params.code:
            raise InvalidLoginState("The callback carries no code.")
        with facebook_errors():
            confirmed = await self._ask_facebook(params.code, record.get("code_verifier"))
        share_joins = record.get("share_joins") is True
        user, created = await self._link(confirmed, now, share_joins=share_joins)
        tokens = await self._sessions.start(user, now)
        return_to = safe_return_to(record.get("return_to"))
        return LoginResult(tokens=tokens, created=created, user=user, return_to=return_to)

    async def _ask_facebook(self, code: str, sealed_verifier: str | None) -> ConfirmedLogin:
        token = await self._facebook.exchange_code(
            code,
            self._redirect_uri,
            code_verifier=self._sealer.open(sealed_verifier, "pkce") if sealed_verifier else None,
        )
        # Three questions about one token, asked at once: each is a round trip to Facebook,
        # and the person waits for the callback's answer. The first failure in this order
        # is the one reported (the others are only waited for).
        info, profile, friends = await asyncio.gather(
            self._facebook.verify_token(token.access_token),
            self._facebook.me(token.access_token),
            self._friend_ids(token.access_token),
            return_exceptions=True,
        )
        if isinstance(info, BaseException):
            raise info
        if isinstance(profile, BaseException):
            raise profile
        if isinstance(friends, BaseException):
            raise friends
        if info.user_id is not None and info.user_id != profile.id:
            raise LoginFailed("Facebook's token and profile disagree.")
        return ConfirmedLogin(profile, friends, token, info.scopes)

    async def _take_state(self, state: str | None, now: datetime) -> dict[str, Any] | None:
        if not state or len(state) > 256:
            return None
        return await self._auth.take_login_state(sha256_hex(state), now)

    @staticmethod
    def _check_state(
        record: dict[str, Any] | None, nonce: str | None, now: datetime
    ) -> dict[str, Any]:
        if record is None:
            raise InvalidLoginState("The login state is missing, unknown or already used.")
        if record["expires_at"] <= now:
            raise InvalidLoginState("The login took too long; start again.")
        if nonce is None or sha256_hex(nonce) != record["nonce_hash"]:
            raise InvalidLoginState("The login was started in another browser.")
        return record

    async def _friend_ids(self, access_token: str) -> list[str]:
        try:
            friends = await self._facebook.friends(access_token)
        except FacebookPermissionError:
            return []  # user_friends declined: no suggestions, but a fine login
        return [f.id for f in friends.friends]

    async def _link(
        self, confirmed: ConfirmedLogin, now: datetime, *, share_joins: bool
    ) -> tuple[User, bool]:
        profile = confirmed.profile
        existing = await self._store.user_by_facebook_id(profile.id)
        if existing is None:
            document = new_user_document(profile, now)
            document.update(self._facebook_fields(document["_id"], confirmed, now))
            user = User.model_validate(document)
            friends = [f.id for f in await self._store.friends_using_jumo(user)]
            registered = events.user_registered(user, share_joins=share_joins, friend_ids=friends)
            if await self._store.create_user(document, [registered]):
                return user, True
            existing = await self._store.user_by_facebook_id(profile.id)
            if existing is None:
                raise LoginFailed("The account changed during login; start again.")
        user = User.model_validate(existing)
        return await self._relink(user, confirmed, now), False

    async def _relink(self, user: User, confirmed: ConfirmedLogin, now: datetime) -> User:
        profile = confirmed.profile
        fields = self._facebook_fields(user.id, confirmed, now)
        picture = profile.picture.data.url if profile.picture else None
        fresh = {"email": profile.email, "picture_url": picture}
        fields |= fresh

        def plan(doc: dict[str, Any]) -> Change:
            # A new picture is news for everyone, a new email for the notifier (user.updated
            # carries the contact address): either publishes the profile as it now is.
            changed = sorted(name for name, value in fresh.items() if doc.get(name) != value)
            if not changed:
                return Change(set=fields)
            preview = User.model_validate({**doc, **fresh})
            return Change(
                set=fields,
                events=lambda version: [events.user_updated(preview, changed, version)],
            )

        written = await self._store.change_user(user.id, plan)
        if written is None:
            raise LoginFailed("The account was deleted during login.")
        return User.model_validate(written.after())

    def _facebook_fields(
        self, user_id: str, confirmed: ConfirmedLogin, now: datetime
    ) -> dict[str, Any]:
        token = confirmed.token
        expires = now + timedelta(seconds=token.expires_in) if token.expires_in else None
        link = {
            "token": self._sealer.seal(token.access_token, f"facebook-token:{user_id}"),
            "token_expires_at": expires,
            "scopes": confirmed.scopes,
            "linked_at": now,
        }
        return {"facebook": link, "facebook_friend_ids": confirmed.friend_ids,
                "last_login_at": now, "facebook_deauthorized_at": None}  # fmt: skip
