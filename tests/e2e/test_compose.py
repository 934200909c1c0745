"""docker-compose.yml's Redis, Mailpit, feed and notifier: the same Redis and Mailpit settings as
the local nodes (their commands run by a real redis-server and Mailpit here), every service's
environment read by its settings model, feed and notifier wired to their servers, identity and
the gateway. No Docker needed."""

from __future__ import annotations

import json
import re
import smtplib
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest
from jumo_gateway import TEMPLATES, render
from pydantic_settings import BaseSettings

from jumo_devstack import (
    MAILPIT_FLAGS,
    REDIS_SETTINGS,
    free_port,
    free_ports,
    mailpit_answers,
    mailpit_binary,
    mailpit_messages,
    redis_config,
    redis_ping,
    redis_server_binary,
    terminate_pid,
    wait_for,
)
from jumo_facebook import FacebookSettings
from jumo_feed.settings import FeedSettings
from jumo_identity.settings import IdentitySettings
from jumo_notifier.settings import NotifierSettings
from jumo_orgs.settings import OrgsSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SETTINGS: dict[str, type[BaseSettings]] = {
    "identity": IdentitySettings,
    "orgs": OrgsSettings,
    "feed": FeedSettings,
    "notifier": NotifierSettings,
}


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


def environment(block: str) -> dict[str, str]:
    """A service's environment: the shared ``*service-env`` when it merges it, then its own."""
    own = block.split("environment:\n", 1)[1]
    own = re.split(r"^    [a-z_]+:", own, maxsplit=1, flags=re.MULTILINE)[0]
    values = dict(re.findall(r"^      ([A-Z][A-Z0-9_]*):\s*(.*)$", own, flags=re.MULTILINE))
    if "<<: *service-env" in own:
        shared = COMPOSE.read_text().split("environment: &service-env\n", 1)[1]
        shared = re.split(r"^  [a-z_]+:", shared, maxsplit=1, flags=re.MULTILINE)[0]
        values = dict(re.findall(r"^    ([A-Z][A-Z0-9_]*):\s*(.*)$", shared, re.MULTILINE)) | values
    return {key: value.strip().strip('"') for key, value in values.items()}


def healthy_dependencies(block: str) -> set[str]:
    """The services a block waits for, healthy."""
    depends = block.split("depends_on:", 1)[1]
    return set(re.findall(r"^\s+([a-z-]+):\n\s+condition: service_healthy$", depends, re.MULTILINE))


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
    assert healthy_dependencies(feed) == {"mongo", "rabbitmq", "redis", "identity"}


def test_the_gateway_reaches_feed_and_renders_with_compose_s_environment() -> None:
    gateway = service_block("gateway")
    assert setting(gateway, "FEED_UPSTREAM") == "feed:8003"
    assert re.search(r"^\s+feed:\n\s+condition: service_healthy$", gateway, re.MULTILINE)
    environment = gateway.split("environment:\n", 1)[1].split("depends_on:", 1)[0]
    values = dict(re.findall(r"^\s+([A-Z_]+):\s*(.+)$", environment, flags=re.MULTILINE))
    values = {key: value.strip('"') for key, value in values.items()}
    text = render((TEMPLATES / "gateway.conf.template").read_text(), values)
    assert "server feed:8003;" in text


def settings_variables(model: type[BaseSettings]) -> set[str]:
    """The environment variables a service's settings model reads (FACEBOOK_* for its nested
    Facebook settings)."""
    names = {name.upper() for name in model.model_fields if name != "facebook"}
    if "facebook" in model.model_fields:
        names |= {f"FACEBOOK_{name.upper()}" for name in FacebookSettings.model_fields}
    return names


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_variable_compose_sets_is_one_its_service_reads(service: str) -> None:
    # A misspelt variable would be ignored silently (extra="ignore") and its default used.
    values = environment(service_block(service))
    assert set(values) - settings_variables(SETTINGS[service]) == set()
    assert values["SERVICE_NAME"] == service


