"""The kinds of component the local stack runs (``stack.py`` lists them and runs the commands).

A component knows its URL variable and default URL, whether a server of its own kind answers
there (``answers``), whether anything at all holds the port (``port_taken``), and how to start and
stop its own copy. ``stack.py up`` adopts a server that answers as the component's kind, starts
one when the port is free, and stops with "<name>: port <n> is taken by something else"
otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jumo_devstack import (
    RABBIT_HOME,
    Backend,
    FerretNode,
    MailpitNode,
    PostgresCluster,
    PrometheusNode,
    RabbitNode,
    RedisNode,
    backend_setting,
    blocker,
    ferretdb_binary,
    mailpit_answers,
    mailpit_binary,
    mongo_ping,
    pg_ready,
    pid_alive,
    pid_cmdline,
    postgres_owner,
    prometheus_answers,
    rabbit_owner,
    read_pid,
    redis_answers,
    rules_file,
    spawn_logged,
    terminate_pid,
    wait_for,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
POSTGRES_HOME = Path("/var/lib/postgresql")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

State = dict[str, Any]


def run_dir() -> Path:
    """The run folder: data, logs, pid files and the record of what we started."""
    return Path(os.environ.get("JUMO_RUN_DIR") or HERE / "run").resolve()


def url_port(url: str, default: int) -> int:
    """The port of a URL, or ``default`` when it names none."""
    return urlsplit(url).port or default


def url_host(url: str) -> str:
    """The host of a URL (127.0.0.1 when it names none)."""
    return urlsplit(url).hostname or "127.0.0.1"


def tcp_open(host: str, port: int) -> bool:
    """Whether anything accepts TCP connections at host:port."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def amqp_answers(url: str) -> bool:
    """Whether an AMQP 0-9-1 broker answers at url (it replies to the protocol header)."""
    try:
        with socket.create_connection((url_host(url), url_port(url, 5672)), timeout=2) as sock:
            sock.settimeout(3)
            sock.sendall(b"AMQP\x00\x00\x09\x01")
            # A broker answers with a method frame (type 1) carrying connection.start.
            return sock.recv(1) == b"\x01"
    except OSError:
        return False


def http_json(url: str) -> Any:
    """The JSON body at url (None when it does not answer 2xx with JSON)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
            return json.loads(response.read())
    except (OSError, ValueError, urllib.error.HTTPError):
        return None


def reachable_folder(wanted: Path, user: str, home: Path) -> Path:
    """``wanted``, or when ``user`` cannot reach it, a folder of ``home`` linked from it.

    Debian's rabbitmq-server and postgres run as their own users. When the checkout sits below
    a folder such a user may not enter (a clone under /root, say), the server's files go to a
    folder of its home named after the run folder, linked from the run folder.
    """
    owner = rabbit_owner() if user == "rabbitmq" else postgres_owner()
    if wanted.is_symlink() or blocker(wanted.parent, owner) is None:
        return wanted
    digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:12]
    elsewhere = home / "jumo-stacks" / digest
    elsewhere.mkdir(parents=True, exist_ok=True)
    wanted.parent.mkdir(parents=True, exist_ok=True)
    wanted.symlink_to(elsewhere, target_is_directory=True)
    return wanted


@dataclass
class Component:
    """One piece of the stack: where it should answer, how to start and stop our own copy."""

    name: str
    url_var: str
    default_url: str

    @property
    def url(self) -> str:
        """The configured URL: the environment's, else the default."""
        return os.environ.get(self.url_var) or self.default_url

    @property
    def port(self) -> int:
        """The port of the configured URL."""
        return url_port(self.url, 80)

    def folder(self) -> Path:
        """This component's own folder in the run folder."""
        return run_dir() / self.name

    def answers(self) -> bool:
        """Whether a server of this component's kind serves at the configured URL."""
        raise NotImplementedError

    def port_taken(self) -> bool:
        """Whether anything at all listens on the configured port."""
        return tcp_open(url_host(self.url), self.port)

    def taken_port(self) -> int | None:
        """A port of ours that something already listens on, if any."""
        return self.port if self.port_taken() else None

    def start(self, env: Mapping[str, str]) -> State:
        """Start our own copy; return what ``stop`` needs (pids...)."""
        raise NotImplementedError

    def stop(self, state: State) -> None:
        """Stop the copy ``start`` started."""
        raise NotImplementedError

    def tidy(self) -> None:
        """After ``down``: stop helpers a previous ``down`` had to leave running."""

    def prepare(self, env: Mapping[str, str]) -> None:
        """Before bringing it up, given the env lines of the components before it."""

    def stale(self, state: State) -> bool:
        """Whether the copy we started runs with settings other than the ones wanted now."""
        return False

    def alive(self, state: State) -> bool:
        """Whether the copy we started still runs."""
        pid = state.get("pid")
        return isinstance(pid, int) and pid_alive(pid)

    def env_lines(self) -> dict[str, str]:
        """The KEY=value lines this component adds to stack.env."""
        return {self.url_var: self.url}

    def logs(self) -> list[Path]:
        """Its log files (for ``make logs``); the run folder's entry may link elsewhere."""
        return sorted((run_dir() / self.name).glob("**/*.log"))

    def check_local(self) -> None:
        """Refuse to start a server for an address that is not on this machine."""
        if url_host(self.url) not in LOCAL_HOSTS:
            raise SystemExit(
                f"{self.name}: nothing answers at {self.url} and it is not a local address, "
                "so the stack cannot start it there"
            )


