"""The whole system as processes of the test's own: the Facebook sandbox and identity."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from e2e_support import free_port
from jumo_gateway import Gateway, GatewayConfig

from jumo_common.testing.plugin import InfraUrls


def _status(url: str) -> int | None:
    """The HTTP status at ``url``, None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class ServiceProcess:
    """One program of ours (``python -m …``) on a port, logging to a file, stopped by pid."""

    def __init__(
        self, name: str, args: list[str], env: Mapping[str, str], log: Path, ready_url: str
    ) -> None:
        self.name, self.args, self.env, self.log, self.ready_url = name, args, env, log, ready_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start it and return once ``ready_url`` answers 200; fail with its log otherwise."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, *self.args],
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while _status(self.ready_url) != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"{self.name} did not come up:\n{self.tail()}")
            time.sleep(0.05)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``; waits until it is gone."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def tail(self, lines: int = 40) -> str:
        """The end of its log, for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def log_records(self) -> list[dict[str, Any]]:
        """Its JSON log lines, parsed (other lines skipped)."""
        records = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records


def new_encryption_key() -> str:
    """A fresh AES-256 key, base64, as identity's ENCRYPTION_KEY wants it."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass
class SystemUnderTest:
    """The sandbox, identity and the gateway in front, all processes of this test session."""

    folder: Path
    gateway: Gateway
    sandbox: ServiceProcess
    identity: ServiceProcess
    app_id: str
    app_secret: str
    mongo_database: str

    @property
    def sandbox_url(self) -> str:
        """The sandbox's base URL (both Facebook hosts)."""
        return self.sandbox.ready_url.removesuffix("/__sandbox/app")

    def stop(self) -> None:
        """Stop everything that was started, gateway first."""
        self.gateway.stop()
        for process in (self.identity, self.sandbox):
            process.stop()


def _sandbox(folder: Path, port: int, app_id: str, secret: str, gateway_url: str) -> ServiceProcess:
    args = ["-m", "jumo_facebook.sandbox", "--port", str(port), "--app-id", app_id]
    args += ["--app-secret", secret, "--redirect-uri", f"{gateway_url}/auth/facebook/callback"]
    ready = f"http://127.0.0.1:{port}/__sandbox/app"
    return ServiceProcess("sandbox", args, {}, folder / "sandbox.log", ready)


def _identity_env(
    infra: InfraUrls, token: str, gateway_url: str, sandbox_url: str
) -> dict[str, str]:
    return {
        "AMQP_URL": infra.amqp_url,
        "MONGO_URL": infra.mongo_url,
        "MONGO_DATABASE": f"e2e_{token}",
        "EVENTS_EXCHANGE": f"test.{token}.jumo.events",
        "QUEUE_PREFIX": f"test.{token}.",
        "PUBLIC_BASE_URL": gateway_url,
        "ENCRYPTION_KEY": new_encryption_key(),
        "FACEBOOK_GRAPH_URL": sandbox_url,
        "FACEBOOK_WWW_URL": sandbox_url,
        "LOG_JSON": "true",
    }


def start_system(folder: Path, infra: InfraUrls, nginx: str) -> SystemUnderTest:
    """Start the sandbox, identity and a gateway on free ports, with names of their own."""
    token = uuid.uuid4().hex[:12]
    app_id, secret = str(10**14 + secrets.randbelow(10**14)), secrets.token_hex(16)
    ports = {name: free_port() for name in ("gateway", "sandbox", "identity")}
    gateway_url = f"http://127.0.0.1:{ports['gateway']}"
    sandbox = _sandbox(folder, ports["sandbox"], app_id, secret, gateway_url)
    env = _identity_env(infra, token, gateway_url, f"http://127.0.0.1:{ports['sandbox']}")
    env |= {"PORT": str(ports["identity"]), "FACEBOOK_APP_ID": app_id}
    env["FACEBOOK_APP_SECRET"] = secret
    identity_ready = f"http://127.0.0.1:{ports['identity']}/readyz"
    identity = ServiceProcess(
        "identity", ["-m", "jumo_identity"], env, folder / "identity.log", identity_ready
    )
    config = GatewayConfig(
        listen=f"127.0.0.1:{ports['gateway']}",
        upstreams={"identity": f"127.0.0.1:{ports['identity']}"},
    )
    system = SystemUnderTest(
        folder,
        Gateway(folder / "gateway", config, nginx),
        sandbox,
        identity,
        app_id,
        secret,
        env["MONGO_DATABASE"],
    )
    try:
        sandbox.start()
        identity.start()
        system.gateway.start()
    except BaseException:
        system.stop()
        raise
    return system
