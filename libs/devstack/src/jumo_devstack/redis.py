"""A Redis server of our own (Debian's redis-server): own port, config file, data folder and log.

feed keeps its home timelines in Redis, as a cache rebuilt from MongoDB: nothing is persisted
(no RDB snapshots, no append-only file), and nothing is evicted behind feed's back (a full
Redis refuses writes instead, which feed sees). ``REDIS_SETTINGS`` is the one list of those
settings; docker-compose.yml passes the same ones to ``redis:7`` as arguments (a test checks).

``redis-server <config>`` runs in the foreground of its own session (``daemonize no``), so the
pid we record is the server's; ``stop()`` sends it SIGTERM (Redis shuts down at once: there is
nothing to save) and SIGKILL after a timeout. It answers on 127.0.0.1 only. Readiness is a PING
answered ``+PONG``, spoken in RESP over a socket: no client library needed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path
from typing import BinaryIO

from jumo_devstack.node import Node
from jumo_devstack.processes import (
    log_tail,
    pid_alive,
    pid_cmdline,
    port_answers,
    read_pid,
    reap,
    spawn_logged,
    terminate_pid,
    wait_for,
)

# Timelines are a cache (rebuilt from MongoDB): no persistence, no silent eviction; sorted sets
# up to 1,024 entries of up to 64 bytes stay in the compact listpack encoding (a timeline holds
# at most 800). Mirrored by the `redis` service's command in docker-compose.yml.
REDIS_SETTINGS: tuple[tuple[str, str], ...] = (
    ("save", ""),
    ("appendonly", "no"),
    ("maxmemory-policy", "noeviction"),
    ("zset-max-listpack-entries", "1024"),
    ("zset-max-listpack-value", "64"),
)
REDIS_SERVER_ENV = "JUMO_REDIS_SERVER"


def redis_server_binary() -> Path:
    """The redis-server program: $JUMO_REDIS_SERVER, else on PATH, else Debian's."""
    found = os.environ.get(REDIS_SERVER_ENV) or shutil.which("redis-server")
    path = Path(found or "/usr/bin/redis-server")
    if not path.is_file():
        raise FileNotFoundError(
            f"redis-server not found at {path}: install Debian's redis-server package "
            f"(`make tools` does), or set {REDIS_SERVER_ENV}"
        )
    return path


def _quoted(value: str) -> str:
    # redis.conf reads double-quoted strings with C-like escapes: "" is the empty argument.
    return json.dumps(value, ensure_ascii=False)


class RedisNode(Node):
    """redis-server on ``port``: ``redis.conf``, ``redis.log`` and ``redis.pid`` under
    ``base_dir``, its data folder ``base_dir/data``."""

    def __init__(self, base_dir: Path, port: int, binary: Path | None = None) -> None:
        super().__init__(base_dir, port)
        self.binary = Path(binary) if binary is not None else redis_server_binary()
        self.data_dir = self.base_dir / "data"
        self.config_file = self.base_dir / "redis.conf"
        self.log_file = self.base_dir / "redis.log"
        self.pid_file = self.base_dir / "redis.pid"

    @property
    def url(self) -> str:
        """redis://127.0.0.1:<port>/0"""
        return f"redis://{self.host}:{self.port}/0"

    @property
    def pid(self) -> int:
        """The redis-server OS pid, from our pid file."""
        pid = read_pid(self.pid_file)
        if pid is None:
            raise RuntimeError(f"Redis on port {self.port} has no pid file at {self.pid_file}")
        return pid

    def config(self) -> str:
        """The text of our redis.conf: where it listens and writes, then ``REDIS_SETTINGS``."""
        lines = [
            "# written by jumo_devstack.RedisNode: a server of our own, stopped by pid",
            f"bind {self.host}",
            f"port {self.port}",
            f"dir {_quoted(str(self.data_dir))}",
            "daemonize no",
            f"logfile {_quoted(str(self.log_file))}",
            *(f"{name} {_quoted(value)}" for name, value in REDIS_SETTINGS),
        ]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 30.0) -> None:
        """Write the config, start redis-server and wait until it answers PING."""
        if port_answers(self.host, self.port):
            raise RuntimeError(f"port {self.port} is taken: cannot start Redis there")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(self.config())
        command = [str(self.binary), str(self.config_file)]
        self._proc = spawn_logged(command, self.log_file, cwd=self.base_dir)
        self.pid_file.write_text(f"{self._proc.pid}\n")
        if not wait_for(self._ready, timeout, interval=0.05):
            self.kill()
            raise TimeoutError(f"Redis not up after {timeout}s:\n" + log_tail(self.log_file))

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM by pid (only if it still runs redis-server), SIGKILL after ``timeout``."""
        pid = read_pid(self.pid_file)
        if pid is not None and pid_alive(pid) and self.binary.name in pid_cmdline(pid):
            terminate_pid(pid, timeout=timeout)
        reap(self._proc)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"Redis exited with {self._proc.returncode}:\n" + log_tail(self.log_file)
            )
        return redis_ping(self.host, self.port)


class RedisError(Exception):
    """Redis answered a command with an error reply (``-ERR ...``, ``-NOAUTH ...``)."""


Reply = str | int | bytes | None | list["Reply"]


def redis_command(host: str, port: int, *args: str, timeout: float = 2.0) -> Reply:
    """Send one command in RESP and return its reply (enough for PING, CONFIG GET, INFO)."""
    request = b"*%d\r\n" % len(args)
    for arg in args:
        data = arg.encode()
        request += b"$%d\r\n%s\r\n" % (len(data), data)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        with sock.makefile("rb") as reader:
            return _read_reply(reader)


def _read_reply(reader: BinaryIO) -> Reply:
    """One RESP2 reply: a simple string, an error (raised), an integer, a bulk string, an array."""
    line = reader.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("Redis closed the connection mid-reply")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RedisError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if int(rest) < 0 else reader.read(int(rest) + 2)[:-2]
    if kind == b"*":
        return None if int(rest) < 0 else [_read_reply(reader) for _ in range(int(rest))]
    raise ConnectionError(f"not a RESP reply: {line!r}")


def redis_ping(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a Redis server at host:port answers PING with PONG (not while it loads)."""
    try:
        return redis_command(host, port, "PING", timeout=timeout) == "PONG"
    except (OSError, ValueError, RedisError):
        return False


def redis_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a Redis server is at host:port: PONG, or a refusal only Redis gives (NOAUTH,
    LOADING) — a server of ours or another's, with a password or still loading."""
    try:
        return redis_command(host, port, "PING", timeout=timeout) == "PONG"
    except RedisError as error:
        return str(error).startswith(("NOAUTH", "LOADING"))
    except (OSError, ValueError):
        return False


def redis_config(host: str, port: int, *names: str) -> dict[str, str]:
    """What ``CONFIG GET`` reports for each of ``names``: a running server's actual settings."""
    found: dict[str, str] = {}
    for name in names:
        reply = redis_command(host, port, "CONFIG", "GET", name)
        if isinstance(reply, list) and len(reply) == 2:
            key, value = reply
            if isinstance(key, bytes) and isinstance(value, bytes):
                found[key.decode()] = value.decode()
    return found
