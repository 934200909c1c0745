"""Jumo's nginx gateway as a local process: render its config, start it, stop it by pid.

The one place that knows how to run the gateway outside Docker. The local stack
(deploy/local/stack.py), the end-to-end tests (tests/e2e) and people use it:

    python deploy/gateway/jumo_gateway.py start --run-dir deploy/local/run/gateway
    python deploy/gateway/jumo_gateway.py stop --run-dir deploy/local/run/gateway
    python deploy/gateway/jumo_gateway.py run --run-dir …   # nginx in the foreground (exec)

Settings come from arguments or, on the command line, from the environment (GATEWAY_LISTEN or
GATEWAY_URL, IDENTITY_UPSTREAM or IDENTITY_URL, ORGS_UPSTREAM or ORGS_URL, FEED_UPSTREAM or
FEED_URL, NOTIFIER_UPSTREAM or NOTIFIER_URL, GATEWAY_AUTH_RATE, GATEWAY_AUTH_BURST,
GATEWAY_WRITE_RATE, GATEWAY_WRITE_BURST, GATEWAY_UPSTREAM_TIMEOUT, GATEWAY_STREAM_RATE,
GATEWAY_STREAM_BURST, GATEWAY_STREAM_CONNECTIONS, GATEWAY_DOCS_ROOT, GATEWAY_WEB_ROOT; see
templates/gateway.conf.template). nginx
runs as our own process (never the system service), with its pid file, logs and temp folders in
the run folder.
Standard library only, so the stack can use it before any virtualenv exists.
"""

# ruff: noqa: S603, RUF100  (commands are our own nginx; RUF100: tests/e2e links this file)
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_RUN_DIR = Path(__file__).resolve().parents[1] / "local" / "run" / "gateway"
# The documentation site served at /docs, built by deploy/docs/build.mjs (install.sh runs it).
DEFAULT_DOCS_ROOT = Path(__file__).resolve().parents[1] / "docs" / "dist"
# The web client served at /, built by Vite in web/ (install.sh runs it).
DEFAULT_WEB_ROOT = Path(__file__).resolve().parents[2] / "web" / "dist"
NGINX_HINT = (
    "nginx is needed for the gateway: install Debian's package (`apt-get install nginx-light`) "
    "or set NGINX=/path/to/nginx"
)
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class GatewayError(RuntimeError):
    """The gateway could not be configured, started or stopped; the message says why."""


def find_nginx() -> str:
    """The nginx binary: $NGINX, else on PATH, else Debian's /usr/sbin/nginx."""
    candidate = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(candidate, os.X_OK):
        raise GatewayError(f"no nginx at {candidate}: {NGINX_HINT}")
    return candidate


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``${NAME}`` placeholders as the nginx image's envsubst does; fail if one is unfilled."""
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    # Commented-out blocks (services not there yet) may keep their placeholders.
    live = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    missing = sorted({name for line in live for name in _PLACEHOLDER.findall(line)})
    if missing:
        raise GatewayError(f"no value for {', '.join(missing)}")
    return text


def _address(env: Mapping[str, str], name: str, url_name: str, default: str) -> str:
    """``host:port`` from ``name``, else from the URL in ``url_name``, else ``default``."""
    if env.get(name):
        return env[name]
    url = urlsplit(env.get(url_name) or "")
    if url.hostname and url.port:
        return f"{url.hostname}:{url.port}"
    return default


def _default_upstreams() -> Mapping[str, str]:
    return MappingProxyType(
        {
            "identity": "127.0.0.1:8001",
            "orgs": "127.0.0.1:8002",
            "feed": "127.0.0.1:8003",
            "notifier": "127.0.0.1:8004",
        }
    )


