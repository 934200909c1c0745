"""notifier's settings: the one place that reads the environment (``PORT``, ``SMTP_HOST``, …)."""

from __future__ import annotations

import base64
import binascii

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from jumo_common.settings import ServiceSettings
from jumo_facebook import FacebookSettings

KEY_BYTES = 32


def _key_bytes(value: SecretStr) -> bytes:
    try:
        raw = base64.b64decode(value.get_secret_value(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be base64 of 32 random bytes") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"must decode to {KEY_BYTES} bytes, not {len(raw)}")
    return raw


class NotifierSettings(ServiceSettings):
    """Settings of the notifier service; see the README for each variable."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, case_sensitive=False)

    service_name: str = "notifier"
    port: int = Field(default=8004, ge=0, le=65535)
    # Where clients reach the platform (the gateway): links in notifications, emails and posts.
    public_base_url: str = "http://127.0.0.1:8080"

    # -- email -----------------------------------------------------------------------------------
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    mail_from: str = "Jumo <notifications@jumo.example>"
    # base64 of 32 random bytes: signs the unsubscribe links of emails.
    unsubscribe_key: SecretStr
    # How often held emails (quiet hours) and due digests are looked for; 0 turns a loop off.
    mail_release_interval_s: float = Field(default=30.0, ge=0)
    digest_interval_s: float = Field(default=300.0, ge=0)
    # A digest goes out from this hour of the person's day (weekly ones on this weekday, 0=Monday).
    digest_hour: int = Field(default=8, ge=0, le=23)
    digest_weekday: int = Field(default=0, ge=0, le=6)

    # -- Facebook --------------------------------------------------------------------------------
    # base64 of 32 random bytes: seals organizations' Page tokens at rest (AES-256-GCM).
    page_token_key: SecretStr
    # Jumo's own Page ("Ann joined Jumo"): its id and a Page token from GET /me/accounts.
    # Empty: Jumo posts to no Page of its own.
    jumo_page_id: str = ""
    jumo_page_token: SecretStr = SecretStr("")
    # The FACEBOOK_* variables, read by jumo_facebook's own settings model.
    facebook: FacebookSettings = Field(default_factory=lambda: FacebookSettings())
    # Posting to Pages (poster.py): the queue is read this often (and at once when this process
    # queued something); an attempt's claim outlives a dead process this long (more than a
    # Graph call's timeout); unsure tries before giving up; the pause after a rate limit when
    # Facebook did not say how long; posts in flight per Page in one process.
    posting_poll_s: float = Field(default=1.0, gt=0)
    posting_lease_s: float = Field(default=30.0, gt=0)
    posting_max_attempts: int = Field(default=8, ge=1)
    posting_throttle_s: float = Field(default=60.0, gt=0)
    posting_page_concurrency: int = Field(default=8, ge=1)

    # -- in-app ----------------------------------------------------------------------------------
    # A stream also polls the database this often, for notifications another process created.
    # Every open stream costs a query per interval (200 streams at 2 s: 100 queries a second
    # beside a fan-out's writes); a notification this process stored reaches its streams at once.
    stream_poll_s: float = Field(default=5.0, gt=0)
    # A stream sends a comment line this often, so proxies keep an idle connection open.
    stream_heartbeat_s: float = Field(default=15.0, gt=0)
    # Opportunities are proposed to people whose place is within this distance (their own
    # radius when they set one).
    default_radius_km: int = Field(default=25, ge=1, le=20_000)

    @field_validator("unsubscribe_key", "page_token_key")
    @classmethod
    def _thirty_two_bytes(cls, value: SecretStr) -> SecretStr:
        _key_bytes(value)
        return value

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def unsubscribe_key_bytes(self) -> bytes:
        """The raw HMAC key of unsubscribe links."""
        return _key_bytes(self.unsubscribe_key)

    def page_token_key_bytes(self) -> bytes:
        """The raw AES-256 key of Page tokens."""
        return _key_bytes(self.page_token_key)

    def page_redirect_uri(self) -> str:
        """The exact redirect URI of the Page-linking login, registered with Facebook."""
        return f"{self.public_base_url}/facebook-pages/callback"
