"""The gateway runner (deploy/gateway/jumo_gateway.py): rendering, and nginx's life by pid."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from e2e_support import GatewayFactory, ServiceBehindGateway, free_port
from jumo_gateway import TEMPLATES, Gateway, GatewayConfig, GatewayError, find_nginx, render

from jumo_common.testing.wait import wait_until

RUNNER = Path(__file__).resolve().parents[2] / "deploy" / "gateway" / "jumo_gateway.py"


def children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (nginx's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent counts as gone)."""
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def test_render_fills_placeholders_and_leaves_nginx_variables() -> None:
    text = render("listen ${GATEWAY_LISTEN}; set $x $request_id;", {"GATEWAY_LISTEN": "8080"})
    assert text == "listen 8080; set $x $request_id;"


def test_render_refuses_an_unfilled_placeholder_outside_comments() -> None:
    template = "# server ${ORGS_UPSTREAM};\nserver ${IDENTITY_UPSTREAM};\n"
    with pytest.raises(GatewayError, match="IDENTITY_UPSTREAM"):
        render(template, {})
    assert render(template, {"IDENTITY_UPSTREAM": "a:1"}).startswith("# server ${ORGS_UPSTREAM}")


def test_the_container_template_needs_only_documented_variables() -> None:
    # docker-compose sets these (see deploy/gateway/README.md); nothing else may be needed.
    documented = {
        "GATEWAY_LISTEN": "8080",
        "GATEWAY_ACCESS_LOG": "/dev/stdout",
        "GATEWAY_ERROR_LOG": "/dev/stderr",
        "GATEWAY_AUTH_RATE": "10r/s",
        "GATEWAY_AUTH_BURST": "20",
        "GATEWAY_WRITE_RATE": "5r/s",
        "GATEWAY_WRITE_BURST": "20",
        "GATEWAY_UPSTREAM_TIMEOUT": "30s",
        "GATEWAY_STREAM_RATE": "2r/s",
        "GATEWAY_STREAM_BURST": "20",
        "GATEWAY_STREAM_CONNECTIONS": "50",
        "IDENTITY_UPSTREAM": "identity:8001",
        "ORGS_UPSTREAM": "orgs:8002",
        "FEED_UPSTREAM": "feed:8003",
        "NOTIFIER_UPSTREAM": "notifier:8004",
        "GATEWAY_DOCS_ROOT": "/usr/share/nginx/jumo-docs",
        "GATEWAY_WEB_ROOT": "/usr/share/nginx/jumo-web",
    }
    render((TEMPLATES / "gateway.conf.template").read_text(), documented)


def test_missing_nginx_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NGINX", "/nonexistent/nginx")
    with pytest.raises(GatewayError, match="apt-get install nginx"):
        find_nginx()


def test_config_from_the_stack_env_file() -> None:
    env = {"GATEWAY_URL": "http://127.0.0.1:9080/", "IDENTITY_URL": "http://127.0.0.1:9001"}
    config = GatewayConfig.from_env(env)
    assert config.listen == "127.0.0.1:9080"
    assert dict(config.upstreams) == {
        "identity": "127.0.0.1:9001",
        "orgs": "127.0.0.1:8002",
        "feed": "127.0.0.1:8003",
        "notifier": "127.0.0.1:8004",
    }
    explicit = GatewayConfig.from_env({**env, "IDENTITY_UPSTREAM": "10.0.0.5:8001"})
    assert explicit.upstreams["identity"] == "10.0.0.5:8001"
    feed = GatewayConfig.from_env({"FEED_URL": "http://127.0.0.1:9003"})
    assert feed.upstreams["feed"] == "127.0.0.1:9003"
    assert GatewayConfig.from_env({"FEED_UPSTREAM": "feed:8003"}).upstreams["feed"] == "feed:8003"
    notifier = GatewayConfig.from_env({"NOTIFIER_URL": "http://127.0.0.1:9004"})
    assert notifier.upstreams["notifier"] == "127.0.0.1:9004"
    upstream = GatewayConfig.from_env({"NOTIFIER_UPSTREAM": "notifier:8004"})
    assert upstream.upstreams["notifier"] == "notifier:8004"


