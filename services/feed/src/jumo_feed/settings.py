"""feed's settings: the one place that reads the environment (``PORT``, ``REDIS_URL``, …)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jumo_common.settings import ServiceSettings


class FeedSettings(ServiceSettings):
    """Settings of the feed service; see the README for each variable."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, case_sensitive=False)

    service_name: str = "feed"
    port: int = Field(default=8003, ge=0, le=65535)
    # Where clients reach the platform (the gateway): activities link to pages on it.
    public_base_url: str = "http://127.0.0.1:8080"
    # The home timelines (a cache: everything in it is rebuilt from MongoDB when lost).
    redis_url: str = "redis://127.0.0.1:6380/0"
    # Every key feed writes starts with it (tests and several stacks share one Redis).
    redis_prefix: str = "feed:"
    # A timeline keeps its newest entries only.
    timeline_cap: int = Field(default=800, ge=20, le=10_000)
    # Fan-out reaches the people who read their feed in the last N days: a timeline unread for
    # that long expires, and comes back (rebuilt from MongoDB) on the next read.
    active_days: int = Field(default=30, ge=1, le=365)
    # A source with more followers than this is not fanned out: its activities are merged
    # into its followers' feeds when they read (see bench/README.md for the choice).
    large_source_followers: int = Field(default=200_000, ge=1)
    # Followers per fan-out message on feed's work queue (and per Redis script call).
    fanout_batch: int = Field(default=1000, ge=10, le=10_000)
    # Following a source brings its newest activities into your timeline at once.
    backfill: int = Field(default=20, ge=0, le=200)
