"""PostgresCluster: a cluster of our own in its folder, run as postgres, stopped by pid."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from jumo_devstack import (
    PostgresCluster,
    free_port,
    pg_ready,
    pid_alive,
    port_answers,
    postgres_owner,
    scratch_dir,
)


@pytest.fixture
def base_dir() -> Iterator[Path]:
    """A folder the postgres user can reach, removed afterwards."""
    folder = scratch_dir("jumo-test-postgres-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_cluster_runs_as_postgres_on_its_own_port_and_socket(base_dir: Path) -> None:
    with PostgresCluster(base_dir / "pg", free_port()) as cluster:
        assert pg_ready(cluster.host, cluster.port)
        assert (cluster.socket_dir / f".s.PGSQL.{cluster.port}").exists()
        assert cluster.psql("SHOW max_connections") == str(cluster.max_connections)
        assert cluster.psql("SELECT current_database()") == "ferretdb"
        owner = postgres_owner()
        if owner is not None:  # as root: the data belongs to postgres, not to us
            assert cluster.data_dir.stat().st_uid == owner[0]
            assert Path(f"/proc/{cluster.pid}").stat().st_uid == owner[0]
        pid = cluster.pid
    assert not pid_alive(pid)
    assert not port_answers("127.0.0.1", cluster.port)


def test_cluster_keeps_committed_data_across_sigkill(base_dir: Path) -> None:
    cluster = PostgresCluster(base_dir / "pg", free_port(), gin_mirror=False)
    cluster.start()
    try:
        cluster.psql("CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2)")
        pid = cluster.pid
        cluster.kill()  # the postmaster and every backend at once
        assert not pid_alive(pid)
        cluster.restart()
        assert cluster.pid != pid
        assert cluster.psql("SELECT sum(n) FROM t") == "3"
    finally:
        cluster.stop()
    assert not cluster.running()


def test_a_stopped_cluster_is_stopped_again_from_a_fresh_object(base_dir: Path) -> None:
    port = free_port()
    PostgresCluster(base_dir / "pg", port).start()
    pid = PostgresCluster(base_dir / "pg", port).pid
    PostgresCluster(base_dir / "pg", port).stop()  # everything it needs is in its folder
    assert not pid_alive(pid)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the cluster as another user")
def test_a_folder_postgres_cannot_enter_is_refused_clearly(base_dir: Path) -> None:
    closed = base_dir / "closed"
    closed.mkdir(mode=0o700)
    with pytest.raises(PermissionError, match="postgres user cannot enter"):
        PostgresCluster(closed / "pg", free_port()).start()