def test_limits_from_the_environment() -> None:
    assert (GatewayConfig().write_rate, GatewayConfig().write_burst) == ("5r/s", 20)
    env = {"GATEWAY_WRITE_RATE": "2r/s", "GATEWAY_WRITE_BURST": "7", "GATEWAY_AUTH_RATE": "1r/s"}
    config = GatewayConfig.from_env(env)
    assert (config.write_rate, config.write_burst, config.auth_rate) == ("2r/s", 7, "1r/s")
    values = config.values(Path("/run"))
    assert (values["GATEWAY_WRITE_RATE"], values["GATEWAY_WRITE_BURST"]) == ("2r/s", "7")
    default = GatewayConfig()
    assert (default.stream_rate, default.stream_burst, default.stream_connections) == (
        "2r/s",
        20,
        50,
    )
    streams = {"GATEWAY_STREAM_RATE": "1r/m", "GATEWAY_STREAM_BURST": "3"}
    config = GatewayConfig.from_env({**streams, "GATEWAY_STREAM_CONNECTIONS": "4"})
    assert (config.stream_rate, config.stream_burst, config.stream_connections) == ("1r/m", 3, 4)
    values = config.values(Path("/run"))
    assert [values[name] for name in (*streams, "GATEWAY_STREAM_CONNECTIONS")] == ["1r/m", "3", "4"]


def test_stop_leaves_no_process_and_frees_the_port(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway({"identity": f"127.0.0.1:{free_port()}"})
    master = gateway.pid()
    assert master is not None
    workers = children(master)
    assert workers

    gateway.stop()
    assert not any(running(pid) for pid in [master, *workers])
    assert gateway.pid() is None
    with socket.socket() as sock:
        sock.bind(gateway.config.address)  # nobody holds the port any more


def test_another_runner_stops_it_by_pid(start_gateway: GatewayFactory) -> None:
    # `make up` starts the gateway and exits; `make down` is another process.
    gateway = start_gateway({"identity": f"127.0.0.1:{free_port()}"})
    master = gateway.pid()
    assert master is not None
    later = Gateway(gateway.run_dir, gateway.config)
    assert later.pid() == master
    with pytest.raises(GatewayError, match="already runs"):
        later.start()
    later.stop()
    assert not running(master)


def test_a_taken_port_fails_with_nginx_s_reason(nginx: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        gateway = Gateway(tmp_path / "gw", GatewayConfig(listen=f"127.0.0.1:{port}"), nginx)
        with pytest.raises(GatewayError, match="Address already in use"):
            gateway.start()
    assert gateway.pid() is None


async def test_run_becomes_nginx_so_a_supervisor_tracks_its_pid(nginx: str, tmp_path: Path) -> None:
    # How deploy/local/stack.py runs it: a foreground process whose pid is nginx's master.
    port = free_port()
    env = {**os.environ, "NGINX": nginx, "GATEWAY_URL": f"http://127.0.0.1:{port}/"}
    run_dir = tmp_path / "gw"
    command = [sys.executable, str(RUNNER), "run", "--run-dir", str(run_dir)]
    process = await asyncio.create_subprocess_exec(*command, env=env)
    gateway = Gateway(run_dir, GatewayConfig(listen=f"127.0.0.1:{port}"), nginx)

    async def started() -> int | None:
        return gateway.pid()

    try:
        assert await wait_until(started, timeout=10, what="nginx's pid file") == process.pid
    finally:
        process.send_signal(signal.SIGTERM)  # what the stack's `down` sends
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0


async def test_reload_applies_a_new_upstream_without_a_restart(
    start_gateway: GatewayFactory, service: ServiceBehindGateway
) -> None:
    gateway = await asyncio.to_thread(start_gateway, {"identity": f"127.0.0.1:{free_port()}"})
    master = gateway.pid()
    url = f"{gateway.url}/users/_probe"

    async def status() -> int:
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            return response.status

    assert await status() == 502
    moved = Gateway(
        gateway.run_dir, replace(gateway.config, upstreams={"identity": service.address})
    )
    await asyncio.to_thread(moved.reload)

    async def served() -> bool:
        return await status() == 200

    await wait_until(served, timeout=10, what="the reloaded config serving")
    assert moved.pid() == master  # same master: reloaded, not restarted
