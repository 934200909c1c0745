"""docker-compose.yml's Redis and feed: the same Redis settings as the local node (its command run
by a real redis-server here), feed wired to Redis, identity and the gateway. No Docker needed."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from jumo_gateway import TEMPLATES, render

from jumo_devstack import (
    REDIS_SETTINGS,
    free_port,
    redis_config,
    redis_ping,
    redis_server_binary,
    terminate_pid,
    wait_for,
)

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def service_block(name: str) -> str:
    """The lines of one service of docker-compose.yml (its key at two spaces, up to the next)."""
    match = re.search(
        rf"^  {re.escape(name)}:\n((?:(?:    .*)?\n)+)", COMPOSE.read_text(), flags=re.MULTILINE
    )
    assert match, f"no service {name!r} in docker-compose.yml"
    return match.group(1)


def setting(block: str, key: str) -> str:
    """The value of ``key:`` in a block (the first one, stripped)."""
    match = re.search(rf"^\s+{re.escape(key)}:\s*(.+)$", block, flags=re.MULTILINE)
    assert match, f"no {key} in:\n{block}"
    return match.group(1).strip()


def redis_command_line() -> list[str]:
    """The redis service's command (a flow sequence that is also JSON)."""
    command: list[str] = json.loads(setting(service_block("redis"), "command"))
    return command


def test_redis_runs_the_local_node_s_settings() -> None:
    arguments = [arg for name, value in REDIS_SETTINGS for arg in (f"--{name}", value)]
    assert redis_command_line() == ["redis-server", *arguments]
    block = service_block("redis")
    assert setting(block, "image") == "redis:7"
    assert setting(block, "test") == '["CMD", "redis-cli", "ping"]'
    assert "volumes" not in block  # a cache: nothing to keep


def test_the_compose_command_gives_a_real_redis_those_settings(tmp_path: Path) -> None:
    # compose's own arguments, as the image's entrypoint hands them to redis-server; only where
    # it listens and writes added, so that it runs here beside everything else.
    port = free_port()
    _, *arguments = redis_command_line()
    where = ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
    command = [str(redis_server_binary()), *arguments, *where]
    with (tmp_path / "redis.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: redis_ping("127.0.0.1", port), 10), tmp_path / "redis.log"
        wanted = dict(REDIS_SETTINGS)
        assert redis_config("127.0.0.1", port, *wanted) == wanted
    finally:
        terminate_pid(server.pid, timeout=10)
        server.wait(10)


def test_feed_is_built_like_the_other_services_and_wired_to_its_servers() -> None:
    feed = service_block("feed")
    assert "<<: *service" in feed
    assert setting(feed, "args") == "{SERVICE: feed}"
    assert setting(feed, "SERVICE_NAME") == "feed"
    assert setting(feed, "PORT") == '"8003"'
    assert setting(feed, "MONGO_DATABASE") == "jumo_feed"
    assert setting(feed, "REDIS_URL") == "redis://redis:6379/0"
    assert setting(feed, "JWKS_URL") == "http://identity:8001/.well-known/jwks.json"
    depends = feed.split("depends_on:", 1)[1]
    for server in ("mongo", "rabbitmq", "redis", "identity"):
        assert re.search(rf"^\s+{server}:\n\s+condition: service_healthy$", depends, re.MULTILINE)


def test_the_gateway_reaches_feed_and_renders_with_compose_s_environment() -> None:
    gateway = service_block("gateway")
    assert setting(gateway, "FEED_UPSTREAM") == "feed:8003"
    assert re.search(r"^\s+feed:\n\s+condition: service_healthy$", gateway, re.MULTILINE)
    environment = gateway.split("environment:\n", 1)[1].split("depends_on:", 1)[0]
    values = dict(re.findall(r"^\s+([A-Z_]+):\s*(.+)$", environment, flags=re.MULTILINE))
    values = {key: value.strip('"') for key, value in values.items()}
    text = render((TEMPLATES / "gateway.conf.template").read_text(), values)
    assert "server feed:8003;" in text
