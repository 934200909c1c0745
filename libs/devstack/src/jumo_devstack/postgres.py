"""A PostgreSQL cluster of our own (Debian's postgresql package), for FerretDB's PostgreSQL backend.

``initdb`` into ``base_dir/data`` as the ``postgres`` user (as root; as ourselves otherwise), then
``postgres`` itself runs in the foreground of its own session, so its pid is the postmaster's and
stopping it by that pid stops the whole cluster. It listens on 127.0.0.1 only, on its own port,
with its unix socket in ``base_dir/socket`` (never Debian's ``/var/run/postgresql``), and trusts
local connections: a development server, like RabbitMQ's guest/guest. Debian's default cluster
``main`` is never used.

``max_connections`` is sized for FerretDB: each FerretDB process keeps a pool of up to
``POOL_MAX_CONNS`` connections (``jumo_devstack.ferret`` says why it is 200, not FerretDB's 50),
and the stack's FerretDB, a benchmark's and a few tests' private ones may share one cluster.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from jumo_devstack.gin_mirror import GIN_MIRROR_SQL, GIN_MIRROR_TRIGGERS
from jumo_devstack.node import Node
from jumo_devstack.processes import (
    Owner,
    check_reachable,
    kill_group,
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

POSTGRES_USER = "postgres"
PG_ROOT = Path("/usr/lib/postgresql")
DEFAULT_DATABASE = "ferretdb"
# Four FerretDB pools of 200 (ferret.POOL_MAX_CONNS), plus psql and the superuser's reserve.
MAX_CONNECTIONS = 810


def pg_bin(program: str) -> Path:
    """A PostgreSQL program of the newest version Debian installed (postgres, initdb, psql...)."""
    versions = sorted(
        (p for p in PG_ROOT.glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    if not versions:
        raise FileNotFoundError(
            f"no PostgreSQL under {PG_ROOT}: install Debian's postgresql package "
            "(`make tools` does), or set JUMO_FERRETDB_BACKEND=sqlite"
        )
    return versions[-1] / program


def postgres_owner() -> Owner | None:
    """As root, the postgres user's uid and gid (initdb refuses to run as root)."""
    return service_owner(POSTGRES_USER)


