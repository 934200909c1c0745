"""A RabbitMQ node of our own (Debian's rabbitmq-server): own node name, ports, data and logs.

epmd: every Erlang node on the machine registers with one epmd on port 4369. When one already
answers (the machine's broker, another test node) we use it and never stop it. When none does,
we start one ourselves in the foreground (so we know its pid), and stop it again by that pid in
``stop()`` — but only when no other node is registered with it any more.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

from jumo_devstack.node import Node
from jumo_devstack.processes import (
    Owner,
    blocker,
    check_reachable,
    chown_tree,
    free_port,
    log_tail,
    pid_alive,
    pid_cmdline,
    port_answers,
    read_pid,
    reap,
    run_as,
    service_owner,
    spawn_logged,
    terminate_pid,
    wait_for,
)

RABBIT_SCRIPTS = Path("/usr/lib/rabbitmq/bin")
RABBIT_HOME = Path("/var/lib/rabbitmq")  # the node and the CLI must share this Erlang cookie
RABBIT_USER = "rabbitmq"


class RabbitNode(Node):
    """A RabbitMQ node of our own: own node name, ports, data, logs; management plugin off."""

    def __init__(self, base_dir: Path, port: int, node_name: str | None = None) -> None:
        super().__init__(base_dir, port)
        self.node_name = node_name or f"jumo-{port}@localhost"
        self.dist_port = _dist_port(port)
        self.mnesia_dir = self.base_dir / "mnesia"
        self.log_dir = self.base_dir / "log"
        self.pid_file = self.base_dir / "rabbit.pid"
        self.epmd_pid_file = self.base_dir / "epmd.pid"
        self.console_log = self.log_dir / "console.log"

    @property
    def url(self) -> str:
        """amqp://guest:guest@127.0.0.1:<port>/ (guest may log in from loopback)."""
        return f"amqp://guest:guest@{self.host}:{self.port}/"

    @property
    def pid(self) -> int:
        """The beam.smp OS pid, from the node's pid file."""
        pid = read_pid(self.pid_file)
        if pid is None:
            raise RuntimeError(f"RabbitMQ node {self.node_name} has no pid file at {self.pid_file}")
        return pid

    @property
    def launcher_pid(self) -> int | None:
        """The pid of the rabbitmq-server script that runs beam.smp (None if not started here)."""
        return self._proc.pid if self._proc is not None else None

    def start(self, timeout: float = 60.0) -> None:
        """Start the node and wait until ``rabbitmqctl await_startup`` succeeds."""
        if port_answers(self.host, self.port):
            raise RuntimeError(f"port {self.port} is taken: cannot start {self.node_name} there")
        self._prepare_dirs()
        self._ensure_epmd()
        self.pid_file.unlink(missing_ok=True)
        self._proc = spawn_logged(
            [str(RABBIT_SCRIPTS / "rabbitmq-server")],
            self.console_log,
            env=self._env(),
            cwd=self.base_dir,
            owner=rabbit_owner(),
        )
        self._await_startup(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the node with ``rabbitmqctl stop`` (SIGTERM, then SIGKILL, if that fails)."""
        pid = read_pid(self.pid_file)
        if pid is not None and pid_alive(pid) and "beam" in pid_cmdline(pid):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.ctl("stop", timeout=timeout)
            if not wait_for(lambda: not pid_alive(pid), timeout):
                terminate_pid(pid, timeout=10.0)
        reap(self._proc)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)
        self.stop_own_epmd()

    def ctl(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run ``rabbitmqctl -n <node> <args>`` as the rabbitmq user; the result, never raising."""
        return run_as(
            [str(RABBIT_SCRIPTS / "rabbitmqctl"), "-n", self.node_name, *args],
            rabbit_owner(),
            env=self._ctl_env(),
            cwd=RABBIT_HOME if RABBIT_HOME.is_dir() else None,
            timeout=timeout,
        )

    def _await_startup(self, timeout: float) -> None:
        # await_startup fails at once (rc 69) until the node has registered with epmd: poll it.
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(
                    f"RabbitMQ node {self.node_name} exited with {self._proc.returncode}:\n"
                    + log_tail(self.console_log)
                )
            left = max(1, int(deadline - time.monotonic()))
            try:
                result = self.ctl("await_startup", "--timeout", str(left), timeout=left + 15)
            except subprocess.TimeoutExpired:
                continue
            if result.returncode == 0 and read_pid(self.pid_file) is not None:
                return
            last = (result.stdout + result.stderr).strip()
            time.sleep(0.5)
        self.kill_quietly()
        raise TimeoutError(
            f"RabbitMQ node {self.node_name} not up after {timeout}s: {last}\n"
            + log_tail(self.console_log)
        )

    def kill_quietly(self) -> None:
        """SIGKILL whatever is left of a failed start."""
        pid = read_pid(self.pid_file)
        if pid is not None and "beam" in pid_cmdline(pid):
            terminate_pid(pid, timeout=0, sig=signal.SIGKILL)
        if self._proc is not None:
            terminate_pid(self._proc.pid, timeout=5.0)
            reap(self._proc)
            self._proc = None

    # -- epmd -----------------------------------------------------------------------------------

    def _ensure_epmd(self) -> None:
        if port_answers(self.host, epmd_port()):
            return
        proc = spawn_logged([_epmd_program(), "-port", str(epmd_port())], self.log_dir / "epmd.log")
        self.epmd_pid_file.write_text(f"{proc.pid}\n")
        if not wait_for(lambda: port_answers(self.host, epmd_port()), 10.0):
            raise RuntimeError("epmd did not start: " + log_tail(self.log_dir / "epmd.log"))

    def stop_own_epmd(self) -> None:
        """Stop the epmd this node started, by pid, unless other nodes still use it."""
        pid = read_pid(self.epmd_pid_file)
        if pid is None:
            return
        if pid_alive(pid) and "epmd" in pid_cmdline(pid):
            if epmd_names():
                return  # other nodes still registered: leave it, keep the pid file for later
            terminate_pid(pid, timeout=5.0)
        self.epmd_pid_file.unlink(missing_ok=True)

    # -- environment ----------------------------------------------------------------------------

    def _prepare_dirs(self) -> None:
        # A folder the rabbitmq user cannot reach makes the node die at boot with a confusing
        # error; pytest's tmp_path (under a 0700 folder) is the usual culprit.
        check_reachable(self.base_dir.parent, RABBIT_USER)
        owner = rabbit_owner()
        for folder in (self.base_dir, self.mnesia_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        (self.base_dir / "enabled_plugins").write_text("[].\n")
        (self.base_dir / "rabbitmq.conf").write_text("# jumo: defaults, listener set by env\n")
        (self.base_dir / "rabbitmq-env.conf").write_text("# jumo: keep /etc/rabbitmq out\n")
        if owner is not None:
            _ensure_cookie(*owner)
            chown_tree(self.base_dir, owner)  # Debian's broker runs as rabbitmq: it owns these

    def _env(self) -> dict[str, str]:
        env = self._ctl_env()
        env.update(
            RABBITMQ_NODENAME=self.node_name,
            RABBITMQ_NODE_IP_ADDRESS=self.host,
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.mnesia_dir),
            RABBITMQ_LOG_BASE=str(self.log_dir),
            RABBITMQ_PID_FILE=str(self.pid_file),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.base_dir / "enabled_plugins"),
            RABBITMQ_CONFIG_FILE=str(self.base_dir / "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(self.base_dir / "advanced.config"),
        )
        return env

    def _ctl_env(self) -> dict[str, str]:
        home = str(RABBIT_HOME) if rabbit_owner() is not None else os.environ.get("HOME", "/")
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "RABBITMQ_CONF_ENV_FILE": str(self.base_dir / "rabbitmq-env.conf"),
            "ERL_EPMD_PORT": str(epmd_port()),
        }


