"""How the demo talks to a running stack: the public API through the gateway, and Facebook's
test-user API and Login dialog in the sandbox, each demo person from a loopback address of
their own.

The gateway limits logins per client address (``GATEWAY_AUTH_RATE``/``_BURST``) and writes per
access token (``GATEWAY_WRITE_RATE``/``_BURST``). The demo keeps within both on its own side:
each person is bound to one of ``ADDRESSES`` source addresses (127.0.0.x: "their own machine",
shared by a few people, as a household or an office shares one), every address has a token
bucket for its ``/auth`` requests and every access token one for its writes, both a little under
the gateway's figures. A 429 that still comes back is waited out and retried, never hammered.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp

# 127.0.0.2 … 127.0.0.65: Linux answers for the whole of 127/8 on the loopback interface.
ADDRESSES = tuple(f"127.0.0.{n}" for n in range(2, 66))
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What may be sent again after the gateway gave up waiting (a 502/503/504, a dropped
# connection): the request may have been done meanwhile, so only what repeating cannot double.
SAFE = frozenset({"GET", "PUT", "PATCH", "DELETE"})
UNAVAILABLE = frozenset({502, 503, 504})
# Logins in flight at once: each costs identity several Facebook calls and database writes,
# and a callback the gateway gives up on (30 s) is lost work that identity still does.
LOGINS_IN_FLIGHT = 8
RETRIES = 8


class DemoError(RuntimeError):
    """Something the demo cannot go on without; the message says what and why."""


def rate_per_second(rate: str) -> float:
    """nginx's ``10r/s`` / ``600r/m`` as requests per second."""
    count, unit = rate.removesuffix("r/s"), "s"
    if rate.endswith("r/m"):
        count, unit = rate.removesuffix("r/m"), "m"
    per_second = float(count)
    return per_second / 60 if unit == "m" else per_second


class Bucket:
    """A token bucket: ``rate`` per second, up to ``burst`` at once (as nginx's limit_req)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.stamp = float(burst), time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait until one request may go."""
        async with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


@dataclass(frozen=True)
class Limits:
    """The gateway's limits (deploy/local/stack.env's GATEWAY_*, else the gateway's defaults),
    and the share of them the demo uses."""

    auth_rate: float = 10.0
    auth_burst: int = 20
    write_rate: float = 5.0
    write_burst: int = 20
    margin: float = 0.8

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        """Read the GATEWAY_* limits the stack's gateway runs with."""
        default = cls()
        return cls(
            auth_rate=rate_per_second(env.get("GATEWAY_AUTH_RATE", "10r/s")),
            auth_burst=int(env.get("GATEWAY_AUTH_BURST", default.auth_burst)),
            write_rate=rate_per_second(env.get("GATEWAY_WRITE_RATE", "5r/s")),
            write_burst=int(env.get("GATEWAY_WRITE_BURST", default.write_burst)),
        )

    def auth_bucket(self) -> Bucket:
        """One client address's share of the login limit."""
        return Bucket(self.auth_rate * self.margin, max(1, int(self.auth_burst * self.margin)))

    def write_bucket(self) -> Bucket:
        """One access token's share of the write limit."""
        return Bucket(self.write_rate * self.margin, max(1, int(self.write_burst * self.margin)))


@dataclass(frozen=True)
class Endpoints:
    """Where the stack is: the gateway, the Facebook sandbox, the app's credentials."""

    gateway: str
    sandbox: str
    app_id: str
    app_secret: str
    graph_version: str = "v26.0"

    @property
    def app_token(self) -> str:
        """Facebook's app access token, ``app_id|app_secret``."""
        return f"{self.app_id}|{self.app_secret}"

    def graph(self, path: str) -> str:
        """A Graph API URL on the sandbox."""
        return f"{self.sandbox}/{self.graph_version}/{path.lstrip('/')}"


@dataclass
class Answer:
    """An HTTP answer: status, JSON body (or None), Location."""

    status: int
    body: Any
    location: str = ""

    def ok(self) -> bool:
        """A 2xx."""
        return 200 <= self.status < 300


