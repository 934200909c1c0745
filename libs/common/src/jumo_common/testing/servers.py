"""Private RabbitMQ and FerretDB server instances, for tests that kill servers and for the stack.

Each instance has its own port and its own data folder under ``base_dir``, so killing it never
touches the servers other tests or people use. The API is synchronous: async tests call it through
``asyncio.to_thread``. Processes are started in their own session, so they outlive the Python
process that started them when that is wanted (the local stack); ``stop()`` works from a fresh
object built with the same arguments, because everything it needs is in ``base_dir``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from pymongo import MongoClient

RABBIT_SCRIPTS = Path("/usr/lib/rabbitmq/bin")
RABBIT_HOME = Path("/var/lib/rabbitmq")  # the node and the CLI must share this Erlang cookie
FERRETDB_REL_PATH = Path(".tools/bin/jumo-ferretdb")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # "pid (comm) S ...": the state letter follows the last ')'.
        proc_stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return proc_stat.rsplit(")", 1)[1].split()[0] != "Z"


def pid_cmdline(pid: int) -> str:
    """The command line of a process, space-separated ('' when it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for(probe: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll ``probe`` until it is true or ``timeout`` seconds passed; return its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        if probe():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def terminate_pid(pid: int, timeout: float = 20.0, sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to pid, wait up to ``timeout`` for it to exit, then SIGKILL it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    if wait_for(lambda: not pid_alive(pid), timeout):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid), 10.0)


def read_pid(path: Path) -> int | None:
    """The pid stored in a pid file, or None when the file is missing or empty."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def epmd_port() -> int:
    """The port of the machine's epmd (ERL_EPMD_PORT, like Erlang itself, else 4369)."""
    return int(os.environ.get("ERL_EPMD_PORT") or 4369)


def _epmd_program() -> str:
    return shutil.which("epmd") or "/usr/bin/epmd"


def scratch_dir(prefix: str = "jumo-") -> Path:
    """A fresh folder under /tmp that the rabbitmq user can reach (pytest's tmp_path is 0700)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _reap(proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    # A child we started must be waited for, or it stays a zombie that looks alive.
    if proc is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)


def spawn_logged(
    args: list[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    owner: tuple[int, int] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a long-running program in its own session, its output appended to ``log``."""
    # Own session: a Ctrl-C in the terminal or the end of `make up` does not reach it.
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603  (fixed program paths, no shell)
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            cwd=cwd,
            user=owner[0] if owner else None,
            group=owner[1] if owner else None,
        )


def repo_root() -> Path:
    """The nearest parent of the cwd (or of this file) that holds deploy/local/ferretdb."""
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "deploy" / "local" / "ferretdb").is_dir():
                return folder
    raise FileNotFoundError("cannot find the Jumo repository root (no deploy/local/ferretdb above)")


def ferretdb_binary() -> Path:
    """The FerretDB program: $JUMO_FERRETDB_BIN, else <repo>/.tools/bin/jumo-ferretdb."""
    env = os.environ.get("JUMO_FERRETDB_BIN")
    path = Path(env) if env else repo_root() / FERRETDB_REL_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"FerretDB program not found at {path}: build it with `make tools` "
            "(or `make up`, which also starts the stack), or set JUMO_FERRETDB_BIN"
        )
    return path