def rabbit_owner() -> Owner | None:
    """As root, the rabbitmq user's uid and gid (the broker and its CLI run as it)."""
    return service_owner(RABBIT_USER)


def rabbit_blocker(folder: Path) -> Path | None:
    """The first folder on the way to ``folder`` that the rabbitmq user may not enter, if any."""
    return blocker(folder, rabbit_owner())


def epmd_port() -> int:
    """The port of the machine's epmd (ERL_EPMD_PORT, like Erlang itself, else 4369)."""
    return int(os.environ.get("ERL_EPMD_PORT") or 4369)


def epmd_names() -> list[str]:
    """The node names registered with the local epmd (empty when none answers)."""
    try:
        result = run_as([_epmd_program(), "-port", str(epmd_port()), "-names"], None, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    # "name jumo-5699 at port 25699" per registered node
    return [line.split()[1] for line in result.stdout.splitlines() if line.startswith("name ")]


def _epmd_program() -> str:
    return shutil.which("epmd") or "/usr/bin/epmd"


def _dist_port(port: int) -> int:
    # RabbitMQ's convention is AMQP port + 20000; fall back to any free port when that is
    # out of range (ephemeral test ports) or taken.
    preferred = port + 20000
    if preferred <= 65535 and not port_answers("127.0.0.1", preferred, timeout=0.2):
        return preferred
    return free_port()


def _ensure_cookie(uid: int, gid: int) -> None:
    # The node and each rabbitmqctl call would otherwise race to create the shared cookie.
    cookie = RABBIT_HOME / ".erlang.cookie"
    if cookie.exists() or not RABBIT_HOME.is_dir():
        return
    value = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(20))
    fd = os.open(cookie, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    os.chown(cookie, uid, gid)