# Tests delete their own queues; these are the ones a killed test run left behind. A queue
# counts as unused while nothing consumes it, so a running test's queues never expire.
TEST_QUEUES = r"^(test|bench|dbg)\."
TEST_QUEUE_EXPIRY_MS = 300_000


def expire_test_queues(node: RabbitNode) -> None:
    """A policy on our own node: test queues unused for 5 minutes are deleted by the broker."""
    policy = json.dumps({"expires": TEST_QUEUE_EXPIRY_MS})
    result = node.ctl("set_policy", "--apply-to", "queues", "--priority", "100",
                      "jumo-test-expiry", TEST_QUEUES, policy)  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"rabbitmq: setting the test-queue expiry failed: {result.stderr}")


@dataclass
class RabbitComponent(Component):
    """RabbitMQ: a node of our own (RabbitNode) on the configured port."""

    @property
    def port(self) -> int:
        """The AMQP port."""
        return url_port(self.url, 5672)

    def folder(self) -> Path:
        """The node's folder: in the run folder when the rabbitmq user can reach it."""
        return reachable_folder(super().folder(), "rabbitmq", RABBIT_HOME)

    def node(self) -> RabbitNode:
        """The node object for our copy (its state lives in the run folder)."""
        return RabbitNode(self.folder(), self.port)

    def answers(self) -> bool:
        """Whether an AMQP broker answers at the configured URL."""
        return amqp_answers(self.url)

    def start(self, env: Mapping[str, str]) -> State:
        """Start our node and wait for ``await_startup``; test queues expire when left behind."""
        node = self.node()
        node.start(timeout=120)
        expire_test_queues(node)
        return {
            "pid": node.pid,
            "node": node.node_name,
            "port": node.port,
            "wrapper_pid": node.launcher_pid,
            "epmd_pid": read_pid(node.epmd_pid_file),
        }

    def stop(self, state: State) -> None:
        """``rabbitmqctl stop`` (then signals), then our epmd if nobody else uses it."""
        node = RabbitNode(self.folder(), int(state["port"]), state["node"])  # same folder
        node.stop(timeout=60)
        wrapper = state.get("wrapper_pid")
        if isinstance(wrapper, int) and "rabbitmq-server" in pid_cmdline(wrapper):
            terminate_pid(wrapper, timeout=10)
        if node.epmd_pid_file.exists():
            print(f"  {self.name}: left our epmd running, other Erlang nodes still use it")

    def tidy(self) -> None:
        """Stop the epmd we started once no Erlang node uses it any more."""
        folder = super().folder()
        if (folder / "epmd.pid").exists():
            RabbitNode(folder, self.port).stop_own_epmd()


