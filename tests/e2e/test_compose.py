"""docker-compose.yml runs the whole platform, no Docker needed: parsed as YAML and interpolated as
compose does, every service of ours is built from deploy/docker/service.Dockerfile by its build
arg, every service's environment builds its settings model (nothing missing, nothing misspelt,
every value valid) and every address in it is a service of the file on the port it listens on;
the same Redis and Mailpit settings as the local nodes (their commands run by a real
redis-server and Mailpit here); feed and notifier wired to their servers; the gateway."""

from __future__ import annotations

import json
import os
import re
import smtplib
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from jumo_gateway import TEMPLATES, render
from pydantic_settings import BaseSettings

from jumo_common.settings import ServiceSettings
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
SETTINGS: dict[str, type[ServiceSettings]] = {
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


# -- The whole file, parsed as YAML, and read the way compose reads it ------------------------
# There is no Docker here, so `docker compose config` cannot run: a YAML parse (merge keys
# resolved, as compose resolves them), compose's variable interpolation, and our own checks.

# What the platform needs besides our images (each service's settings point at these).
INFRASTRUCTURE = {"mongo", "rabbitmq", "redis", "mailpit", "gateway"}
# Our own programs: each compose service built from deploy/docker/service.Dockerfile, by its
# SERVICE build arg (the workspace package jumo-<SERVICE>).
BUILT = {
    "identity": "identity",
    "orgs": "orgs",
    "feed": "feed",
    "notifier": "notifier",
    "facebook-sandbox": "facebook",
}
DOCKERFILE = "deploy/docker/service.Dockerfile"
# Secrets compose requires (test_compose_secrets.py): stand-ins of the right shape here.
GIVEN = {
    "ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",  # 32 bytes, base64
    "RECORD_KEY_SECRET": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "UNSUBSCRIBE_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "PAGE_TOKEN_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "FACEBOOK_APP_SECRET": "0123456789abcdef0123456789abcdef",
}
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$\$")


def compose_file() -> dict[str, Any]:
    """docker-compose.yml as compose sees it before interpolation."""
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}``, ``${NAME-default}``, ``${NAME:?error}``,
    ``${NAME?error}`` and ``$$``, against ``env``."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if name is None:
            return "$"
        value = env.get(name)
        unset = value is None or (operator is not None and operator.startswith(":") and not value)
        if operator in {":-", "-"} and unset:
            return interpolate(argument, env)
        if operator in {":?", "?"} and unset:
            raise LookupError(f"{name}: {argument}")
        return value or ""

    return _VARIABLE.sub(one, value)


def compose_environment(name: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """A compose service's environment, merged and interpolated (``env``: the shell's)."""
    raw = compose_file()["services"][name].get("environment") or {}
    assert isinstance(raw, dict), f"{name}: environment as a mapping, please"
    shell = GIVEN if env is None else env
    return {key: interpolate(str(value), shell) for key, value in raw.items()}


def workspace_packages() -> dict[str, Path]:
    """Package name → folder, for every workspace member."""
    found = {}
    for pyproject in sorted(
        [*ROOT.glob("libs/*/pyproject.toml"), *ROOT.glob("services/*/pyproject.toml")]
    ):
        [name] = re.findall(r'^name = "([^"]+)"$', pyproject.read_text(), flags=re.MULTILINE)
        found[name] = pyproject.parent
    return found


def test_compose_runs_the_whole_platform() -> None:
    services = compose_file()["services"]
    assert INFRASTRUCTURE | set(BUILT) <= set(services)
    # every service of the workspace has its compose service
    assert {p.name for p in ROOT.glob("services/*/pyproject.toml") for p in [p.parent]} <= set(
        services
    )
    for name, service in services.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} waits for {dependency}, which is not there"
            assert condition == {"condition": "service_healthy"}, (name, dependency)
            has_check = "healthcheck" in services[dependency] or dependency in BUILT
            assert has_check, f"{dependency} has no healthcheck for {name} to wait on"


def test_every_image_of_ours_is_built_from_the_one_dockerfile() -> None:
    services = compose_file()["services"]
    packages = workspace_packages()
    built = {name for name, service in services.items() if "build" in service}
    assert set(BUILT) <= built
    for name in built:
        service = services[name]
        assert "image" not in service, f"{name}: built here, not pulled"
        assert service["build"] == {
            "context": ".",
            "dockerfile": DOCKERFILE,
            "args": {"SERVICE": BUILT.get(name, service["build"].get("args", {}).get("SERVICE"))},
        }, name
        arg = service["build"]["args"]["SERVICE"]
        package = packages.get(f"jumo-{arg}")
        assert package, f"{name}: SERVICE={arg} names no workspace package jumo-{arg}"
        module = package / "src" / f"jumo_{arg}"
        command = service.get("command")
        if command is None:  # the image's own: python -m jumo_<SERVICE>, healthy on /healthz
            assert (module / "__main__.py").exists(), f"{name}: no python -m jumo_{arg}"
            assert "healthcheck" not in service, f"{name}: the image's healthcheck is the rule"
        else:  # another program of the same package: it says how it is checked
            assert command[:2] == ["python", "-m"], command
            target = command[2].replace(".", "/")
            assert (package / "src" / target / "__main__.py").exists(), command
            assert "healthcheck" in service, f"{name}: runs {command}, needs its own healthcheck"


