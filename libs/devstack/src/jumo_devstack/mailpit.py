"""A Mailpit of our own (``deploy/local/mailpit``): the mail catcher notifier sends email to.

Mailpit takes mail over SMTP (``smtp_port``) and shows it in a web inbox with a JSON API
(``port``: ``/api/v1/messages``, ``/api/v1/search``, ``/api/v1/message/<id>``…). It runs in the
foreground of its own session, so the pid we record is the server's; ``stop()`` sends it SIGTERM
and SIGKILL after a timeout. Both ports listen on 127.0.0.1 only. Its messages are kept in a
SQLite file in ``base_dir/data`` (they outlive a restart; ``max_messages`` caps them, oldest
dropped first). It never asks the internet for a newer release and accepts mail with or without
SMTP credentials (any username and password), so a service configured with ``SMTP_USERNAME``
works against it as against one without. ``chaos=True`` turns on Mailpit's Chaos API
(``PUT /api/v1/chaos``), which makes its SMTP server refuse senders, recipients or
authentication with a chosen code: a relay that bounces, for tests.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from jumo_devstack.node import Node
from jumo_devstack.processes import (
    log_tail,
    pid_alive,
    pid_cmdline,
    port_answers,
    read_pid,
    reap,
    repo_root,
    spawn_logged,
    terminate_pid,
    wait_for,
)

MAILPIT_REL_PATH = Path(".tools/bin/mailpit")
MAILPIT_BIN_ENV = "JUMO_MAILPIT_BIN"
DEFAULT_MAX_MESSAGES = 10_000
# Beside where it listens and writes: no update check (it would ask the internet), no reverse DNS
# of SMTP clients, and any SMTP login or none accepted, also without TLS. docker-compose.yml's
# mailpit service passes the same flags.
MAILPIT_FLAGS: tuple[str, ...] = (
    "--disable-version-check",
    "--smtp-disable-rdns",
    "--smtp-auth-accept-any",
    "--smtp-auth-allow-insecure",
)


def mailpit_binary() -> Path:
    """The Mailpit program: $JUMO_MAILPIT_BIN, else <repo>/.tools/bin/mailpit."""
    env = os.environ.get(MAILPIT_BIN_ENV)
    path = Path(env) if env else repo_root() / MAILPIT_REL_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"Mailpit program not found at {path}: build it with `make tools` "
            f"(or `make up`, which also starts the stack), or set {MAILPIT_BIN_ENV}"
        )
    return path


class MailpitNode(Node):
    """Mailpit with its web inbox and API on ``port`` and SMTP on ``smtp_port``; its pid file,
    log and data under ``base_dir``."""

    def __init__(
        self,
        base_dir: Path,
        port: int,
        smtp_port: int,
        binary: Path | None = None,
        *,
        chaos: bool = False,
        max_messages: int = DEFAULT_MAX_MESSAGES,
    ) -> None:
        super().__init__(base_dir, port)
        self.smtp_port = smtp_port
        self.binary = Path(binary) if binary is not None else mailpit_binary()
        self.chaos = chaos
        self.max_messages = max_messages
        self.data_dir = self.base_dir / "data"
        self.log_file = self.base_dir / "mailpit.log"
        self.pid_file = self.base_dir / "mailpit.pid"

    @property
    def url(self) -> str:
        """The web inbox and API: http://127.0.0.1:<port>"""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        """The Mailpit OS pid, from our pid file."""
        pid = read_pid(self.pid_file)
        if pid is None:
            raise RuntimeError(f"Mailpit on port {self.port} has no pid file at {self.pid_file}")
        return pid

    def command(self) -> list[str]:
        """The command line: our addresses and data file, then ``MAILPIT_FLAGS``."""
        args = [
            str(self.binary),
            "--listen", f"{self.host}:{self.port}",
            "--smtp", f"{self.host}:{self.smtp_port}",
            "--database", str(self.data_dir / "mailpit.db"),
            "--max", str(self.max_messages),
            *MAILPIT_FLAGS,
        ]  # fmt: skip
        return [*args, "--enable-chaos"] if self.chaos else args

    def start(self, timeout: float = 30.0) -> None:
        """Start Mailpit and wait until its API answers and its SMTP port accepts."""
        for port in (self.port, self.smtp_port):
            if port_answers(self.host, port):
                raise RuntimeError(f"port {port} is taken: cannot start Mailpit there")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._proc = spawn_logged(self.command(), self.log_file, cwd=self.base_dir)
        self.pid_file.write_text(f"{self._proc.pid}\n")
        if not wait_for(self._ready, timeout, interval=0.05):
            self.kill()
            raise TimeoutError(f"Mailpit not up after {timeout}s:\n" + log_tail(self.log_file))

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM by pid (only if it still runs Mailpit), SIGKILL after ``timeout``."""
        pid = read_pid(self.pid_file)
        if pid is not None and pid_alive(pid) and self.binary.name in pid_cmdline(pid):
            terminate_pid(pid, timeout=timeout)
        reap(self._proc)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)

    def messages(self, query: str | None = None) -> list[dict[str, Any]]:
        """The messages it holds, newest first (``query``: Mailpit's search, e.g. ``to:a@b``)."""
        return mailpit_messages(self.url, query)

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"Mailpit exited with {self._proc.returncode}:\n" + log_tail(self.log_file)
            )
        return mailpit_answers(self.url) and port_answers(self.host, self.smtp_port)


def _get_json(url: str, timeout: float) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our own URL)
        return json.loads(response.read())


def mailpit_answers(url: str, timeout: float = 1.0) -> bool:
    """Whether a Mailpit answers at ``url`` (its ``/api/v1/info`` names a version)."""
    try:
        info = _get_json(f"{url.rstrip('/')}/api/v1/info", timeout)
    except (OSError, ValueError, urllib.error.HTTPError):
        return False
    return isinstance(info, dict) and "Version" in info and "Messages" in info


def mailpit_messages(url: str, query: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Message summaries from Mailpit's API at ``url``, newest first; ``query`` searches."""
    base = url.rstrip("/")
    params = {"limit": str(limit)} | ({"query": query} if query else {})
    path = "/api/v1/search" if query else "/api/v1/messages"
    body = _get_json(f"{base}{path}?{urllib.parse.urlencode(params)}", timeout=5.0)
    messages: list[dict[str, Any]] = body["messages"]
    return messages