@dataclass
class PostgresComponent(Component):
    """PostgreSQL for FerretDB: a cluster of our own (PostgresCluster) on the configured port."""

    @property
    def port(self) -> int:
        """The PostgreSQL port."""
        return url_port(self.url, 5432)

    def folder(self) -> Path:
        """The cluster's folder: in the run folder when the postgres user can reach it."""
        return reachable_folder(super().folder(), "postgres", POSTGRES_HOME)

    def cluster(self) -> PostgresCluster:
        """The cluster object for our copy; the URL's path names FerretDB's database."""
        database = urlsplit(self.url).path.strip("/") or "ferretdb"
        return PostgresCluster(self.folder(), self.port, database=database)

    def answers(self) -> bool:
        """Whether PostgreSQL accepts connections at the configured URL."""
        return pg_ready(url_host(self.url), self.port)

    def start(self, env: Mapping[str, str]) -> State:
        """initdb on first use, start the postmaster, create FerretDB's database."""
        cluster = self.cluster()
        cluster.start(timeout=120)
        return {"pid": cluster.pid, "port": cluster.port}

    def stop(self, state: State) -> None:
        """Fast shutdown by pid, SIGKILL of its process group after a timeout."""
        self.cluster().stop(timeout=60)


@dataclass
class FerretComponent(Component):
    """MongoDB's wire protocol: FerretDB of our own, on PostgreSQL (default) or SQLite."""

    @property
    def port(self) -> int:
        """The MongoDB port."""
        return url_port(self.url, 27017)

    def answers(self) -> bool:
        """Whether a MongoDB server answers ``ping`` at the configured URL."""
        return mongo_ping(self.url, timeout=2)

    def start(self, env: Mapping[str, str]) -> State:
        """Start FerretDB on the configured backend and wait for a ping."""
        backend = backend_setting()
        postgres_url = env.get("POSTGRES_URL") if backend == "postgresql" else None
        if backend == "postgresql" and not postgres_url:
            raise SystemExit(f"{self.name}: no POSTGRES_URL for the postgresql backend")
        node = FerretNode(self.folder(), self.port, ferretdb_binary(), backend, postgres_url)
        node.start()
        return {
            "pid": node.pid,
            "port": node.port,
            "binary": str(node.binary),
            "backend": backend,
            "postgres_url": postgres_url,
        }

    def stop(self, state: State) -> None:
        """SIGTERM, SIGKILL after a timeout (the cluster is the postgres component's to stop)."""
        backend: Backend = "postgresql" if state.get("postgres_url") else "sqlite"
        binary = Path(state["binary"])
        port = int(state["port"])
        FerretNode(self.folder(), port, binary, backend, state.get("postgres_url")).stop()

    def env_lines(self) -> dict[str, str]:
        """MONGO_URL, the backend, and the FerretDB program (tests start private copies)."""
        lines = super().env_lines()
        lines["JUMO_FERRETDB_BACKEND"] = backend_setting()
        with contextlib.suppress(FileNotFoundError):
            lines["JUMO_FERRETDB_BIN"] = str(ferretdb_binary())
        return lines


@dataclass
class RedisComponent(Component):
    """Redis for feed's timelines: a server of our own (RedisNode) on the configured port."""

    @property
    def port(self) -> int:
        """The Redis port."""
        return url_port(self.url, 6379)

    def answers(self) -> bool:
        """Whether a Redis answers at the configured URL (PONG, or NOAUTH with a password)."""
        return redis_answers(url_host(self.url), self.port)

    def start(self, env: Mapping[str, str]) -> State:
        """Write its config, start redis-server in the foreground, wait for PING."""
        node = RedisNode(self.folder(), self.port)
        node.start()
        return {"pid": node.pid, "port": node.port, "cmdline": pid_cmdline(node.pid)}

    def alive(self, state: State) -> bool:
        """Whether our pid still runs redis-server (a pid can be reused after a reboot)."""
        return super().alive(state) and pid_cmdline(int(state["pid"])) == state.get("cmdline")

    def stop(self, state: State) -> None:
        """SIGTERM by pid, SIGKILL after a timeout (nothing to save: the timelines are a cache)."""
        RedisNode(self.folder(), int(state["port"])).stop(timeout=20)