@dataclass(frozen=True)
class GatewayConfig:
    """What the gateway listens on, where each service is, and its limits."""

    listen: str = "127.0.0.1:8080"
    upstreams: Mapping[str, str] = field(default_factory=_default_upstreams)
    auth_rate: str = "10r/s"
    auth_burst: int = 20
    write_rate: str = "5r/s"
    write_burst: int = 20
    upstream_timeout_s: int = 30
    # Opening /notifications/stream, per client address: rate, burst, and how many at once.
    stream_rate: str = "2r/s"
    stream_burst: int = 20
    stream_connections: int = 50
    workers: int = 1
    # The built documentation site (/docs); when it is not built, /docs answers 404 problems.
    docs_root: Path = DEFAULT_DOCS_ROOT
    # The built web client (/); when it is not built, a browser's / answers a 404 problem.
    web_root: Path = DEFAULT_WEB_ROOT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GatewayConfig:
        """The config the environment asks for; defaults for what it leaves out.

        Each address may also come from the URL the local stack writes to stack.env:
        ``GATEWAY_URL`` for the listen address, ``<SERVICE>_URL`` for a service.
        """
        default = cls()
        upstreams = {
            name: _address(env, f"{name.upper()}_UPSTREAM", f"{name.upper()}_URL", address)
            for name, address in default.upstreams.items()
        }
        return cls(
            listen=_address(env, "GATEWAY_LISTEN", "GATEWAY_URL", default.listen),
            upstreams=MappingProxyType(upstreams),
            auth_rate=env.get("GATEWAY_AUTH_RATE", default.auth_rate),
            auth_burst=int(env.get("GATEWAY_AUTH_BURST", default.auth_burst)),
            write_rate=env.get("GATEWAY_WRITE_RATE", default.write_rate),
            write_burst=int(env.get("GATEWAY_WRITE_BURST", default.write_burst)),
            upstream_timeout_s=int(env.get("GATEWAY_UPSTREAM_TIMEOUT", default.upstream_timeout_s)),
            stream_rate=env.get("GATEWAY_STREAM_RATE", default.stream_rate),
            stream_burst=int(env.get("GATEWAY_STREAM_BURST", default.stream_burst)),
            stream_connections=int(
                env.get("GATEWAY_STREAM_CONNECTIONS", default.stream_connections)
            ),
            docs_root=Path(env.get("GATEWAY_DOCS_ROOT") or default.docs_root),
            web_root=Path(env.get("GATEWAY_WEB_ROOT") or default.web_root),
        )

    def values(self, run_dir: Path) -> dict[str, str]:
        """Placeholder values for both templates, with logs and temp files under ``run_dir``."""
        values = {
            "GATEWAY_LISTEN": self.listen,
            "GATEWAY_ACCESS_LOG": str(run_dir / "access.log"),
            "GATEWAY_ERROR_LOG": str(run_dir / "error.log"),
            "GATEWAY_AUTH_RATE": self.auth_rate,
            "GATEWAY_AUTH_BURST": str(self.auth_burst),
            "GATEWAY_WRITE_RATE": self.write_rate,
            "GATEWAY_WRITE_BURST": str(self.write_burst),
            "GATEWAY_UPSTREAM_TIMEOUT": f"{self.upstream_timeout_s}s",
            "GATEWAY_STREAM_RATE": self.stream_rate,
            "GATEWAY_STREAM_BURST": str(self.stream_burst),
            "GATEWAY_STREAM_CONNECTIONS": str(self.stream_connections),
            "GATEWAY_RUN_DIR": str(run_dir),
            "GATEWAY_WORKERS": str(self.workers),
            "GATEWAY_DOCS_ROOT": str(self.docs_root.resolve()),
            "GATEWAY_WEB_ROOT": str(self.web_root.resolve()),
        }
        # A service the config does not name keeps its default address: nginx starts without
        # it and answers its paths 502 until it runs.
        upstreams = {**_default_upstreams(), **self.upstreams}
        values.update({f"{n.upper()}_UPSTREAM": a for n, a in upstreams.items()})
        return values

    @property
    def address(self) -> tuple[str, int]:
        """Where a client on this machine connects."""
        host, _, port = self.listen.rpartition(":")
        if host in ("", "*", "0.0.0.0", "[::]"):  # noqa: S104  (a listen address, not a bind)
            host = "127.0.0.1"
        return host.strip("[]"), int(port)

    @property
    def url(self) -> str:
        """The gateway's base URL, e.g. ``http://127.0.0.1:8080``."""
        host, port = self.address
        return f"http://{host}:{port}"


def _answers(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=0.5):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


