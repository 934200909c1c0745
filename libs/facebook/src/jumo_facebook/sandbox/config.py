"""The sandbox's one app and where it listens; flags or FACEBOOK_* / FACEBOOK_SANDBOX_* env."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class SandboxConfig(BaseSettings):
    """One Facebook app, as the sandbox plays it."""

    model_config = SettingsConfigDict(
        env_prefix="FACEBOOK_SANDBOX_", extra="ignore", frozen=True, populate_by_name=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=0, le=65535)
    app_id: str = Field(
        default="100000000000001",
        validation_alias=AliasChoices("app_id", "FACEBOOK_SANDBOX_APP_ID", "FACEBOOK_APP_ID"),
    )
    app_secret: str = Field(
        default="sandbox-app-secret",
        validation_alias=AliasChoices(
            "app_secret", "FACEBOOK_SANDBOX_APP_SECRET", "FACEBOOK_APP_SECRET"
        ),
    )
    app_name: str = "Jumo (sandbox)"
    # The version links and test helpers use; the server answers any vN.N path.
    graph_version: str = Field(
        default="v26.0",
        pattern=r"^v\d+\.\d+$",
        validation_alias=AliasChoices("graph_version", "FACEBOOK_GRAPH_VERSION"),
    )
    # Valid OAuth redirect URIs, matched exactly (comma-separated in the environment).
    redirect_uris: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Facebook lets apps in development mode redirect to http://localhost without registering.
    allow_localhost_redirects: bool = False
    require_proof: bool = False
    # What browsers and callers see ("http://host:port" when empty).
    public_url: str = ""
    # Rate budgets behind the usage headers: calls per rolling hour (app), per day (Page).
    app_call_limit: int = Field(default=5000, ge=1)
    # Facebook's app budget grows with the app's users: "calls within one hour = 200 * number
    # of users" (Graph API rate limiting). 0 keeps the budget at app_call_limit; otherwise the
    # budget is the larger of app_call_limit and this many calls per test user.
    app_calls_per_user: int = Field(default=0, ge=0)
    page_call_limit: int = Field(default=4800, ge=1)
    code_ttl_s: int = Field(default=600, ge=1)
    token_ttl_s: int = Field(default=5183944, ge=1)

    @field_validator("redirect_uris", mode="before")
    @classmethod
    def _split_uris(cls, value: object) -> object:
        if isinstance(value, str):
            return [uri.strip() for uri in value.split(",") if uri.strip()]
        return value

    def base_url(self) -> str:
        """Where the sandbox is reached from outside, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