@dataclass
class MailpitComponent(Component):
    """Mailpit, the mail catcher: a node of our own (MailpitNode), its web inbox and API at the
    configured URL, its SMTP server at ``smtp_url_var``'s URL (``smtp://host:port``)."""

    smtp_url_var: str = "MAILPIT_SMTP_URL"
    default_smtp_url: str = "smtp://127.0.0.1:1025"

    @property
    def port(self) -> int:
        """The web inbox's and API's port."""
        return url_port(self.url, 8025)

    @property
    def smtp_url(self) -> str:
        """The configured SMTP URL: the environment's, else the default."""
        return os.environ.get(self.smtp_url_var) or self.default_smtp_url

    @property
    def smtp_port(self) -> int:
        """The SMTP port."""
        return url_port(self.smtp_url, 1025)

    def answers(self) -> bool:
        """Whether a Mailpit answers at the configured URL."""
        return mailpit_answers(self.url)

    def taken_port(self) -> int | None:
        """Its web port or its SMTP port, if something already listens there."""
        if self.port_taken():
            return self.port
        return self.smtp_port if tcp_open(url_host(self.smtp_url), self.smtp_port) else None

    def start(self, env: Mapping[str, str]) -> State:
        """Start Mailpit (its Chaos API on: tests make the relay refuse mail) and wait for it."""
        node = MailpitNode(self.folder(), self.port, self.smtp_port, mailpit_binary(), chaos=True)
        node.start()
        return {
            "pid": node.pid,
            "port": node.port,
            "smtp_port": node.smtp_port,
            "binary": str(node.binary),
            "cmdline": pid_cmdline(node.pid),
        }

    def alive(self, state: State) -> bool:
        """Whether our pid still runs Mailpit (a pid can be reused after a reboot)."""
        return super().alive(state) and pid_cmdline(int(state["pid"])) == state.get("cmdline")

    def stop(self, state: State) -> None:
        """SIGTERM by pid, SIGKILL after a timeout."""
        binary = Path(state["binary"])
        MailpitNode(self.folder(), int(state["port"]), int(state["smtp_port"]), binary).stop()

    def env_lines(self) -> dict[str, str]:
        """MAILPIT_URL, MAILPIT_SMTP_URL, and SMTP_HOST/SMTP_PORT as notifier reads them."""
        return {
            self.url_var: self.url,
            self.smtp_url_var: self.smtp_url,
            "SMTP_HOST": url_host(self.smtp_url),
            "SMTP_PORT": str(self.smtp_port),
        }


@dataclass
class ProcessComponent(Component):
    """Any long-running program: started in its own session, logged, tracked by a pid file.

    ``command`` and ``extra_env`` may use ``{port}`` and ``{run}`` (its folder); the child gets
    the environment plus every env line of the components before it. It is of our kind (so
    adopted, and ready once started) when ``ready_url`` answers 2xx JSON holding every item of
    ``expect`` ("*" for any value).

    ``provision``, when given, runs before each bring-up with the env lines of the components
    before it; what it returns is added, as is, to the child's environment and to the env lines
    (notifier's Jumo Page, made in the Facebook sandbox that is up by then). A copy we started
    whose command or environment differs from what is wanted now (``stale``) is restarted.
    """

    ready_url: str = "{url}/healthz"
    expect: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    contributes: dict[str, str] = field(default_factory=dict)
    start_timeout: float = 60.0
    provision: Callable[[Mapping[str, str]], dict[str, str]] | None = None
    provisioned: dict[str, str] = field(default_factory=dict)

    def _fill(self, text: str) -> str:
        return text.format(
            port=self.port, url=self.url, run=self.folder(), repo=REPO, python=sys.executable
        )

    def answers(self) -> bool:
        """Whether its ready URL answers JSON holding every expected item."""
        body = http_json(self._fill(self.ready_url))
        if not isinstance(body, dict):
            return False
        return all(key in body and value in ("*", body[key]) for key, value in self.expect.items())

    def prepare(self, env: Mapping[str, str]) -> None:
        """Run ``provision`` (when there is one) and keep what it gives."""
        if self.provision is not None:
            self.provisioned = dict(self.provision(env))

    def own_env(self) -> dict[str, str]:
        """What it adds to the child's environment: ``extra_env`` filled, then ``provisioned``."""
        return {key: self._fill(value) for key, value in self.extra_env.items()} | self.provisioned

    def settings_digest(self) -> str:
        """A digest of its command and own environment (recorded, never the values)."""
        wanted = {"command": [self._fill(arg) for arg in self.command], "env": self.own_env()}
        return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()

    def stale(self, state: State) -> bool:
        """Whether our copy was started with another command or environment than wanted now."""
        return state.get("settings") != self.settings_digest()

    def start(self, env: Mapping[str, str]) -> State:
        """Start the program, write its pid file, wait until it answers."""
        folder = self.folder()
        folder.mkdir(parents=True, exist_ok=True)
        child_env = {**os.environ, **env, **self.own_env()}
        log = folder / f"{self.name}.log"
        proc = spawn_logged([self._fill(arg) for arg in self.command], log, child_env, cwd=REPO)
        (folder / f"{self.name}.pid").write_text(f"{proc.pid}\n")
        if not wait_for(lambda: proc.poll() is not None or self.answers(), self.start_timeout):
            terminate_pid(proc.pid, timeout=10)
            raise SystemExit(f"{self.name} did not answer within {self.start_timeout}s; see {log}")
        if proc.poll() is not None:
            raise SystemExit(f"{self.name} exited with {proc.returncode}; see {log}")
        return {
            "pid": proc.pid,
            "cmdline": pid_cmdline(proc.pid),
            "settings": self.settings_digest(),
        }

    def alive(self, state: State) -> bool:
        """Whether our pid still runs our command (a pid can be reused after a reboot)."""
        return super().alive(state) and pid_cmdline(int(state["pid"])) == state.get("cmdline")

    def stop(self, state: State) -> None:
        """SIGTERM by pid (only if the pid still runs our command), SIGKILL after a timeout."""
        pid = int(state["pid"])
        if pid_alive(pid) and pid_cmdline(pid) == state.get("cmdline"):
            terminate_pid(pid, timeout=20)
        (self.folder() / f"{self.name}.pid").unlink(missing_ok=True)

    def env_lines(self) -> dict[str, str]:
        """Its URL plus whatever it contributes and was provisioned with."""
        lines = super().env_lines()
        lines.update({key: self._fill(value) for key, value in self.contributes.items()})
        return lines | self.provisioned


