"""``python -m jumo_orgs import FILE``: unclaimed organizations from a CSV, idempotent, with a
progress bar, a summary and per-row errors that do not stop the import."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jumo_common.mongo import MONGO_DB
from jumo_common.testing.bus import EventTap
from jumo_orgs.__main__ import run_import
from jumo_orgs.imports import ImportFileError, import_csv, read_rows
from jumo_orgs.settings import OrgsSettings

from .conftest import Client, service

HEADER = ("external_id,slug,name,mission,city,country,lat,lng,causes,website,"
          "registration_country,registration_kind,registration_number,areas_served")  # fmt: skip
ROWS = [
    'ext-1,,Clean Rivers,"Rivers, clean",Lyon,FR,45.7640,4.8357,clean-water|biodiversity,'
    "https://rivers.example,FR,fr-rna,W691234567,FR|Lyon",
    "ext-2,,Food for All,,Paris,FR,,,food-banks,,,,,",
    ",river-watch,River Watch,,,,,,clean-water,,,,,",
    "ext-4,,Broken Cause,,,,,,no-such-cause,,,,,",
    'ext-5,,Bad Number,,,,,,health,,US,us-ein,"12,3",',
    "ext-6,,Bad Point,,Lyon,FR,nan,4.8,health,,,,,",
]
CSV = "\n".join([HEADER, *ROWS]) + "\n"


async def test_importing_twice_creates_once(
    client: Client, settings: OrgsSettings, tap: EventTap, tmp_path: Path
) -> None:
    first = await run_import(settings, CSV)
    assert (first.rows, first.created, first.existing) == (6, 3, 0)
    assert [e.split(":")[0] for e in first.errors] == ["line 5", "line 6", "line 7"]
    assert "no-such-cause" in first.errors[0]
    second = await run_import(settings, CSV)
    assert (second.created, second.existing, len(second.errors)) == (0, 3, 3)
    docs = await client.app[MONGO_DB]["orgs"].find({}).to_list()
    assert sorted(d["slug"] for d in docs) == ["clean-rivers", "food-for-all", "river-watch"]
    assert {d["version"] for d in docs} == {1}  # the second run wrote nothing
    rivers = next(d for d in docs if d["slug"] == "clean-rivers")
    assert (rivers["status"], rivers["owners"], rivers["external_id"]) == ("verified", [], "ext-1")
    assert (rivers["hq"]["lat"], rivers["hq"]["lng"], rivers["registration"]["number"]) == (
        45.76, 4.84, "W691234567",
    )  # fmt: skip
    assert {"rivers", "clean", "lyon", "riv"} <= set(rivers["terms"]) | set(rivers["prefixes"])
    created = await tap.wait_for("org.created", 3)
    assert {e["data"]["created_by"] for e in created} == {None}
    public = await client.get("/orgs/clean-rivers")
    assert public.status == 200
    assert (await public.json())["claimed"] is False


async def test_two_imports_at_once_create_each_organization_once(
    client: Client, settings: OrgsSettings
) -> None:
    reports = await asyncio.gather(*(run_import(settings, CSV) for _ in range(3)))
    assert sum(r.created for r in reports) == 3
    assert await client.app[MONGO_DB]["orgs"].count_documents({}) == 3


async def test_the_progress_bar_the_errors_and_the_summary(client: Client) -> None:
    out = io.StringIO()
    store = service(client).stores.orgs
    await import_csv(store, CSV, datetime.now(UTC), out)
    text = out.getvalue()
    assert "[" + "#" * 30 + "] 6/6" in text
    assert "\rline 5: causes.0: Value error, unknown cause 'no-such-cause'" in text
    assert text.endswith("6 rows: 3 created, 0 already there, 3 failed\n")


@pytest.mark.parametrize(
    "header", ["name,causes,colour", "causes,city", ""], ids=["unknown", "missing", "empty"]
)
def test_a_file_with_wrong_columns_is_refused_whole(header: str) -> None:
    with pytest.raises(ImportFileError):
        read_rows(header + "\n")


async def _command(settings: OrgsSettings, *args: str) -> tuple[int, str]:
    env = {**os.environ, "MONGO_URL": settings.mongo_url,
           "MONGO_DATABASE": settings.mongo_database}  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jumo_orgs", *args, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_the_command_line(client: Client, settings: OrgsSettings, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + "\n".join([HEADER, *ROWS[:3]]) + "\n", encoding="utf-8")
    code, err = await _command(settings, "import", str(good))
    assert (code, err.splitlines()[-1]) == (0, "3 rows: 3 created, 0 already there, 0 failed")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(CSV, encoding="utf-8")
    code, err = await _command(settings, "import", str(mixed))
    assert (code, err.splitlines()[-1]) == (1, "6 rows: 0 created, 3 already there, 3 failed")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("title,causes\nx,health\n", encoding="utf-8")
    code, err = await _command(settings, "import", str(wrong))
    assert code == 1
    assert "unknown: ['title']" in err
    code, err = await _command(settings, "import", str(tmp_path / "missing.csv"))
    assert (code, "cannot import" in err) == (1, True)


def test_rows_keep_their_line_numbers() -> None:
    rows: list[tuple[int, dict[str, Any]]] = read_rows(
        'name,causes,mission\nA,health,"two\nlines"\nB,health,\n'
    )
    assert [(line, row["name"]) for line, row in rows] == [(2, "A"), (4, "B")]
