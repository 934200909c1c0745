"""The records the sandbox keeps: test users, tokens, codes, Pages, posts, injected faults."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TestUser:
    """A Facebook test user of the app."""

    id: str
    name: str
    email: str
    password: str
    login_nonce: str
    installed: bool = False
    granted: set[str] = field(default_factory=set)
    declined: set[str] = field(default_factory=set)
    friends: set[str] = field(default_factory=set)
    # Ids of users who asked this one to be friends and await confirmation.
    friend_requests: set[str] = field(default_factory=set)

    @property
    def first_name(self) -> str:
        """Everything before the last word of the name."""
        return self.name.rsplit(" ", 1)[0] if " " in self.name else self.name

    @property
    def last_name(self) -> str:
        """The last word of the name."""
        return self.name.rsplit(" ", 1)[1] if " " in self.name else ""


@dataclass
class Token:
    """An access token: a user's, a Page's (on behalf of a user) or the app's."""

    value: str
    kind: str  # "user" | "page" | "app"
    app_id: str
    user_id: str | None
    scopes: list[str]
    issued_at: int
    expires_at: int  # 0: never
    page_id: str | None = None
    # Set when Facebook invalidated it: 458 app removed, 460 password changed, 467 logged out.
    invalid_subcode: int | None = None


@dataclass
class AuthCode:
    """A Login dialog code: one use, exact redirect_uri, optional PKCE challenge."""

    value: str
    user_id: str
    redirect_uri: str
    scopes: list[str]
    created_at: float
    code_challenge: str | None = None
    code_challenge_method: str = "S256"
    used: bool = False


@dataclass
class Page:
    """A Facebook Page a test user manages."""

    id: str
    name: str
    category: str
    owner_id: str


@dataclass
class Post:
    """A post made on a Page feed."""

    id: str
    page_id: str
    message: str | None
    link: str | None
    created_time: int


@dataclass
class Failure:
    """An injected fault for the next ``remaining`` calls to one path."""

    path: str
    method: str | None
    remaining: int
    code: int | None = None
    subcode: int | None = None
    status: int | None = None
    message: str | None = None
    error_type: str | None = None
    is_transient: bool | None = None
    latency_s: float = 0.0
    # Do the work on "Facebook's side", then answer 500: a retried POST would duplicate.
    succeed_then_500: bool = False
    regain_minutes: float | None = None