def test_the_dockerfile_builds_any_package_by_its_build_arg() -> None:
    text = (ROOT / DOCKERFILE).read_text()
    assert re.search(r"^ARG SERVICE$", text, flags=re.MULTILINE)
    assert 'uv sync --frozen --no-dev --no-editable --package "jumo-${SERVICE}"' in text
    assert "SERVICE_MODULE=jumo_${SERVICE}" in text
    assert 'exec python -m \\"$SERVICE_MODULE\\"' in text
    assert "/healthz" in text
    assert "PORT" in text
    ignored = (ROOT / f"{DOCKERFILE}.dockerignore").read_text().split()
    assert {"**/.venv", ".git", "deploy/local/run", "deploy/local/stack.env"} <= set(ignored)


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_service_s_environment_builds_its_settings_model(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = SETTINGS[service]
    env = compose_environment(service)
    # The container sees compose's environment only: nothing of this shell's (make test exports
    # the local stack's URLs) may fill a gap compose leaves.
    for name in settings_variables(model) | set(env):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = model()  # every required setting given, every value valid
    assert settings.service_name == service
    port = settings.port
    services = compose_file()["services"]
    assert services[service]["expose"] == [str(port)]
    gateway = compose_environment("gateway")
    assert gateway[f"{service.upper()}_UPSTREAM"] == f"{service}:{port}"
    assert settings.host == "0.0.0.0"  # noqa: S104 (inside its container)


def listening_port(name: str) -> set[int]:
    """The ports a compose service listens on inside the network."""
    known = {"mongo": {27017}, "rabbitmq": {5672}, "redis": {6379}, "mailpit": {1025, 8025},
             "gateway": {8080}}  # fmt: skip
    if name in known:
        return known[name]
    env = compose_environment(name)
    port = env.get("PORT") or env.get("FACEBOOK_SANDBOX_PORT")
    assert port, f"{name}: where does it listen?"
    return {int(port)}


@pytest.mark.parametrize("service", sorted(BUILT))
def test_every_address_a_service_is_given_is_a_service_of_compose_on_its_port(
    service: str,
) -> None:
    services = compose_file()["services"]
    env = compose_environment(service)
    for key, value in env.items():
        for host, port in re.findall(r"^[a-z+]+://(?:[^@/]*@)?([A-Za-z0-9.-]+):(\d+)", value):
            if host == "127.0.0.1":
                # the browser's view (the gateway, the sandbox's dialogs): published on the host
                published = {p.split(":")[1] for s in services.values() for p in s.get("ports", [])}
                assert port in published, (service, key, value)
                continue
            assert host in services, (service, key, value)
            assert int(port) in listening_port(host), (service, key, value)
    if "SMTP_HOST" in env:
        assert env["SMTP_HOST"] in services
        assert int(env["SMTP_PORT"]) in listening_port(env["SMTP_HOST"])


def test_the_sandbox_s_environment_builds_its_config_as_the_local_stack_sets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jumo_facebook.sandbox.config import SandboxConfig

    env = compose_environment("facebook-sandbox")
    for name in [*os.environ]:
        if name.startswith("FACEBOOK_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = SandboxConfig()
    assert (config.host, config.port) == ("0.0.0.0", 8090)  # noqa: S104
    assert config.app_secret == GIVEN["FACEBOOK_APP_SECRET"]
    # as a real app should be set, and as the local stack sets it (deploy/local/stack.py)
    assert config.require_proof is True
    assert config.app_calls_per_user == 200
    identity = compose_environment("identity")
    assert (
        config.app_id
        == identity["FACEBOOK_APP_ID"]
        == compose_environment("notifier")["FACEBOOK_APP_ID"]
    )


def test_interpolation_reads_like_compose() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET}/${UNSET:-d}/${EMPTY:-d}/${EMPTY-d}/$$", env) == "x/d/d//$"
    with pytest.raises(LookupError, match="MISSING: say so"):
        interpolate("${MISSING:?say so}", env)
    with pytest.raises(LookupError):
        compose_environment("identity", {})  # no secrets in the shell: compose refuses


# -- Prometheus (deploy/prometheus; promtool's checks are in test_prometheus.py) ---------------


def test_prometheus_scrapes_every_service_on_its_port() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    jobs = {
        job["job_name"]: [t for c in job["static_configs"] for t in c["targets"]]
        for job in config["scrape_configs"]
    }
    assert set(jobs) == set(SETTINGS)
    for job, targets in jobs.items():
        host, port = targets[0].split(":")
        assert (host, len(targets)) == (job, 1)
        assert int(port) in listening_port(job), (job, port)


def test_compose_runs_prometheus_with_deploy_prometheus() -> None:
    service = compose_file()["services"]["prometheus"]
    assert service["image"].startswith("prom/prometheus:")
    assert "./deploy/prometheus:/etc/prometheus/jumo:ro" in service["volumes"]
    assert "--config.file=/etc/prometheus/jumo/prometheus.yml" in service["command"]
    assert service["ports"] == ["127.0.0.1:9090:9090"]
    assert "healthcheck" in service