class _Server:
    """What RabbitNode and FerretNode share: a base folder, a port, a pid, context management."""

    host = "127.0.0.1"

    def __init__(self, base_dir: Path, port: int) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.port = port
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The OS pid of the server process."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        """The URL clients connect to."""
        raise NotImplementedError

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and return once it answers."""
        raise NotImplementedError

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server gracefully (SIGKILL after ``timeout``)."""
        raise NotImplementedError

    def running(self) -> bool:
        """Whether our server process is alive."""
        try:
            return pid_alive(self.pid)
        except RuntimeError:
            return False

    def kill(self) -> None:
        """SIGKILL the server process, like a crash; data on disk stays for ``restart()``."""
        pid = self.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not pid_alive(pid), 10.0)
        _reap(self._proc)
        self._proc = None

    def restart(self, timeout: float = 60.0) -> None:
        """Start again on the same port with the same data (stopping first if still running)."""
        if self.running():
            self.stop()
        self.start(timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class RabbitNode(_Server):
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
            owner=_rabbit_owner(),
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
        _reap(self._proc)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)
        self.stop_own_epmd()

    def ctl(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run ``rabbitmqctl -n <node> <args>`` as the rabbitmq user; the result, never raising."""
        owner = _rabbit_owner()
        return subprocess.run(  # noqa: S603  (fixed program path, no shell)
            [str(RABBIT_SCRIPTS / "rabbitmqctl"), "-n", self.node_name, *args],
            env=self._ctl_env(),
            cwd=RABBIT_HOME if RABBIT_HOME.is_dir() else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            user=owner[0] if owner else None,
            group=owner[1] if owner else None,
        )

    def _await_startup(self, timeout: float) -> None:
        # await_startup fails at once (rc 69) until the node has registered with epmd: poll it.
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(
                    f"RabbitMQ node {self.node_name} exited with {self._proc.returncode}:\n"
                    + _log_tail(self.console_log)
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
            + _log_tail(self.console_log)
        )

    def kill_quietly(self) -> None:
        """SIGKILL whatever is left of a failed start."""
        pid = read_pid(self.pid_file)
        if pid is not None and "beam" in pid_cmdline(pid):
            terminate_pid(pid, timeout=0, sig=signal.SIGKILL)
        if self._proc is not None:
            terminate_pid(self._proc.pid, timeout=5.0)
            _reap(self._proc)
            self._proc = None

    # -- epmd -----------------------------------------------------------------------------------
    # Every Erlang node on the machine registers with one epmd on port 4369. When one already
    # answers (the machine's broker, another test node) we use it and never stop it. When none
    # does, we start one ourselves in the foreground (so we know its pid), and stop it again by
    # that pid in stop() — but only when no other node is registered with it any more.

    def _ensure_epmd(self) -> None:
        if port_answers(self.host, epmd_port()):
            return
        proc = spawn_logged([_epmd_program(), "-port", str(epmd_port())], self.log_dir / "epmd.log")
        self.epmd_pid_file.write_text(f"{proc.pid}\n")
        if not wait_for(lambda: port_answers(self.host, epmd_port()), 10.0):
            raise RuntimeError("epmd did not start: " + _log_tail(self.log_dir / "epmd.log"))

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
        _check_reachable(self.base_dir.parent)
        owner = _rabbit_owner()
        for folder in (self.base_dir, self.mnesia_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        (self.base_dir / "enabled_plugins").write_text("[].\n")
        (self.base_dir / "rabbitmq.conf").write_text("# jumo: defaults, listener set by env\n")
        (self.base_dir / "rabbitmq-env.conf").write_text("# jumo: keep /etc/rabbitmq out\n")
        if owner is not None:
            _ensure_cookie(*owner)
            # Debian's broker runs as the rabbitmq user: it must own its folders.
            for path in (self.base_dir, *self.base_dir.rglob("*")):
                os.chown(path, *owner)

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
        home = str(RABBIT_HOME) if _rabbit_owner() is not None else os.environ.get("HOME", "/")
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "RABBITMQ_CONF_ENV_FILE": str(self.base_dir / "rabbitmq-env.conf"),
            "ERL_EPMD_PORT": str(epmd_port()),
        }


def _dist_port(port: int) -> int:
    # RabbitMQ's convention is AMQP port + 20000; fall back to any free port when that is
    # out of range (ephemeral test ports) or taken.
    preferred = port + 20000
    if preferred <= 65535 and not port_answers("127.0.0.1", preferred, timeout=0.2):
        return preferred
    return free_port()


def _rabbit_owner() -> tuple[int, int] | None:
    # As root, run the broker and its CLI as the rabbitmq user, like Debian's wrappers do.
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("rabbitmq")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


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