@dataclass
class Login:
    """A person's Jumo tokens, from the Facebook login through the gateway."""

    access_token: str
    refresh_token: str
    user: dict[str, Any]
    created: bool
    bucket: Bucket
    # One refresh at a time: two at once would present the same refresh token twice, which
    # identity takes for a stolen token and answers by revoking the whole login.
    renewing: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class Net:
    """Sessions per source address, the buckets, a bound on requests in flight."""

    endpoints: Endpoints
    limits: Limits
    in_flight: int = 24
    connectors: dict[str, aiohttp.TCPConnector] = field(default_factory=dict)
    auth_buckets: dict[str, Bucket] = field(default_factory=dict)
    sessions: dict[str, aiohttp.ClientSession] = field(default_factory=dict)
    requests: int = 0

    def __post_init__(self) -> None:
        self.gate = asyncio.Semaphore(self.in_flight)
        self.login_gate = asyncio.Semaphore(LOGINS_IN_FLIGHT)
        self.timeout = aiohttp.ClientTimeout(total=120, connect=30)

    def connector(self, address: str) -> aiohttp.TCPConnector:
        """Connections from one loopback address (kept alive, shared by its people)."""
        if address not in self.connectors:
            self.connectors[address] = aiohttp.TCPConnector(
                local_addr=(address, 0), limit=16, force_close=False
            )
            self.auth_buckets[address] = self.limits.auth_bucket()
        return self.connectors[address]

    def session(self, address: str) -> aiohttp.ClientSession:
        """A cookie-less session from ``address``, for API calls with a token."""
        if address not in self.sessions:
            self.sessions[address] = aiohttp.ClientSession(
                connector=self.connector(address), connector_owner=False, timeout=self.timeout
            )
        return self.sessions[address]

    def browser(self, address: str) -> aiohttp.ClientSession:
        """A browser of its own (a cookie jar that takes cookies from 127.0.0.1) at ``address``."""
        return aiohttp.ClientSession(
            connector=self.connector(address),
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=self.timeout,
        )

    async def close(self) -> None:
        """Close every session and connector."""
        for session in self.sessions.values():
            await session.close()
        for connector in self.connectors.values():
            await connector.close()

    async def send(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        *,
        bucket: Bucket | None = None,
        **kwargs: Any,
    ) -> Answer:
        """One request (no redirects followed), retried after a 429, 502/503/504 or a dropped
        connection with a growing pause; the bucket is taken before every try."""
        for attempt in range(RETRIES):
            if bucket is not None:
                await bucket.take()
            try:
                async with self.gate:
                    self.requests += 1
                    async with session.request(
                        method, url, allow_redirects=False, **kwargs
                    ) as response:
                        raw = await response.read()
                        answer = Answer(
                            response.status, _json(raw), response.headers.get("Location", "")
                        )
            except (TimeoutError, aiohttp.ClientConnectionError):
                if attempt == RETRIES - 1 or method not in SAFE:
                    raise
                await asyncio.sleep(0.5 * 2**attempt)
                continue
            if answer.status != 429 and not (answer.status in UNAVAILABLE and method in SAFE):
                return answer
            await asyncio.sleep(min(10.0, 0.5 * 2**attempt))
        return answer

    async def api(
        self, login: Login | None, address: str, method: str, path: str, body: Any = None
    ) -> Answer:
        """A call through the gateway, with ``login``'s token (writes within its bucket)."""
        headers = {}
        bucket = None
        if login is not None:
            headers["Authorization"] = f"Bearer {login.access_token}"
            bucket = login.bucket if method in WRITE_METHODS else None
        url = f"{self.endpoints.gateway}{path}"
        answer = await self.send(
            self.session(address), method, url, bucket=bucket, headers=headers, json=body
        )
        sent_with = headers.get("Authorization")
        if (
            answer.status == 401
            and login is not None
            and await self.refresh(login, address, sent_with)
        ):
            headers["Authorization"] = f"Bearer {login.access_token}"
            answer = await self.send(
                self.session(address), method, url, bucket=bucket, headers=headers, json=body
            )
        return answer

    async def refresh(self, login: Login, address: str, refused: str | None) -> bool:
        """New tokens for ``login`` when its 15-minute access token has expired (a full demo
        outlives it): identity's refresh, as any API client does; False if it is refused.
        Whoever finds the tokens already renewed since ``refused`` was sent uses those."""
        async with login.renewing:
            if refused != f"Bearer {login.access_token}":
                return True
            return await self._renew(login, address)

    async def _renew(self, login: Login, address: str) -> bool:
        self.connector(address)
        url = f"{self.endpoints.gateway}/auth/refresh"
        answer = await self.send(
            self.session(address),
            "POST",
            url,
            bucket=self.auth_buckets[address],
            json={"refresh_token": login.refresh_token},
        )
        if not answer.ok():
            return False
        login.access_token = answer.body["access_token"]
        login.refresh_token = answer.body["refresh_token"]
        return True

    # ---- Facebook: the sandbox's test-user API and the Login dialog --------------------------

    async def create_test_user(self, name: str) -> dict[str, Any]:
        """Facebook's test-user API: a person who has not authorized the app yet."""
        form = {
            "installed": "false",
            "permissions": "email,user_friends",
            "name": name,
            "access_token": self.endpoints.app_token,
        }
        session = self.session(ADDRESSES[0])
        url = self.endpoints.graph(f"{self.endpoints.app_id}/accounts/test-users")
        answer = await self.send(session, "POST", url, data=form)
        if not answer.ok():
            raise DemoError(f"the sandbox refused a test user: {answer.status} {answer.body}")
        return dict(answer.body)

    async def test_user_ids(self) -> set[str]:
        """Every test user the sandbox's app has now."""
        url = self.endpoints.graph(f"{self.endpoints.app_id}/accounts/test-users")
        params = {"access_token": self.endpoints.app_token}
        answer = await self.send(self.session(ADDRESSES[0]), "GET", url, params=params)
        if not answer.ok():
            raise DemoError(f"the sandbox's test-user list: {answer.status} {answer.body}")
        return {str(row["id"]) for row in answer.body["data"]}

    async def befriend(self, user_id: str, other_id: str, fb_token: str) -> None:
        """``POST /{user}/friends/{other}`` with the user's own Facebook token."""
        proof = hmac.new(
            self.endpoints.app_secret.encode(), fb_token.encode(), hashlib.sha256
        ).hexdigest()
        form = {"access_token": fb_token, "appsecret_proof": proof}
        url = self.endpoints.graph(f"{user_id}/friends/{other_id}")
        await self.send(self.session(ADDRESSES[0]), "POST", url, data=form)

    async def facebook_login(
        self, login_url: str, address: str, *, share_joins: bool = False
    ) -> Login:
        """What a browser does: log in to the sandbox as the test user, open Jumo's login, say
        Continue on Facebook's consent page (asked only the first time), land on the callback.

        A login state works once, so a callback that failed (the gateway gave up on a busy
        identity) is never sent again: the whole login starts over, as a person would."""
        for attempt in range(RETRIES):
            try:
                async with self.login_gate:
                    return await self._login_once(login_url, address, share_joins=share_joins)
            except (DemoError, TimeoutError, aiohttp.ClientConnectionError):
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(min(20.0, 2.0 * 2**attempt))
        raise DemoError("unreachable")

    async def _login_once(self, login_url: str, address: str, *, share_joins: bool) -> Login:
        self.connector(address)
        auth = self.auth_buckets[address]
        async with self.browser(address) as browser:
            await self._expect(browser, "GET", login_url, 200)
            start = f"{self.endpoints.gateway}/auth/facebook/login"
            if share_joins:
                start += "?share_joins=true"
            dialog = await self._expect(browser, "GET", start, 302, bucket=auth)
            step = await self.send(browser, "GET", dialog.location)
            if step.status == 200:  # the consent page: Continue, granting what is asked
                step = await self._consent(browser, dialog.location)
            if step.status != 302 or "/auth/facebook/callback" not in step.location:
                raise DemoError(f"the Login dialog answered {step.status} {step.body}")
            done = await self._expect(browser, "GET", step.location, 200, bucket=auth)
        body = done.body
        return Login(
            access_token=body["access_token"],
            refresh_token=body["refresh_token"],
            user=body["user"],
            created=bool(body["created"]),
            bucket=self.limits.write_bucket(),
        )

    async def _consent(self, browser: aiohttp.ClientSession, dialog_url: str) -> Answer:
        fields = list(parse_qsl(urlsplit(dialog_url).query))
        fields += [("decision", "accept"), ("grant", "email"), ("grant", "user_friends")]
        confirm = f"{dialog_url.split('?', 1)[0]}/confirm"
        return await self.send(browser, "POST", confirm, data=fields)

    async def _expect(
        self,
        browser: aiohttp.ClientSession,
        method: str,
        url: str,
        status: int,
        *,
        bucket: Bucket | None = None,
    ) -> Answer:
        answer = await self.send(browser, method, url, bucket=bucket)
        if answer.status != status:
            where = urlsplit(url).path
            raise DemoError(f"{method} {where} answered {answer.status}: {answer.body}")
        return answer


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:300].decode(errors="replace")
