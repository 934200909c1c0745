"""The settings every Jumo service shares; each service subclasses them with its own."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from the environment (``AMQP_URL``, ``MONGO_URL``, ``PORT``, …).

    No other module reads os.environ.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, case_sensitive=False)

    service_name: str = "jumo"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "INFO"
    # None: JSON lines when stdout is not a terminal, readable lines when it is.
    log_json: bool | None = None

    mongo_url: str = "mongodb://127.0.0.1:27017/"
    # Empty means jumo_<service_name>; tests set a unique name per test.
    mongo_database: str = ""
    # Short, so that a dead database answers 503 within seconds instead of hanging requests.
    mongo_server_selection_timeout_ms: int = Field(default=2000, ge=100)
    # Commands in flight per process (pymongo queues the rest). FerretDB 1.24 on PostgreSQL
    # stops answering when about as many updates run at once as its pool has connections (50):
    # 100 concurrent updates of one document through a client of 200 connections did it.
    mongo_max_pool_size: int = Field(default=20, ge=1)

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    events_exchange: str = "jumo.events"
    # Prepended to every queue name; tests set a unique one so they never share queues.
    queue_prefix: str = ""
    # Deliveries after which a failing message is dead-lettered (RabbitMQ 3.10 has no default).
    delivery_limit: int = Field(default=5, ge=1)
    prefetch_count: int = Field(default=64, ge=1)
    publish_timeout_s: float = Field(default=10.0, gt=0)

    max_body_bytes: int = Field(default=1024 * 1024, ge=1)

    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    jwt_issuer: str = "jumo-identity"
    jwt_audience: str = "jumo"

    @model_validator(mode="after")
    def _default_database(self) -> ServiceSettings:
        if not self.mongo_database:
            object.__setattr__(self, "mongo_database", f"jumo_{self.service_name}")
        return self

    def queue_name(self, name: str) -> str:
        """The broker-side name of one of this service's queues."""
        return f"{self.queue_prefix}{name}"