class PostgresCluster(Node):
    """A PostgreSQL cluster on ``port`` with data, socket and log under ``base_dir``.

    ``database`` is created on first start. With ``gin_mirror`` (the default) it also gets the
    event triggers of ``gin_mirror``: each btree index FerretDB creates is mirrored as a GIN index
    on the same expressions, which FerretDB's ``@>`` filters can use.
    """

    def __init__(
        self,
        base_dir: Path,
        port: int,
        database: str = DEFAULT_DATABASE,
        max_connections: int = MAX_CONNECTIONS,
        gin_mirror: bool = True,
    ) -> None:
        super().__init__(base_dir, port)
        self.database = database
        self.max_connections = max_connections
        self.gin_mirror = gin_mirror
        self.data_dir = self.base_dir / "data"
        self.socket_dir = self.base_dir / "socket"
        self.log_file = self.base_dir / "postgres.log"
        self.pid_file = self.base_dir / "postgres.pid"

    @property
    def url(self) -> str:
        """postgres://postgres@127.0.0.1:<port>/<database> (trusted: no password)."""
        return self.database_url(self.database)

    def database_url(self, database: str) -> str:
        """The URL of another database of this cluster."""
        return f"postgres://{POSTGRES_USER}@{self.host}:{self.port}/{database}"

    @property
    def pid(self) -> int:
        """The postmaster's OS pid, from our pid file."""
        pid = read_pid(self.pid_file)
        if pid is None:
            raise RuntimeError(f"PostgreSQL on port {self.port} has no pid file at {self.pid_file}")
        return pid

    def start(self, timeout: float = 60.0) -> None:
        """initdb on first use, start the postmaster, wait until it answers, create the database."""
        if port_answers(self.host, self.port):
            raise RuntimeError(f"port {self.port} is taken: cannot start PostgreSQL there")
        self._prepare()
        owner = postgres_owner()
        self._proc = spawn_logged(self._command(), self.log_file, cwd=self.base_dir, owner=owner)
        self.pid_file.write_text(f"{self._proc.pid}\n")
        if not wait_for(self._ready, timeout, interval=0.1):
            self.kill()
            raise TimeoutError(f"PostgreSQL not up after {timeout}s:\n" + log_tail(self.log_file))
        self.create_database(self.database)

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (SIGINT: sessions are ended), SIGKILL of its process group after that."""
        pid = read_pid(self.pid_file)
        if pid is not None and pid_alive(pid) and "postgres" in pid_cmdline(pid):
            terminate_pid(pid, timeout=timeout, sig=signal.SIGINT)
            kill_group(pid)  # backends that outlived a SIGKILLed postmaster
        reap(self._proc)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL the postmaster and its backends at once, like a machine crash."""
        kill_group(self.pid)
        reap(self._proc)
        self._proc = None

    def psql(self, sql: str, database: str | None = None) -> str:
        """Run SQL as the superuser through the unix socket; its unaligned output."""
        result = run_as(
            [
                str(pg_bin("psql")), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", str(self.socket_dir), "-p", str(self.port), "-U", POSTGRES_USER,
                "-d", database or self.database, "-c", sql,
            ],
            postgres_owner(),
            cwd=self.base_dir,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, database: str) -> None:
        """Create ``database`` unless it exists (with the GIN mirror when enabled)."""
        if not database.replace("_", "").isalnum():
            raise ValueError(f"database name {database!r}: letters, digits and _ only")
        query = f"SELECT 1 FROM pg_database WHERE datname = '{database}'"  # noqa: S608 (checked)
        exists = self.psql(query, "postgres")
        if not exists:
            self.psql(f'CREATE DATABASE "{database}"', "postgres")
        if self.gin_mirror:
            self.psql(GIN_MIRROR_SQL, database)
            self.psql(GIN_MIRROR_TRIGGERS, database)

    def _prepare(self) -> None:
        # The postgres user must reach and own its folders, like rabbitmq for RabbitNode.
        check_reachable(self.base_dir.parent, POSTGRES_USER)
        owner = postgres_owner()
        for folder in (self.base_dir, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if owner is not None:
                os.chown(folder, *owner)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(owner)

    def _initdb(self, owner: Owner | None) -> None:
        result = run_as(
            [
                str(pg_bin("initdb")), "-D", str(self.data_dir), "-U", POSTGRES_USER,
                "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions",
            ],
            owner,
            cwd=self.base_dir,
            timeout=120,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stdout}{result.stderr}")

    def _command(self) -> list[str]:
        settings = {
            "listen_addresses": self.host,
            "port": str(self.port),
            "unix_socket_directories": str(self.socket_dir),
            "max_connections": str(self.max_connections),
            "logging_collector": "off",  # its log is our log file
            "log_min_messages": "warning",
            # FerretDB's statements are prepared with the field name as a parameter; only a
            # plan made for the actual values can match an index on (_jsonb -> 'field').
            "plan_cache_mode": "force_custom_plan",
        }
        args = [str(pg_bin("postgres")), "-D", str(self.data_dir)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        return args

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(
                f"PostgreSQL exited with {self._proc.returncode}:\n" + log_tail(self.log_file)
            )
        return pg_ready(self.host, self.port)


def pg_ready(host: str, port: int, timeout: int = 2) -> bool:
    """Whether a PostgreSQL server accepts connections at host:port (``pg_isready``)."""
    try:
        result = run_as(
            [str(pg_bin("pg_isready")), "-q", "-h", host, "-p", str(port), "-t", str(timeout)],
            None,
            timeout=timeout + 5,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0
