"""Everything the sandbox remembers, in memory, and the operations on it."""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from jumo_facebook.sandbox.config import SandboxConfig
from jumo_facebook.sandbox.records import AuthCode, Failure, Page, Post, TestUser, Token

__all__ = [
    "KNOWN_SCOPES",
    "AuthCode",
    "Failure",
    "Page",
    "Post",
    "SandboxState",
    "TestUser",
    "Token",
    "new_id",
    "new_token",
]

# The scopes the sandbox's login dialog knows; others are "Invalid Scopes", as on Facebook.
KNOWN_SCOPES = frozenset(
    {
        "public_profile",
        "email",
        "user_friends",
        "pages_show_list",
        "pages_manage_posts",
        "pages_read_engagement",
    }
)


def new_id() -> str:
    """A numeric id shaped like Facebook's app-scoped ids."""
    return str(secrets.randbelow(9 * 10**15) + 10**15)


def new_token() -> str:
    """An opaque access token; Facebook's start with EAA."""
    return "EAA" + secrets.token_urlsafe(48).replace("-", "A").replace("_", "B")


@dataclass
class SandboxState:
    """All sandbox data; ``reset()`` forgets everything but the configuration."""

    config: SandboxConfig
    clock_offset_s: float = 0.0
    users: dict[str, TestUser] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # xs cookie -> user id
    pages: dict[str, Page] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    shares: list[dict[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    app_calls: deque[float] = field(default_factory=deque)
    page_calls: dict[str, deque[float]] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget every user, token, code, Page, post, fault and counter."""
        fresh = SandboxState(self.config)
        self.__dict__.update(fresh.__dict__)

    def now(self) -> float:
        """The sandbox clock: wall time plus what tests advanced it by."""
        return time.time() + self.clock_offset_s

    # ---- users and tokens -------------------------------------------------------------

    def add_user(self, name: str, installed: bool, permissions: list[str]) -> TestUser:
        """Create a test user; installed users have granted ``permissions`` (and public_profile)."""
        user_id = new_id()
        slug = "".join(c for c in name.lower() if c.isalnum())[:20] or "user"
        user = TestUser(
            id=user_id,
            name=name,
            email=f"{slug}_{user_id[-6:]}@tfbnw.net",
            password=secrets.token_urlsafe(9),
            login_nonce=secrets.token_urlsafe(12),
        )
        if installed:
            user.installed = True
            user.granted = {"public_profile", *permissions}
        self.users[user.id] = user
        return user

    def issue_user_token(self, user_id: str, scopes: list[str], app_id: str | None = None) -> Token:
        """A fresh user token for the app (or, to play an attacker, another app)."""
        now = int(self.now())
        token = Token(
            value=new_token(),
            kind="user",
            app_id=app_id or self.config.app_id,
            user_id=user_id,
            scopes=sorted(scopes),
            issued_at=now,
            expires_at=now + self.config.token_ttl_s,
        )
        self.tokens[token.value] = token
        return token

    def page_token(self, page: Page, user_token: Token) -> Token:
        """The Page token a user's token gives for a Page they manage (stable per scopes)."""
        for token in self.tokens.values():
            if (
                token.kind == "page"
                and token.page_id == page.id
                and token.scopes == user_token.scopes
                and token.invalid_subcode is None
            ):
                return token
        token = Token(
            value=new_token(),
            kind="page",
            app_id=self.config.app_id,
            user_id=page.owner_id,
            scopes=list(user_token.scopes),
            issued_at=int(self.now()),
            expires_at=0,  # Page tokens from a long-lived user token do not expire
            page_id=page.id,
        )
        self.tokens[token.value] = token
        return token

    def invalidate_user_tokens(self, user_id: str, subcode: int) -> None:
        """Mark every token of a user dead, with the subcode Facebook would give."""
        for token in self.tokens.values():
            if token.user_id == user_id and token.invalid_subcode is None:
                token.invalid_subcode = subcode

    def deauthorize(self, user_id: str) -> None:
        """The user removed the app: permissions gone, every token answers subcode 458."""
        user = self.users.get(user_id)
        if user is not None:
            user.installed = False
            user.granted.clear()
            user.declined.clear()
        self.invalidate_user_tokens(user_id, 458)

    # ---- login ------------------------------------------------------------------------

    def start_session(self, user_id: str) -> str:
        """A browser session cookie value (``xs``) for a logged-in test user."""
        xs = secrets.token_urlsafe(24)
        self.sessions[xs] = user_id
        return xs

    def grant(self, user: TestUser, requested: list[str], accepted: set[str]) -> None:
        """Record the person's answer to the dialog; public_profile is always granted."""
        user.installed = True
        accepted = accepted | {"public_profile"}
        for scope in requested:
            target, other = (user.granted, user.declined)
            if scope not in accepted:
                target, other = other, target
            target.add(scope)
            other.discard(scope)
        user.granted.add("public_profile")

    def issue_code(
        self,
        user: TestUser,
        redirect_uri: str,
        code_challenge: str | None = None,
        code_challenge_method: str = "S256",
    ) -> AuthCode:
        """A single-use authorization code for what the user has granted."""
        code = AuthCode(
            value=secrets.token_urlsafe(48),
            user_id=user.id,
            redirect_uri=redirect_uri,
            scopes=sorted(user.granted),
            created_at=self.now(),
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
        )
        self.codes[code.value] = code
        return code

    def redirect_allowed(self, redirect_uri: str) -> bool:
        """Exact match with a registered URI (or localhost in development mode)."""
        if redirect_uri in self.config.redirect_uris:
            return True
        localhost = redirect_uri.startswith(("http://localhost:", "http://localhost/"))
        loopback = redirect_uri.startswith(("http://127.0.0.1:", "http://127.0.0.1/"))
        return self.config.allow_localhost_redirects and (localhost or loopback)

    # ---- faults and usage -------------------------------------------------------------

    def take_failure(self, method: str, path: str) -> Failure | None:
        """The first injected fault for this call, counted down."""
        for failure in self.failures:
            method_ok = failure.method is None or failure.method == method
            if failure.path in (path, "*") and method_ok and failure.remaining > 0:
                failure.remaining -= 1
                if failure.remaining == 0:
                    self.failures.remove(failure)
                return failure
        return None

    def app_call_budget(self) -> int:
        """The app's calls per rolling hour: the floor, or so many per user of the app."""
        per_user = self.config.app_calls_per_user * len(self.users)
        return max(self.config.app_call_limit, per_user)

    def count_call(self, calls: deque[float], window_s: float) -> None:
        """Record one call in a rolling window."""
        now = self.now()
        calls.append(now)
        while calls and calls[0] < now - window_s:
            calls.popleft()

    def page_window(self, page_id: str) -> deque[float]:
        """The rolling 24-hour call record of one Page."""
        return self.page_calls.setdefault(page_id, deque())
