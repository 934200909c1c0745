"""How to reach Facebook and who we are to it; read from FACEBOOK_* environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class FacebookSettings(BaseSettings):
    """The Facebook app and hosts; ``FACEBOOK_APP_ID``, ``FACEBOOK_GRAPH_URL``, …"""

    model_config = SettingsConfigDict(
        env_prefix="FACEBOOK_", extra="ignore", frozen=True, case_sensitive=False
    )

    app_id: str
    app_secret: SecretStr
    graph_url: str = "https://graph.facebook.com"
    www_url: str = "https://www.facebook.com"
    graph_version: str = Field(default="v26.0", pattern=r"^v\d+\.\d+$")
    # Whole-call bound: a Facebook that hangs must not hang a request of ours.
    timeout_s: float = Field(default=10.0, gt=0)
    connect_timeout_s: float = Field(default=3.0, gt=0)
    # PKCE (S256) on the login dialog; the code exchange then sends the code_verifier. On by
    # default: without it a leaked authorization code, injected into an attacker's own login
    # (their state and cookie), logs the attacker in as the code's owner.
    use_pkce: bool = True
    # Time-stamped appsecret_proof (``token|unix_time`` plus ``appsecret_time``).
    proof_with_time: bool = False
    # signed_request older than this is rejected as a replay.
    signed_request_max_age_s: int = Field(default=600, gt=0)

    def graph_base(self) -> str:
        """The versioned Graph API root, without a trailing slash."""
        return f"{self.graph_url.rstrip('/')}/{self.graph_version}"

    def app_token(self) -> str:
        """The app access token ``app_id|app_secret`` (server-side only, never logged)."""
        return f"{self.app_id}|{self.app_secret.get_secret_value()}"
