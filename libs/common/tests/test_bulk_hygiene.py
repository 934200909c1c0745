"""Nothing in the repository calls ``bulk_write`` except ``jumo_common.mongo.bulk``.

A ``bulk_write`` with more updates than FerretDB's connection pool wedges FerretDB (see
``test_ferretdb_bulk_wedge.py``), so every bulk write goes through ``chunked_bulk_write``.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "uv.lock").is_file())
HELPER = ROOT / "libs/common/src/jumo_common/mongo/bulk.py"
# Folders that are not the project's code: environments, caches, run folders, tools.
SKIPPED = {".venv", ".git", "node_modules", ".tools", "run", "__pycache__", ".mypy_cache"}
CALL = re.compile(r"\.bulk_write\s*\(")


def _python_files() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED.intersection(path.relative_to(ROOT).parts)
    ]


def test_only_the_chunking_helper_calls_bulk_write() -> None:
    callers = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files()
        if path != HELPER
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if CALL.search(line)
    ]
    assert not callers, (
        "bulk_write outside jumo_common.mongo.bulk (use chunked_bulk_write, which keeps each "
        f"command within FerretDB's connection pool): {callers}"
    )


def test_the_helper_is_where_the_hygiene_check_looks() -> None:
    assert CALL.search(HELPER.read_text()), f"{HELPER} no longer calls bulk_write"