def test_notifier_is_built_like_the_other_services_and_wired_to_its_servers() -> None:
    notifier = service_block("notifier")
    assert "<<: *service" in notifier
    assert setting(notifier, "args") == "{SERVICE: notifier}"
    values = environment(notifier)
    assert values["PORT"] == "8004"
    assert values["MONGO_DATABASE"] == "jumo_notifier"
    assert (values["SMTP_HOST"], values["SMTP_PORT"]) == ("mailpit", "1025")
    assert values["JWKS_URL"] == "http://identity:8001/.well-known/jwks.json"
    assert values["FACEBOOK_GRAPH_URL"] == "${FACEBOOK_GRAPH_URL:-http://facebook-sandbox:8090}"
    # Jumo's own Page comes from the environment; empty, Jumo posts to no Page of its own.
    assert values["JUMO_PAGE_ID"] == "${JUMO_PAGE_ID:-}"
    assert values["JUMO_PAGE_TOKEN"] == "${JUMO_PAGE_TOKEN:-}"
    # Every setting without a default is given.
    required = {
        name.upper() for name, field in NotifierSettings.model_fields.items() if field.is_required()
    }
    assert required - set(values) == set()
    wanted = {"mongo", "rabbitmq", "mailpit", "facebook-sandbox", "identity"}
    assert healthy_dependencies(notifier) == wanted


def test_the_sandbox_accepts_notifier_s_page_linking_callback() -> None:
    uris = environment(service_block("facebook-sandbox"))["FACEBOOK_SANDBOX_REDIRECT_URIS"]
    gateway = "${GATEWAY_URL:-http://127.0.0.1:8080}"
    assert uris.split(",") == [
        f"{gateway}/auth/facebook/callback",
        f"{gateway}/facebook-pages/callback",
    ]


def mailpit_command_line() -> list[str]:
    """The mailpit service's command (a flow sequence that is also JSON)."""
    command: list[str] = json.loads(setting(service_block("mailpit"), "command"))
    return command


def test_mailpit_is_the_local_version_with_the_local_node_s_flags() -> None:
    block = service_block("mailpit")
    build = (ROOT / "deploy/local/mailpit/build.sh").read_text()
    [version] = re.findall(r"^VERSION=(v[0-9.]+)$", build, flags=re.MULTILINE)
    assert setting(block, "image") == f"axllent/mailpit:{version}"
    assert mailpit_command_line() == [
        "--database", "/data/mailpit.db", "--max", "10000", *MAILPIT_FLAGS,
    ]  # fmt: skip
    assert setting(block, "ports") == '["127.0.0.1:1025:1025", "127.0.0.1:8025:8025"]'
    assert setting(block, "test") == '["CMD", "/mailpit", "readyz"]'


def test_the_compose_command_gives_a_real_mailpit_those_settings(tmp_path: Path) -> None:
    # compose's own arguments, as the image's entrypoint hands them to mailpit; only where it
    # listens and writes changed, so that it runs here beside everything else.
    http_port, smtp_port = free_ports(2)
    arguments = mailpit_command_line()
    arguments[arguments.index("--database") + 1] = str(tmp_path / "mailpit.db")
    where = ["--listen", f"127.0.0.1:{http_port}", "--smtp", f"127.0.0.1:{smtp_port}"]
    with (tmp_path / "mailpit.log").open("wb") as log:
        command = [str(mailpit_binary()), *arguments, *where]
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    try:
        assert wait_for(lambda: mailpit_answers(url), 10), (tmp_path / "mailpit.log").read_text()
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "n@jumo.example", "a@b.example", "Hi"
        message.set_content("hello")
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            smtp.login("notifier", "whatever")  # any login is accepted, without TLS
            smtp.send_message(message)
        assert [m["Subject"] for m in mailpit_messages(url)] == ["Hi"]
    finally:
        terminate_pid(server.pid, timeout=10)
        server.wait(10)


def test_the_gateway_reaches_notifier() -> None:
    gateway = service_block("gateway")
    assert setting(gateway, "NOTIFIER_UPSTREAM") == "notifier:8004"
    assert "notifier" in healthy_dependencies(gateway)
    text = render((TEMPLATES / "gateway.conf.template").read_text(), environment(gateway))
    assert "server notifier:8004;" in text
    assert "location = /notifications/stream {" in text
