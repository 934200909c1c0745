"""orgs' settings: the one place that reads the environment (``PORT``, ``MONGO_URL``, …)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from jumo_common.settings import ServiceSettings


class OrgsSettings(ServiceSettings):
    """Settings of the orgs service; see the README for each variable."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, case_sensitive=False)

    service_name: str = "orgs"
    port: int = Field(default=8002, ge=0, le=65535)
    # Where clients reach orgs (the gateway): links in events and pages are built on it.
    public_base_url: str = "http://127.0.0.1:8080"
    # The platform role that verifies organizations and decides on reports.
    moderator_role: str = "moderator"
    # How often the periodic loop (timers.py) runs the time-based steps: deadlines, expiries,
    # reminders.
    timers_interval_s: float = Field(default=30.0, gt=0)
    # How long a volunteer's one-time check-in code stays valid (minutes).
    check_in_code_minutes: int = Field(default=15, ge=1, le=120)
    # A pending application with no answer after this many days expires (a notice to both
    # sides; it counts against the organization's response figures).
    application_expiry_days: int = Field(default=7, ge=1, le=90)
    # Seals the private keys of volunteers' records at rest (base64 of 32 bytes); unset, they
    # are stored as PEM (a development stack).
    record_key_secret: SecretStr | None = None
    # A reminder's run is taken to be dead after this long without finishing (the durable
    # scheduler's lease, jumo_common.scheduler).
    scheduler_lease_s: float = Field(default=60.0, gt=0)
