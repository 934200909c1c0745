"""deploy/local/stack.py starts its own servers, adopts only ones of the right kind, stops by pid.

Every stack here runs on free ports with a run folder of its own, so it shares nothing with the
stack ``make up`` runs.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from jumo_devstack import (
    BACKENDS,
    Backend,
    appsecret_proof,
    free_port,
    free_ports,
    pid_alive,
    port_answers,
    prometheus_query,
    repo_root,
    scratch_dir,
    terminate_pid,
    wait_for,
)


@pytest.fixture
def base_dir() -> Iterator[Path]:
    """A folder the rabbitmq and postgres users can reach, removed afterwards."""
    folder = scratch_dir("jumo-test-stack-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    root = repo_root()
    return subprocess.run(
        [sys.executable, str(root / "deploy/local/stack.py"), command],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _stack(command: str, env: dict[str, str]) -> dict[str, Any]:
    """Run deploy/local/stack.py <command>; return what it recorded in its run folder."""
    result = _run(command, env)
    assert result.returncode == 0, f"stack.py {command}:\n{result.stdout}{result.stderr}"
    record = Path(env["JUMO_RUN_DIR"]) / "stack.json"
    return json.loads(record.read_text()) if record.exists() else {}


def _free_urls() -> dict[str, str]:
    amqp, postgres, mongo, redis, mailpit, smtp, facebook, *services = free_ports(12)
    identity, orgs, feed, notifier, gateway = services
    return {
        "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{amqp}/",
        "POSTGRES_URL": f"postgres://postgres@127.0.0.1:{postgres}/ferretdb",
        "MONGO_URL": f"mongodb://127.0.0.1:{mongo}/",
        "REDIS_URL": f"redis://127.0.0.1:{redis}/0",
        "MAILPIT_URL": f"http://127.0.0.1:{mailpit}",
        "MAILPIT_SMTP_URL": f"smtp://127.0.0.1:{smtp}",
        "FACEBOOK_GRAPH_URL": f"http://127.0.0.1:{facebook}",
        "IDENTITY_URL": f"http://127.0.0.1:{identity}",
        "ORGS_URL": f"http://127.0.0.1:{orgs}",
        "FEED_URL": f"http://127.0.0.1:{feed}",
        "NOTIFIER_URL": f"http://127.0.0.1:{notifier}",
        "GATEWAY_URL": f"http://127.0.0.1:{gateway}",
    }


def _env(base_dir: Path, name: str, urls: dict[str, str], backend: Backend) -> dict[str, str]:
    # Without the URLs of the stack the tests run on (make test exports them): a component
    # this test forgot to move would find that stack's server and adopt it.
    inherited = {k: v for k, v in os.environ.items() if not k.endswith("_URL")}
    env = {**inherited, **urls, "JUMO_FERRETDB_BACKEND": backend}
    env["JUMO_RUN_DIR"] = str(base_dir / name)
    env["JUMO_STACK_ENV"] = str(base_dir / f"{name}.env")
    return env


@pytest.mark.parametrize("backend", BACKENDS)
def test_stack_starts_its_own_servers_reuses_others_and_stops_only_its_own(
    base_dir: Path, backend: Backend
) -> None:
    urls = _free_urls()
    ours = _env(base_dir, "ours", urls, backend)
    ours["PROMETHEUS_URL"] = f"http://127.0.0.1:{free_port()}"  # `observe`'s, ours only
    theirs = _env(base_dir, "theirs", urls, backend)
    components = {"facebook", "feed", "gateway", "identity", "mailpit", "mongodb", "notifier"}
    components |= {"orgs", "rabbitmq", "redis"}
    if backend == "postgresql":
        components.add("postgres")
    try:
        started = _stack("up", ours)
        pids = [entry["pid"] for entry in started.values()]
        assert set(started) == components
        assert all(entry["started"] for entry in started.values())
        assert started["mongodb"]["backend"] == backend
        assert all(pid_alive(pid) for pid in pids)
        env_lines = Path(ours["JUMO_STACK_ENV"]).read_text()
        used = {k: v for k, v in urls.items() if backend == "postgresql" or k != "POSTGRES_URL"}
        assert all(f"{key}={url}" in env_lines for key, url in used.items())
        assert f"JUMO_FERRETDB_BACKEND={backend}" in env_lines
        # The gateway reaches each service: feed's and notifier's OpenAPI documents come
        # through it.
        for service in ("feed", "notifier"):
            document = _get_json(f"{urls['GATEWAY_URL']}/openapi/{service}.json")
            assert document["openapi"].startswith("3.1")
            url = urls[f"{service.upper()}_URL"]
            assert _get_json(f"{url}/healthz")["service"] == service
        lines = _env_lines(ours)
        smtp_port = urlsplit(urls["MAILPIT_SMTP_URL"]).port
        assert (lines["SMTP_HOST"], lines["SMTP_PORT"]) == ("127.0.0.1", str(smtp_port))
        assert _get_json(f"{urls['MAILPIT_URL']}/api/v1/info")["Version"] == "v1.33.1"
        _assert_jumo_page_posts(urls["FACEBOOK_GRAPH_URL"], lines)
        assert _stack("up", ours) == started  # idempotent
        observer = _assert_observed(ours, urls)

        # A second stack on the same URLs finds them answering: uses them, never stops them.
        reused = _stack("up", theirs)
        assert not any(entry["started"] for entry in reused.values())
        _stack("down", theirs)
        assert all(pid_alive(pid) for pid in pids)

        # The sandbox keeps nothing across a restart: the next `up` makes Jumo's Page again
        # (same id, new token) and restarts notifier with it; nothing else moves.
        terminate_pid(started["facebook"]["pid"], timeout=10)
        again = _stack("up", ours)
        moved = {name for name in started if again[name]["pid"] != started[name]["pid"]}
        assert again["prometheus"]["pid"] == observer  # `up` leaves `observe`'s Prometheus be
        assert moved == {"facebook", "notifier"}
        new_lines = _env_lines(ours)
        assert new_lines["JUMO_PAGE_ID"] == lines["JUMO_PAGE_ID"]
        assert new_lines["JUMO_PAGE_TOKEN"] != lines["JUMO_PAGE_TOKEN"]
        _assert_jumo_page_posts(urls["FACEBOOK_GRAPH_URL"], new_lines)
        notifier_env = Path(f"/proc/{again['notifier']['pid']}/environ").read_bytes().split(b"\0")
        assert f"JUMO_PAGE_TOKEN={new_lines['JUMO_PAGE_TOKEN']}".encode() in notifier_env
        pids = [entry["pid"] for entry in again.values()]
    finally:
        _stack("down", ours)
    assert not any(pid_alive(pid) for pid in pids)
    assert not Path(ours["JUMO_STACK_ENV"]).exists()
    for url in used.values():
        assert not port_answers("127.0.0.1", urlsplit(url).port or 0)
    _stack("clean", ours)
    assert not Path(ours["JUMO_RUN_DIR"]).exists()  # data and logs deleted


def _assert_observed(env: dict[str, str], urls: dict[str, str]) -> int:
    """``observe`` starts a Prometheus of ours that scrapes the four services of the stack;
    its pid."""
    observed = _stack("observe", env)
    entry = observed["prometheus"]
    assert entry["started"]
    assert pid_alive(entry["pid"])
    targets = {job: urlsplit(urls[f"{job.upper()}_URL"]).netloc for job in SERVICES}
    assert entry["targets"] == targets
    url = env["PROMETHEUS_URL"]

    def scraped() -> bool:
        found = prometheus_query(url, "up == 1")
        return {r["metric"]["job"] for r in found} == set(SERVICES)

    assert wait_for(scraped, 90, interval=1), prometheus_query(url, "up")
    assert _stack("observe", env)["prometheus"]["pid"] == entry["pid"]  # idempotent too
    pid: int = entry["pid"]
    return pid


SERVICES = ("identity", "orgs", "feed", "notifier")


@pytest.mark.parametrize(
    "url_var", ["AMQP_URL", "REDIS_URL", "MAILPIT_URL", "MAILPIT_SMTP_URL", "IDENTITY_URL"]
)
def test_up_refuses_a_port_taken_by_something_else(base_dir: Path, url_var: str) -> None:
    port = free_port()
    intruder = subprocess.Popen(  # answers HTTP on every path, /healthz included: with a 404
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=base_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_port(port)
        schemes = {"AMQP_URL": "amqp://guest:guest@", "REDIS_URL": "redis://"}
        scheme = schemes.get(url_var, "smtp://" if url_var == "MAILPIT_SMTP_URL" else "http://")
        urls = {**_free_urls(), url_var: f"{scheme}127.0.0.1:{port}/"}
        env = _env(base_dir, "stack", urls, "postgresql")
        try:
            result = _run("up", env)
            names = {"AMQP_URL": "rabbitmq", "REDIS_URL": "redis", "MAILPIT_URL": "mailpit"}
            name = names.get(url_var, "mailpit" if url_var == "MAILPIT_SMTP_URL" else "identity")
            assert result.returncode != 0
            assert f"{name}: port {port} is taken by something else" in result.stderr
        finally:
            _stack("down", env)
        assert intruder.poll() is None  # never touched
    finally:
        intruder.terminate()
        intruder.wait(10)


def _env_lines(env: dict[str, str]) -> dict[str, str]:
    """The KEY=value lines stack.py wrote (its values are shell-quoted only when they need it)."""
    text = Path(env["JUMO_STACK_ENV"]).read_text()
    pairs = [line.split("=", 1) for line in text.splitlines() if "=" in line]
    return {key: shlex.split(value)[0] if value else "" for key, value in pairs}


def _assert_jumo_page_posts(graph_url: str, lines: dict[str, str]) -> None:
    """JUMO_PAGE_ID and JUMO_PAGE_TOKEN post to that Page in the stack's sandbox."""
    secret, token = lines["FACEBOOK_APP_SECRET"], lines["JUMO_PAGE_TOKEN"]
    form = {"message": "Ann joined Jumo", "access_token": token}
    form["appsecret_proof"] = appsecret_proof(secret, token)
    url = f"{graph_url}/v26.0/{lines['JUMO_PAGE_ID']}/feed"
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(url, data=data, timeout=10) as response:  # noqa: S310 (ours)
        assert "id" in json.loads(response.read())


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own URL)
        return json.loads(response.read())


def _wait_port(port: int) -> bool:
    return wait_for(lambda: port_answers("127.0.0.1", port), 10.0)


def test_status_of_a_stack_that_is_down_says_so_and_exits_0(base_dir: Path) -> None:
    env = _env(base_dir, "never-up", _free_urls(), "postgresql")
    result = _run("status", env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "stack: down (`make up` starts it)"
    names = ("rabbitmq", "postgres", "mongodb", "redis", "mailpit", "identity", "notifier")
    assert all(name in result.stdout for name in names)
