"""identity's settings: the one place that reads the environment.

Every field is read from the upper-cased environment variable of the same name
(``PUBLIC_BASE_URL``, ``ENCRYPTION_KEY``, ``FACEBOOK_APP_ID``, …); see the README.
"""

from __future__ import annotations

import base64
import binascii

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from jumo_common.settings import ServiceSettings
from jumo_facebook import FacebookSettings

KEY_BYTES = 32  # AES-256-GCM


class IdentitySettings(ServiceSettings):
    """Settings of the identity service."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, case_sensitive=False)

    service_name: str = "identity"
    port: int = Field(default=8001, ge=0, le=65535)

    # Where clients reach us (the gateway): Facebook redirects to <this>/auth/facebook/callback,
    # and the data-deletion status page lives under it.
    public_base_url: str = "http://127.0.0.1:8080"
    # base64 of 32 random bytes: seals Facebook tokens, PKCE verifiers and signing keys at rest.
    encryption_key: SecretStr

    access_token_ttl_s: int = Field(default=15 * 60, ge=60)
    refresh_token_ttl_s: int = Field(default=30 * 24 * 3600, ge=3600)
    login_state_ttl_s: int = Field(default=10 * 60, ge=30)
    # A rotated-in key is published at once but signs only this much later, so that every
    # verifier (which re-reads the JWKS at most every ~10 s) already knows it by then.
    key_activation_delay_s: float = Field(default=30.0, ge=0)
    # How long a process trusts its cached key ring before reading it again; a token signed
    # with a kid it does not know makes it read at once.
    key_cache_ttl_s: float = Field(default=10.0, ge=0)
    # The local verifier re-reads the key ring for an unknown kid at most this often.
    jwks_refresh_min_interval_s: float = Field(default=1.0, ge=0)
    # None: Secure cookies exactly when public_base_url is https.
    cookie_secure: bool | None = None
    # How often expired login states and refresh tokens are deleted (no TTL indexes on FerretDB).
    housekeeping_interval_s: float = Field(default=300.0, gt=0)

    # The FACEBOOK_* variables, named and checked in one place: jumo_facebook's own settings
    # model reads them from the environment; a test hands in its own.
    facebook: FacebookSettings = Field(default_factory=lambda: FacebookSettings())

    @field_validator("encryption_key")
    @classmethod
    def _key_is_32_bytes(cls, value: SecretStr) -> SecretStr:
        try:
            raw = base64.b64decode(value.get_secret_value(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(
                "must be base64 (generate one: python -m jumo_identity gen-key)"
            ) from None
        if len(raw) != KEY_BYTES:
            raise ValueError(f"must decode to {KEY_BYTES} bytes, not {len(raw)}")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def encryption_key_bytes(self) -> bytes:
        """The raw AES-256 key."""
        return base64.b64decode(self.encryption_key.get_secret_value())

    def redirect_uri(self) -> str:
        """The exact redirect URI registered with Facebook."""
        return f"{self.public_base_url}/auth/facebook/callback"

    def deletion_status_url(self, code: str) -> str:
        """The page Facebook shows a person who asked for their data to be deleted."""
        return f"{self.public_base_url}/facebook/data-deletion/{code}"

    def secure_cookies(self) -> bool:
        """Whether the login cookie is Secure."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.public_base_url.startswith("https://")
