"""A FerretDB process of our own (``deploy/local/ferretdb``), on PostgreSQL or on SQLite.

On PostgreSQL (the local default) a node either uses a database of a cluster it is given
(``postgres_url``) or starts a private ``PostgresCluster`` of its own under ``base_dir/postgres``,
which ``stop()`` stops too; ``kill()`` kills only FerretDB, so the data outlives the crash. On
SQLite its data is ``base_dir/data``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pymongo import MongoClient

from jumo_devstack.node import Node
from jumo_devstack.postgres import PostgresCluster
from jumo_devstack.processes import (
    free_port,
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

Backend = Literal["postgresql", "sqlite"]
BACKENDS: tuple[Backend, ...] = ("postgresql", "sqlite")
FERRETDB_REL_PATH = Path(".tools/bin/jumo-ferretdb")
BACKEND_ENV = "JUMO_FERRETDB_BACKEND"


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


def backend_setting() -> Backend:
    """The FerretDB backend the local stack uses: $JUMO_FERRETDB_BACKEND, else postgresql."""
    value = os.environ.get(BACKEND_ENV) or "postgresql"
    for backend in BACKENDS:
        if value == backend:
            return backend
    raise ValueError(f"{BACKEND_ENV}={value!r}: use postgresql or sqlite")


# FerretDB's PostgreSQL connections (pgx's pool_max_conns; FerretDB 1.24's default is 50). An open
# cursor holds one of them until it is exhausted or killed, and a createIndexes holds FerretDB's
# catalogue lock while it waits for one: with every connection held by cursors, that wait never
# ends and every later command queues behind the lock — the server is wedged until it restarts
# (seen under load: a goroutine dump showed IndexesCreate holding the lock in pgxpool.Acquire and
# the 50 connections idle in PostgreSQL). A pool far above the cursors our clients keep open
# makes that wait short; test_ferret_wedge pins the mechanism.
POOL_MAX_CONNS = 200


def with_pool_size(url: str, size: int = POOL_MAX_CONNS) -> str:
    """``url`` with ``pool_max_conns=size`` unless it names a pool size already."""
    if "pool_max_conns=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}pool_max_conns={size}"


class FerretNode(Node):
    """FerretDB on ``port``; its pid file, log (and SQLite data) under ``base_dir``."""

    def __init__(
        self,
        base_dir: Path,
        port: int,
        binary: Path | None = None,
        backend: Backend = "postgresql",
        postgres_url: str | None = None,
        pool_size: int = POOL_MAX_CONNS,
    ) -> None:
        super().__init__(base_dir, port)
        self.pool_size = pool_size
        self.binary = Path(binary) if binary is not None else ferretdb_binary()
        self.backend = backend
        self.data_dir = self.base_dir / "data"
        self.pid_file = self.base_dir / "ferretdb.pid"
        self.log_file = self.base_dir / "ferretdb.log"
        self.cluster: PostgresCluster | None = None
        self.postgres_url = postgres_url
        if backend == "postgresql" and postgres_url is None:
            self.cluster = PostgresCluster(self.base_dir / "postgres", self._cluster_port())

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

    def start(self, timeout: float = 60.0) -> None:
        """Start FerretDB (and its private cluster) and wait until it answers a MongoDB ping."""
        if port_answers(self.host, self.port):
            raise RuntimeError(f"port {self.port} is taken: cannot start FerretDB there")
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if self.cluster is not None and not self.cluster.running():
            self.cluster.start(timeout)
        self._proc = spawn_logged(self._command(), self.log_file)
        self.pid_file.write_text(f"{self._proc.pid}\n")
        if not wait_for(self._ready, timeout, interval=0.05):
            self.kill()
            raise TimeoutError(f"FerretDB not up after {timeout}s:\n" + log_tail(self.log_file))

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM FerretDB (it shuts down cleanly on it), SIGKILL after ``timeout``."""
        pid = read_pid(self.pid_file)
        if pid is not None and pid_alive(pid) and self.binary.name in pid_cmdline(pid):
            terminate_pid(pid, timeout=timeout)
        reap(self._proc)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)
        if self.cluster is not None:
            self.cluster.stop(timeout)

    def _command(self) -> list[str]:
        args = [str(self.binary), "-listen-addr", f"{self.host}:{self.port}"]
        if self.backend == "sqlite":
            self.data_dir.mkdir(parents=True, exist_ok=True)
            return [*args, "-handler", "sqlite", "-sqlite-url", f"file:{self.data_dir}/"]
        url = self.cluster.url if self.cluster is not None else self.postgres_url
        assert url is not None
        return [
            *args,
            "-handler",
            "postgresql",
            "-postgresql-url",
            with_pool_size(url, self.pool_size),
        ]

    def _cluster_port(self) -> int:
        # A restarted node must find its cluster on the same port: keep it beside the data.
        record = self.base_dir / "postgres.port"
        port = read_pid(record)  # a number in a file, like a pid
        if port is None:
            port = free_port()
            self.base_dir.mkdir(parents=True, exist_ok=True)
            record.write_text(f"{port}\n")
        return port

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"FerretDB exited with {self._proc.returncode}:\n" + log_tail(self.log_file)
            )
        return mongo_ping(self.url)


def mongo_ping(url: str, timeout: float = 1.0) -> bool:
    """Whether a MongoDB wire-protocol server at url answers ``ping``."""
    ms = int(timeout * 1000)
    client: MongoClient[dict[str, object]] = MongoClient(
        url, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, socketTimeoutMS=ms,
        directConnection=True,
    )  # fmt: skip
    try:
        client.admin.command("ping")
    except Exception:  # any failure means "does not answer yet"
        return False
    finally:
        client.close()
    return True
