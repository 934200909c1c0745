"""A Prometheus of our own (Debian's ``prometheus`` package): own port, config, data and log.

``make observe`` starts one on 127.0.0.1:9090 against the local stack's services, and tests
start one on a free port against a service of their own. Its configuration is rendered here
(``scrape_config``): one job per service, named after it, scraping ``/metrics`` at the address
the stack gives it, and the alert rules of ``deploy/prometheus/rules.yml`` — the same rules and
job names as ``deploy/prometheus/prometheus.yml``, which docker-compose uses with the services'
compose names. It runs in the foreground of its own session, so the pid we record is the
server's; ``stop()`` sends it SIGTERM (Prometheus closes its database) and SIGKILL after a
timeout. Debian's own ``prometheus`` service is disabled on install and never used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
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

PROMETHEUS_ENV = "JUMO_PROMETHEUS"
PROMTOOL_ENV = "JUMO_PROMTOOL"
RULES_REL_PATH = Path("deploy/prometheus/rules.yml")
SCRAPE_INTERVAL_S = 15
# Two days are plenty for a development stack; the data folder stays small.
RETENTION = "2d"


def _program(name: str, env: str) -> Path:
    found = os.environ.get(env) or shutil.which(name)
    path = Path(found or f"/usr/bin/{name}")
    if not path.is_file():
        raise FileNotFoundError(
            f"{name} not found at {path}: install Debian's prometheus package "
            f"(`make install` does), or set {env}"
        )
    return path


def prometheus_binary() -> Path:
    """The prometheus program: $JUMO_PROMETHEUS, else on PATH, else Debian's."""
    return _program("prometheus", PROMETHEUS_ENV)


def promtool_binary() -> Path:
    """promtool (Debian's prometheus package has it): $JUMO_PROMTOOL, else on PATH."""
    return _program("promtool", PROMTOOL_ENV)


def rules_file() -> Path:
    """The alert rules every Prometheus of Jumo loads: ``deploy/prometheus/rules.yml``."""
    return repo_root() / RULES_REL_PATH


def scrape_config(
    targets: Mapping[str, str],
    rule_files: Sequence[Path] = (),
    interval_s: float = SCRAPE_INTERVAL_S,
) -> str:
    """prometheus.yml scraping ``/metrics`` of each job's ``host:port`` (job → address).

    JSON is YAML: the text is ``json.dumps`` of the configuration, so no YAML library is needed
    and nothing in a value can break it.
    """
    interval = f"{interval_s:g}s"
    config: dict[str, Any] = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [
            {
                "job_name": job,
                "metrics_path": "/metrics",
                "static_configs": [{"targets": [address]}],
            }
            for job, address in targets.items()
        ],
    }
    return "# written by jumo_devstack.PrometheusNode\n" + json.dumps(config, indent=2) + "\n"


class PrometheusNode(Node):
    """prometheus on ``port``: ``prometheus.yml``, ``prometheus.log`` and ``prometheus.pid``
    under ``base_dir``, its time-series database in ``base_dir/data``."""

    def __init__(
        self,
        base_dir: Path,
        port: int,
        targets: Mapping[str, str] | None = None,
        *,
        rule_files: Sequence[Path] | None = None,
        interval_s: float = SCRAPE_INTERVAL_S,
        binary: Path | None = None,
    ) -> None:
        super().__init__(base_dir, port)
        self.binary = Path(binary) if binary is not None else prometheus_binary()
        self.targets = dict(targets or {})
        self.rule_files = list(rule_files) if rule_files is not None else [rules_file()]
        self.interval_s = interval_s
        self.data_dir = self.base_dir / "data"
        self.config_file = self.base_dir / "prometheus.yml"
        self.log_file = self.base_dir / "prometheus.log"
        self.pid_file = self.base_dir / "prometheus.pid"

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        """The prometheus OS pid, from our pid file."""
        pid = read_pid(self.pid_file)
        if pid is None:
            raise RuntimeError(f"Prometheus on port {self.port} has no pid file at {self.pid_file}")
        return pid

    def command(self) -> list[str]:
        """The command line: our config, data folder and address; nothing else."""
        return [
            str(self.binary),
            f"--config.file={self.config_file}",
            f"--storage.tsdb.path={self.data_dir}",
            f"--storage.tsdb.retention.time={RETENTION}",
            f"--web.listen-address={self.host}:{self.port}",
            f"--web.external-url={self.url}/",
        ]

    def start(self, timeout: float = 60.0) -> None:
        """Write the config, start prometheus and wait until it says it is ready."""
        if port_answers(self.host, self.port):
            raise RuntimeError(f"port {self.port} is taken: cannot start Prometheus there")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(scrape_config(self.targets, self.rule_files, self.interval_s))
        self._proc = spawn_logged(self.command(), self.log_file, cwd=self.base_dir)
        self.pid_file.write_text(f"{self._proc.pid}\n")
        if not wait_for(self._ready, timeout, interval=0.1):
            self.kill()
            raise TimeoutError(f"Prometheus not up after {timeout}s:\n" + log_tail(self.log_file))

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM by pid (only if it still runs prometheus), SIGKILL after ``timeout``."""
        pid = read_pid(self.pid_file)
        if pid is not None and pid_alive(pid) and self.binary.name in pid_cmdline(pid):
            terminate_pid(pid, timeout=timeout)
        reap(self._proc)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"Prometheus exited with {self._proc.returncode}:\n" + log_tail(self.log_file)
            )
        return prometheus_answers(self.url)

    def query(self, expression: str) -> list[dict[str, Any]]:
        """The result vector of an instant query (``/api/v1/query``)."""
        return prometheus_query(self.url, expression)


def prometheus_answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a Prometheus at ``url`` says it is ready (``/-/ready``)."""
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=timeout) as response:  # noqa: S310
            return response.status == 200 and b"Prometheus" in response.read()
    except (OSError, urllib.error.HTTPError):
        return False


def prometheus_query(url: str, expression: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The result of an instant query at ``url`` (raises on an error answer)."""
    query = urllib.parse.urlencode({"query": expression})
    with urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=timeout) as response:  # noqa: S310
        body = json.loads(response.read())
    if body.get("status") != "success":
        raise RuntimeError(f"Prometheus refused {expression!r}: {body}")
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def promtool(*arguments: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run promtool with ``arguments`` (``check rules <file>``…); its output as text."""
    return subprocess.run(  # noqa: S603 (our own arguments)
        [str(promtool_binary()), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
