"""The one Facebook client: Login, Graph reads, Page posts and callbacks, over aiohttp.

Every server-side call carries ``appsecret_proof``; tokens travel in the ``Authorization``
header (app secrets in the query only where Facebook requires it) and are never logged.
Errors become the typed exceptions of :mod:`jumo_facebook.errors`; the client never retries
on its own (a POST that got a 500 may have succeeded — the caller checks first).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import aiohttp

from jumo_facebook import dialogs
from jumo_facebook.answers import list_of, next_cursor, parse_model, total_count
from jumo_facebook.dialogs import DEFAULT_SCOPES, LoginStart
from jumo_facebook.errors import (
    FacebookError,
    FacebookForeignTokenError,
    FacebookTokenError,
    FacebookUnavailableError,
    error_from_body,
)
from jumo_facebook.models import (
    AccessToken,
    Friend,
    Friends,
    ManagedPage,
    PagePost,
    Permission,
    Profile,
    TokenInfo,
)
from jumo_facebook.security import appsecret_proof
from jumo_facebook.settings import FacebookSettings
from jumo_facebook.signed_request import SignedRequest, parse_signed_request
from jumo_facebook.usage import Usage, parse_usage

DEFAULT_PROFILE_FIELDS = ("id", "name", "email", "first_name", "last_name", "picture")
# A misbehaving cursor must not page forever (200 pages of 100 is 20,000 friends).
MAX_PAGES = 200


class FacebookClient:
    """Async Facebook client for one app; use ``async with`` or call ``close()``."""

    def __init__(
        self, settings: FacebookSettings, session: aiohttp.ClientSession | None = None
    ) -> None:
        self.settings = settings
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(
            total=settings.timeout_s, sock_connect=settings.connect_timeout_s
        )
        # The usage headers of the latest Graph answer: slow down before any reaches 100.
        self.last_usage: Usage | None = None

    async def __aenter__(self) -> FacebookClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    # ---- dialogs (browser side) -------------------------------------------------------

    def login_dialog_url(
        self,
        redirect_uri: str,
        state: str,
        scopes: Sequence[str] = DEFAULT_SCOPES,
        *,
        code_challenge: str | None = None,
        rerequest: bool = False,
    ) -> str:
        """The Login dialog URL; ``code_challenge`` adds PKCE (S256)."""
        return dialogs.login_dialog_url(
            self.settings, redirect_uri, state, scopes, code_challenge, rerequest
        )

    def start_login(
        self, redirect_uri: str, scopes: Sequence[str] = DEFAULT_SCOPES, *, rerequest: bool = False
    ) -> LoginStart:
        """A fresh state (and PKCE verifier when ``use_pkce``) with the dialog URL."""
        return dialogs.start_login(self.settings, redirect_uri, scopes, rerequest)

    def share_dialog_url(
        self, href: str, *, hashtag: str | None = None, redirect_uri: str | None = None
    ) -> str:
        """The Share dialog link a member opens to post ``href`` to their own timeline."""
        return dialogs.share_dialog_url(self.settings, href, hashtag, redirect_uri)

    # ---- the wire ---------------------------------------------------------------------

    def _auth(self, token: str | None) -> tuple[dict[str, str], dict[str, str]]:
        if token is None:
            return {}, {}
        secret = self.settings.app_secret.get_secret_value()
        if self.settings.proof_with_time:
            now = int(time.time())
            proof = {"appsecret_proof": appsecret_proof(secret, token, now)}
            proof["appsecret_time"] = str(now)
        else:
            proof = {"appsecret_proof": appsecret_proof(secret, token)}
        return {"Authorization": f"Bearer {token}"}, proof

    async def _call(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> Any:
        """One Graph call: proof, timeout, usage headers, typed errors."""
        headers, proof = self._auth(token)
        url = f"{self.settings.graph_base()}{path}"
        try:
            async with self._http().request(
                method,
                url,
                params={**(params or {}), **proof},
                data=form,
                headers=headers,
                timeout=self._timeout,
            ) as response:
                return await self._read(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            # aiohttp's exceptions may quote the URL, and the URL may hold the client secret:
            # keep only the kind of failure, and no chained exception for a logger to print.
            reason = type(exc).__name__
            raise FacebookUnavailableError(
                f"Facebook unreachable on {method} {path}: {reason}"
            ) from None

    async def _read(self, response: aiohttp.ClientResponse) -> Any:
        usage = parse_usage(response.headers)
        if usage is not None:
            self.last_usage = usage
        try:
            body = await response.json(content_type=None)
        except ValueError as exc:
            raise FacebookUnavailableError(
                "Facebook answered something that is not JSON", http_status=response.status
            ) from exc
        if response.status >= 400 or (isinstance(body, dict) and "error" in body):
            raise error_from_body(body, response.status, usage)
        return body

    # ---- login ------------------------------------------------------------------------

    async def exchange_code(
        self, code: str, redirect_uri: str, *, code_verifier: str | None = None
    ) -> AccessToken:
        """Trade the dialog's ``code`` (with the identical ``redirect_uri``) for a user token."""
        params = {"redirect_uri": redirect_uri, "code": code}
        if code_verifier is not None:
            params["code_verifier"] = code_verifier
        return await self._access_token(params)

    async def exchange_long_lived(self, access_token: str) -> AccessToken:
        """Trade a short-lived user token for a long-lived one (about 60 days)."""
        return await self._access_token(
            {"grant_type": "fb_exchange_token", "fb_exchange_token": access_token}
        )

    async def _access_token(self, grant: dict[str, str]) -> AccessToken:
        # Facebook wants the app's id and secret in the query of every token exchange.
        params = {
            "client_id": self.settings.app_id,
            "client_secret": self.settings.app_secret.get_secret_value(),
            **grant,
        }
        body = await self._call("GET", "/oauth/access_token", token=None, params=params)
        return parse_model(AccessToken, body)

    async def debug_token(self, input_token: str) -> TokenInfo:
        """What Facebook knows about a token, asked with our app token."""
        body = await self._call(
            "GET",
            "/debug_token",
            token=self.settings.app_token(),
            params={"input_token": input_token},
        )
        return parse_model(TokenInfo, body.get("data") if isinstance(body, dict) else None)

    async def verify_token(self, input_token: str) -> TokenInfo:
        """debug_token, then refuse a token that is invalid or was issued to another app."""
        info = await self.debug_token(input_token)
        if not info.is_valid:
            error = info.error
            raise FacebookTokenError(
                error.message if error and error.message else "token is not valid",
                code=error.code if error else 190,
                subcode=error.subcode if error else None,
            )
        if info.app_id != self.settings.app_id:
            raise FacebookForeignTokenError("token was issued to another app", code=190)
        return info

    def parse_signed_request(self, signed_request: str) -> SignedRequest:
        """Verify a deauthorize or data-deletion callback; raises SignedRequestError."""
        return parse_signed_request(
            signed_request,
            self.settings.app_secret.get_secret_value(),
            max_age_s=self.settings.signed_request_max_age_s,
        )

    # ---- people -----------------------------------------------------------------------

    async def me(
        self, access_token: str, fields: Sequence[str] = DEFAULT_PROFILE_FIELDS
    ) -> Profile:
        """The person's profile; ``email`` is None when they did not grant it."""
        body = await self._call(
            "GET", "/me", token=access_token, params={"fields": ",".join(fields)}
        )
        return parse_model(Profile, body)

    async def _all_pages(self, path: str, token: str, page_size: int) -> tuple[list[Any], Any]:
        """Every ``data`` item across cursor pages, and the first page's body (for summaries)."""
        items: list[Any] = []
        first: Any = None
        params = {"limit": str(page_size)}
        for _ in range(MAX_PAGES):
            body = await self._call("GET", path, token=token, params=params)
            first = body if first is None else first
            items += list_of(body, "data")
            after = next_cursor(body)
            if after is None or after == params.get("after"):
                break
            params = {"limit": str(page_size), "after": after}
        return items, first

    async def friends(self, access_token: str, *, page_size: int = 100) -> Friends:
        """Every friend who also uses the app (all pages), and the total friend count."""
        items, first = await self._all_pages("/me/friends", access_token, page_size)
        friends = [parse_model(Friend, f) for f in items]
        return Friends(friends=friends, total_count=total_count(first))

    async def permissions(self, access_token: str) -> list[Permission]:
        """What the person granted or declined."""
        body = await self._call("GET", "/me/permissions", token=access_token)
        return [parse_model(Permission, p) for p in list_of(body, "data")]

    async def revoke(self, access_token: str) -> bool:
        """Remove the app from the person's account (every permission, every token)."""
        body = await self._call("DELETE", "/me/permissions", token=access_token)
        # Newer versions answer {"success": true}; older ones a bare true.
        return body is True or (isinstance(body, dict) and body.get("success") is True)

    # ---- Pages ------------------------------------------------------------------------

    async def pages(self, access_token: str, *, page_size: int = 100) -> list[ManagedPage]:
        """The Pages the person manages (all pages), each with its Page access token."""
        items, _ = await self._all_pages("/me/accounts", access_token, page_size)
        return [parse_model(ManagedPage, p) for p in items]

    async def post_to_page(
        self, page_id: str, page_token: str, message: str, *, link: str | None = None
    ) -> str:
        """Post to a Page feed with its Page token; returns ``{page-id}_{post-id}``."""
        form = {"message": message} | ({"link": link} if link else {})
        body = await self._call("POST", f"/{page_id}/feed", token=page_token, form=form)
        post_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(post_id, str):
            raise FacebookError("Facebook accepted the post without an id")
        return post_id

    async def page_posts(self, page_id: str, page_token: str, *, limit: int = 25) -> list[PagePost]:
        """The Page's latest posts: how to check whether a post that got a 500 went through."""
        body = await self._call(
            "GET",
            f"/{page_id}/feed",
            token=page_token,
            params={"limit": str(limit), "fields": "id,message,created_time"},
        )
        return [parse_model(PagePost, p) for p in list_of(body, "data")]
