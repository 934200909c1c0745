"""The GIN mirror of FerretDB's indexes on our PostgreSQL cluster: created, used, dropped with them.

This couples the local store to FerretDB 1.24's table layout (a ``_jsonb`` column, btree
indexes on ``(_jsonb -> 'field')``, filters pushed down as ``_jsonb -> 'field' @> value``). The
day an upgrade changes that, ``explain`` stops showing the mirror and these tests fail: then drop
the mirror (``jumo_devstack.gin_mirror``) or follow the new layout.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from jumo_devstack import FerretNode, free_port, scratch_dir

DOCS = 5000


@pytest.fixture(scope="module")
def node() -> Iterator[FerretNode]:
    """FerretDB on a private PostgreSQL cluster with the mirror (the local default)."""
    base = scratch_dir("jumo-gin-mirror-")
    ferret = FerretNode(base, free_port(), backend="postgresql")
    ferret.start()
    try:
        yield ferret
    finally:
        ferret.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def db(node: FerretNode) -> Iterator[Any]:
    """A fresh database with DOCS documents of 100 owners, indexed on (owner, n)."""
    client: MongoClient[dict[str, Any]] = MongoClient(node.url)
    with client:
        client.drop_database("mirror")
        docs = [{"_id": f"d{i}", "owner": f"o{i % 100}", "n": i} for i in range(DOCS)]
        client.mirror.things.insert_many(docs)
        client.mirror.things.create_index([("owner", 1), ("n", -1)], name="owner_n")
        yield client.mirror


def _index_names(plan: Any) -> set[str]:
    """Every "Index Name" in a PostgreSQL plan (FerretDB's explain passes it through)."""
    found: set[str] = set()
    if isinstance(plan, dict):
        if "Index Name" in plan:
            found.add(str(plan["Index Name"]))
        for value in plan.values():
            found |= _index_names(value)
    elif isinstance(plan, list):
        for item in plan:
            found |= _index_names(item)
    return found


def _used(db: Any, query: dict[str, Any]) -> set[str]:
    explained = db.command("explain", {"find": "things", "filter": query})
    return _index_names(explained["queryPlanner"])


def _pg_indexes(node: FerretNode) -> list[str]:
    assert node.cluster is not None
    out = node.cluster.psql("SELECT indexname FROM pg_indexes WHERE schemaname = 'mirror'")
    return out.splitlines()


def test_an_id_lookup_uses_the_gin_mirror_of_the_id_index(db: Any) -> None:
    used = _used(db, {"_id": "d42"})
    assert used, "explain shows no index for an _id lookup: the GIN mirror is not used"
    assert all(name.endswith("_gin") for name in used)


def test_an_equality_on_an_indexed_field_uses_the_gin_mirror(db: Any) -> None:
    used = _used(db, {"owner": "o7"})
    assert len(used) == 1
    assert next(iter(used)).endswith("_gin")


def test_the_mirror_is_invisible_to_clients_and_leaves_with_its_index(
    node: FerretNode, db: Any
) -> None:
    assert sorted(i["name"] for i in db.things.list_indexes()) == ["_id_", "owner_n"]
    mirrors = [name for name in _pg_indexes(node) if name.endswith("_gin")]
    assert len(mirrors) == 2  # _id and (owner, n)

    db.things.drop_index("owner_n")
    assert len([name for name in _pg_indexes(node) if name.endswith("_gin")]) == 1
    db.things.drop()
    assert _pg_indexes(node) == [
        name for name in _pg_indexes(node) if "_ferretdb_database_metadata" in name
    ]


def test_an_in_is_not_pushed_down_so_it_reads_every_document(db: Any) -> None:
    """Why stores ask how the server answers (``jumo_common.mongo.pushdown``) and read one
    equality per value here."""
    explained = db.command("explain", {"find": "things", "filter": {"owner": {"$in": ["o7"]}}})
    assert explained.get("filterPushdown") is False
    assert _index_names(explained["queryPlanner"]) == set()


def test_an_equality_on_an_array_field_uses_the_gin_mirror_and_matches_its_elements(
    db: Any,
) -> None:
    """feed's activities list their audiences in ``fan``: ``{fan: source}`` is served."""
    db.lists.insert_many([{"_id": f"a{i}", "fan": [f"s{i % 7}", f"s{i % 11}"], "n": i}
                          for i in range(DOCS)])  # fmt: skip
    db.lists.create_index([("fan", 1), ("n", -1)], name="fan_n")
    explained = db.command("explain", {"find": "lists", "filter": {"fan": "s3"}})
    assert explained.get("filterPushdown") is True
    used = _index_names(explained["queryPlanner"])
    assert used, "explain shows no index for an equality on an array field"
    assert all(name.endswith("_gin") for name in used)
    found = {doc["_id"] for doc in db.lists.find({"fan": "s3"})}
    assert found == {f"a{i}" for i in range(DOCS) if 3 in (i % 7, i % 11)}
