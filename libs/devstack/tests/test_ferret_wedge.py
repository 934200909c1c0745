"""FerretDB 1.24 on PostgreSQL: an open cursor holds a pool connection, and a createIndexes
waiting for one holds the catalogue lock (``jumo_devstack.ferret.POOL_MAX_CONNS`` says why the
stack's pool is 200). Pinned on a private FerretDB with a pool of 3, so the stack's is never
at risk, and on one with the stack's pool size."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from jumo_devstack import FerretNode, free_port, scratch_dir
from jumo_devstack.ferret import POOL_MAX_CONNS, with_pool_size
from jumo_devstack.postgres import PostgresCluster

SMALL_POOL = 3
FERRETDB_DEFAULT_POOL = 50  # what FerretDB 1.24 would keep without our pool_max_conns


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    base = scratch_dir("jumo-ferret-wedge-")
    pg = PostgresCluster(Path(base) / "postgres", free_port())
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def _ferret(url: str) -> Iterator[FerretNode]:
    base = scratch_dir("jumo-ferret-wedge-node-")
    node = FerretNode(Path(base), free_port(), backend="postgresql", postgres_url=url)
    node.start()
    try:
        yield node
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)


def _client(node: FerretNode, timeout_ms: int) -> MongoClient[dict[str, Any]]:
    return MongoClient(node.url, socketTimeoutMS=timeout_ms, serverSelectionTimeoutMS=5000)


def _open_cursors(db: Any, count: int) -> list[Any]:
    """``count`` cursors left open on the server: each has read one of its three documents."""
    db.things.insert_many([{"n": n} for n in range(3)])
    cursors = [db.things.find({}, batch_size=1) for _ in range(count)]
    for cursor in cursors:
        next(cursor)
    return cursors


def test_with_pool_size_adds_the_size_once() -> None:
    assert (
        with_pool_size("postgres://u@h:1/db")
        == f"postgres://u@h:1/db?pool_max_conns={POOL_MAX_CONNS}"
    )
    assert with_pool_size("postgres://u@h:1/db?sslmode=disable", 7).endswith("&pool_max_conns=7")
    assert (
        with_pool_size("postgres://u@h:1/db?pool_max_conns=3")
        == "postgres://u@h:1/db?pool_max_conns=3"
    )


def test_open_cursors_that_fill_the_pool_stall_create_index(cluster: PostgresCluster) -> None:
    with (
        _ferret(f"{cluster.url}?pool_max_conns={SMALL_POOL}") as node,
        _client(node, 5000) as client,
    ):
        cursors = _open_cursors(client.wedge, SMALL_POOL)
        with pytest.raises(PyMongoError):  # waits for a connection no cursor gives back
            client.wedge.fresh.create_index("n")
        for cursor in cursors:
            cursor.close()
        client.wedge.fresh.create_index("n")  # the cursors gone, it goes through
        assert "n_1" in client.wedge.fresh.index_information()


def test_the_stacks_pool_outlasts_the_cursors_a_small_pool_cannot(cluster: PostgresCluster) -> None:
    with _ferret(cluster.url) as node, _client(node, 30000) as client:
        cursors = _open_cursors(client.wedge, FERRETDB_DEFAULT_POOL + 10)
        client.wedge.fresh.create_index("n")
        assert "n_1" in client.wedge.fresh.index_information()
        for cursor in cursors:
            cursor.close()
