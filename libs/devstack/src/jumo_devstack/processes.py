"""Processes and pids: ports, pid files, starting a program in its own session, stopping it by pid.

Everything here works on pids we recorded ourselves; nothing looks processes up by name.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

Owner = tuple[int, int]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports: each stays bound until all are chosen (one at a time, the
    kernel may hand the same port out twice — a stack test once got one for two servers)."""
    with contextlib.ExitStack() as held:
        ports = []
        for _ in range(count):
            sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


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


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (a server started by ``spawn_logged``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid), 10.0)


def read_pid(path: Path) -> int | None:
    """The pid stored in a pid file, or None when the file is missing or empty."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def scratch_dir(prefix: str = "jumo-") -> Path:
    """A fresh folder under /tmp that service users can reach (pytest's tmp_path is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    folder.chmod(0o755)  # mkdtemp makes it 0700: rabbitmq and postgres could not enter it
    return folder


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def reap(proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """Wait for a child we started, so it does not stay a zombie that looks alive."""
    if proc is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)


def spawn_logged(
    args: list[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    owner: Owner | None = None,
) -> subprocess.Popen[bytes]:
    """Start a long-running program in its own session, its output appended to ``log``."""
    # Own session: a Ctrl-C in the terminal or the end of `make up` does not reach it.
    with log.open("ab") as out:
        if owner is not None:
            os.chown(log, *owner)
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


def run_as(
    args: list[str],
    owner: Owner | None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60.0,
) -> subprocess.CompletedProcess[str]:
    """Run a short command (as ``owner`` when given); its result, never raising on failure."""
    return subprocess.run(  # noqa: S603  (fixed program paths, no shell)
        args,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        user=owner[0] if owner else None,
        group=owner[1] if owner else None,
    )


def service_owner(user: str) -> Owner | None:
    """As root, the uid and gid a Debian server runs as (rabbitmq, postgres); else None."""
    if os.geteuid() != 0:
        return None  # not root: servers run as ourselves
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def chown_tree(folder: Path, owner: Owner) -> None:
    """Give ``folder`` and everything in it to ``owner``."""
    for path in (folder, *folder.rglob("*")):
        os.chown(path, *owner, follow_symlinks=False)


def blocker(folder: Path, owner: Owner | None) -> Path | None:
    """The first folder on the way to ``folder`` that ``owner`` may not enter, if any."""
    if owner is None:
        return None
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


def check_reachable(folder: Path, user: str) -> None:
    """Fail clearly when ``user`` cannot reach ``folder`` (its server would die confusingly)."""
    found = blocker(folder, service_owner(user))
    if found is not None:
        raise PermissionError(
            f"the {user} user cannot enter {found}: put the server's folder elsewhere "
            "(jumo_devstack.scratch_dir() gives one under /tmp)"
        )


def repo_root() -> Path:
    """The nearest parent of the cwd (or of this file) that holds deploy/local/ferretdb."""
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "deploy" / "local" / "ferretdb").is_dir():
                return folder
    raise FileNotFoundError("cannot find the Jumo repository root (no deploy/local/ferretdb above)")