def rabbit_blocker(folder: Path) -> Path | None:
    """The first folder on the way to ``folder`` that the rabbitmq user may not enter, if any."""
    owner = _rabbit_owner()
    if owner is None:
        return None  # not root: the node runs as ourselves
    uid, gid = owner
    for path in (folder, *folder.parents):
        if not path.exists():
            continue  # we create it, with the usual 0755
        info = path.stat()
        if info.st_uid == uid:
            ok = bool(info.st_mode & stat.S_IXUSR)
        elif info.st_gid == gid:
            ok = bool(info.st_mode & stat.S_IXGRP)
        else:
            ok = bool(info.st_mode & stat.S_IXOTH)
        if not ok:
            return path
    return None


def _check_reachable(folder: Path) -> None:
    # A folder the rabbitmq user cannot reach makes the node die at boot with a confusing
    # error; pytest's tmp_path (under a 0700 folder) is the usual culprit.
    blocker = rabbit_blocker(folder)
    if blocker is not None:
        raise PermissionError(
            f"the rabbitmq user cannot enter {blocker}: put the node's folder elsewhere "
            "(servers.scratch_dir() gives one under /tmp)"
        )


def epmd_names() -> list[str]:
    """The node names registered with the local epmd (empty when none answers)."""
    try:
        result = subprocess.run(  # noqa: S603  (fixed program, no shell)
            [_epmd_program(), "-port", str(epmd_port()), "-names"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    # "name jumo-5699 at port 25699" per registered node
    return [line.split()[1] for line in result.stdout.splitlines() if line.startswith("name ")]


class FerretNode(_Server):
    """A FerretDB process of our own on the SQLite backend, data under ``base_dir/data``."""

    def __init__(self, base_dir: Path, port: int, binary: Path | None = None) -> None:
        super().__init__(base_dir, port)
        self.binary = Path(binary) if binary is not None else ferretdb_binary()
        self.data_dir = self.base_dir / "data"
        self.pid_file = self.base_dir / "ferretdb.pid"
        self.log_file = self.base_dir / "ferretdb.log"

    @property
    def url(self) -> str:
        """mongodb://127.0.0.1:<port>/"""
        return f"mongodb://{self.host}:{self.port}/"

    @property
    def pid(self) -> int:
        """The FerretDB OS pid, from our pid file."""
        pid = read_pid(self.pid_file)
        if pid is None:
            raise RuntimeError(f"FerretDB on port {self.port} has no pid file at {self.pid_file}")
        return pid

    def start(self, timeout: float = 30.0) -> None:
        """Start FerretDB and wait until it answers a MongoDB ping."""
        if port_answers(self.host, self.port):
            raise RuntimeError(f"port {self.port} is taken: cannot start FerretDB there")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._proc = spawn_logged(
            [
                str(self.binary),
                "-listen-addr",
                f"{self.host}:{self.port}",
                "-sqlite-url",
                f"file:{self.data_dir}/",
            ],
            self.log_file,
        )
        self.pid_file.write_text(f"{self._proc.pid}\n")
        if not wait_for(self._ready, timeout, interval=0.05):
            self.kill()
            raise TimeoutError(f"FerretDB not up after {timeout}s:\n" + _log_tail(self.log_file))

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM FerretDB (it shuts down cleanly on it), SIGKILL after ``timeout``."""
        pid = read_pid(self.pid_file)
        if pid is not None and pid_alive(pid) and self.binary.name in pid_cmdline(pid):
            terminate_pid(pid, timeout=timeout)
        _reap(self._proc)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"FerretDB exited with {self._proc.returncode}:\n" + _log_tail(self.log_file)
            )
        return mongo_ping(self.url)


def mongo_ping(url: str, timeout: float = 1.0) -> bool:
    """Whether a MongoDB wire-protocol server at url answers ``ping``."""
    ms = int(timeout * 1000)
    client: MongoClient[dict[str, object]] = MongoClient(
        url, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, directConnection=True
    )
    try:
        client.admin.command("ping")
    except Exception:  # any failure means "does not answer yet"
        return False
    finally:
        client.close()
    return True