class Gateway:
    """One nginx master process of ours; everything it writes lives under ``run_dir``."""

    def __init__(
        self, run_dir: Path, config: GatewayConfig | None = None, nginx: str | None = None
    ) -> None:
        self.run_dir = run_dir.resolve()
        self.config = config or GatewayConfig()
        self._nginx = nginx
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def conf_path(self) -> Path:
        """nginx's main config file."""
        return self.run_dir / "nginx.conf"

    @property
    def pid_file(self) -> Path:
        """Where nginx writes its master's pid."""
        return self.run_dir / "nginx.pid"

    @property
    def error_log(self) -> Path:
        """nginx's error log."""
        return self.run_dir / "error.log"

    @property
    def access_log(self) -> Path:
        """The JSON access log, one object per request."""
        return self.run_dir / "access.log"

    @property
    def url(self) -> str:
        """The gateway's base URL."""
        return self.config.url

    def write_config(self) -> Path:
        """Render nginx.conf and gateway.conf into the run folder and check them with nginx -t."""
        for name in _TEMP_DIRS:
            (self.run_dir / "tmp" / name).mkdir(parents=True, exist_ok=True)
        values = self.config.values(self.run_dir)
        for template, target in (
            ("gateway.conf.template", "gateway.conf"),
            ("nginx.local.conf.template", "nginx.conf"),
        ):
            text = render((TEMPLATES / template).read_text(), values)
            (self.run_dir / target).write_text(text)
        self._run_nginx("-t", "-q")
        return self.conf_path

    def _command(self, *extra: str) -> list[str]:
        nginx = self._nginx or find_nginx()
        files = ["-c", str(self.conf_path), "-e", str(self.error_log)]
        return [nginx, "-p", f"{self.run_dir}/", *files, *extra]

    def _run_nginx(self, *args: str) -> None:
        done = subprocess.run(self._command(*args), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise GatewayError(f"nginx {' '.join(args)} failed: {done.stderr.strip()}")

    def pid(self) -> int | None:
        """The pid of our running nginx master, or None (a stale pid file is ignored)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if self._is_ours(pid) else None

    def _is_ours(self, pid: int) -> bool:
        # A recycled pid belongs to someone else: only an nginx running our config counts.
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is None
        try:
            # nginx rewrites its title ("nginx: master process … -c <conf> …"): match the bytes.
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return b"nginx" in cmdline and str(self.conf_path).encode() in cmdline

    def start(self, timeout: float = 10.0) -> None:
        """Start nginx in the background and return once it accepts connections."""
        running = self.pid()
        if running is not None:
            raise GatewayError(f"the gateway in {self.run_dir} already runs as pid {running}")
        self.write_config()
        with (self.run_dir / "nginx.out").open("ab") as out:
            # Its own session, so it outlives the command that started it (make up).
            self._process = subprocess.Popen(
                self._command("-g", "daemon off;"),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not (self.pid() is not None and _answers(self.config.address)):
            process = self._process
            if process is not None and process.poll() is not None:
                raise GatewayError(
                    f"nginx exited with {process.returncode}:\n{_tail(self.error_log)}"
                )
            if time.monotonic() > deadline:
                raise GatewayError(f"nginx not listening on {self.config.listen} after {timeout}s")
            time.sleep(0.02)

    def exec_foreground(self) -> None:
        """Become nginx in the foreground (for a supervisor that tracks our pid); never returns."""
        self.write_config()
        command = self._command("-g", "daemon off;")
        os.execv(command[0], command)  # noqa: S606  (our own nginx, our own config)

    def reload(self) -> None:
        """Apply a changed config without dropping connections (SIGHUP)."""
        pid = self.pid()
        if pid is None:
            raise GatewayError(f"no gateway running in {self.run_dir}")
        self.write_config()
        os.kill(pid, signal.SIGHUP)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop our nginx (graceful, then forced) and wait until it is gone."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGQUIT)  # graceful: finish the requests in flight
        if not self._wait_gone(pid, timeout):
            os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, timeout)

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        if self._process is not None and self._process.pid == pid:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout
        while self._is_ours(pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


def _render(gateway: Gateway) -> int:
    print(gateway.write_config())
    return 0


def _run(gateway: Gateway) -> int:
    gateway.exec_foreground()
    return 0  # not reached: the process is nginx now


def _start(gateway: Gateway) -> int:
    gateway.start()
    print(f"gateway on {gateway.url} (pid {gateway.pid()}, logs in {gateway.run_dir})")
    return 0


def _stop(gateway: Gateway) -> int:
    gateway.stop()
    return 0


def _status(gateway: Gateway) -> int:
    pid = gateway.pid()
    print(f"running, pid {pid}, {gateway.url}" if pid else "not running")
    return 0 if pid else 3  # like LSB status: 3 = not running


ACTIONS: dict[str, Callable[[Gateway], int]] = {
    "render": _render,
    "run": _run,
    "start": _start,
    "stop": _stop,
    "status": _status,
}


def main(argv: list[str] | None = None) -> int:
    """Command line: render, run, start, stop or status of the gateway in a run folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("action", choices=sorted(ACTIONS))
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR)
    args = parser.parse_args(argv)
    gateway = Gateway(args.run_dir, GatewayConfig.from_env(os.environ))
    try:
        return ACTIONS[args.action](gateway)
    except GatewayError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