@dataclass
class PrometheusComponent(Component):
    """Prometheus for ``make observe``: a server of our own (PrometheusNode) scraping each
    service of ``targets`` (job → ``host:port``), with deploy/prometheus/rules.yml."""

    targets: dict[str, str] = field(default_factory=dict)

    @property
    def port(self) -> int:
        """Its web and API port."""
        return url_port(self.url, 9090)

    def answers(self) -> bool:
        """Whether a Prometheus says it is ready at the configured URL."""
        return prometheus_answers(self.url.rstrip("/"))

    def wanted(self) -> dict[str, Any]:
        """What our copy must run with: restarted when a service moved (``stale``)."""
        return {"targets": self.targets, "rules": str(rules_file())}

    def start(self, env: Mapping[str, str]) -> State:
        """Write its config (the stack's ports), start prometheus, wait until it is ready."""
        node = PrometheusNode(self.folder(), self.port, self.targets)
        node.start()
        return {"pid": node.pid, "port": node.port, "cmdline": pid_cmdline(node.pid),
                "binary": str(node.binary), **self.wanted()}  # fmt: skip

    def stale(self, state: State) -> bool:
        """Whether our copy scrapes other addresses than the stack's now."""
        return {key: state.get(key) for key in self.wanted()} != self.wanted()

    def alive(self, state: State) -> bool:
        """Whether our pid still runs prometheus (a pid can be reused after a reboot)."""
        return super().alive(state) and pid_cmdline(int(state["pid"])) == state.get("cmdline")

    def stop(self, state: State) -> None:
        """SIGTERM by pid, SIGKILL after a timeout (its data folder stays for the next run)."""
        binary = Path(state["binary"])
        PrometheusNode(self.folder(), int(state["port"]), binary=binary).stop(timeout=30)


def python_module(
    name: str,
    module: str,
    url_var: str,
    default_url: str,
    extra_env: dict[str, str] | None = None,
    contributes: dict[str, str] | None = None,
    provision: Callable[[Mapping[str, str]], dict[str, str]] | None = None,
) -> ProcessComponent:
    """A service of ours: ``python -m <module>``, whose ``/healthz`` names it."""
    return ProcessComponent(
        name=name,
        url_var=url_var,
        default_url=default_url,
        expect={"status": "ok", "service": name},
        command=["{python}", "-m", module],
        extra_env=extra_env or {},
        contributes=contributes or {},
        provision=provision,
    )
