"""Importing unclaimed organizations from a CSV file (``python -m jumo_orgs import FILE``).

An operator imports organizations known from a trusted source (a registry, a partner's list),
so each one is created ``verified`` and unclaimed (no owner): it is public, anyone can find it,
and a person who runs it claims it (a moderator approves). Every row obeys the rules of
``POST /orgs`` (the same field types, see ``org_fields``). The columns (README "Importing
organizations"): ``name`` and ``causes`` required; ``external_id``, ``slug``, ``mission``,
``description``, ``website``, ``links``, ``city``, ``country``, ``lat``, ``lng``,
``areas_served``, ``size``, ``contact_email``, ``languages``, ``registration_country``,
``registration_kind``, ``registration_number`` optional; list cells separated by ``|``.

Idempotent: a row's organization id is derived from its key — ``external_id`` when given, else
its slug (given, or derived from the name) — and created with an exclusive insert, so a second
run (or two runs at once) creates nothing more, and never changes an organization already there
(it may have been claimed and edited since). A row that fails is reported with its line number
and the import goes on. No I/O here but the file and the store.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from pydantic import ValidationError

from jumo_orgs import org_events, org_pages, text
from jumo_orgs.org_fields import one_line
from jumo_orgs.org_store import OrgStore
from jumo_orgs.schemas.orgs import OrgCreate

TEXT_COLUMNS = ("name", "slug", "mission", "description", "website", "size", "contact_email")
LIST_COLUMNS = ("links", "areas_served", "causes", "languages")
HQ_COLUMNS = {"city": "city", "country": "country", "lat": "lat", "lng": "lng"}
REGISTRATION_COLUMNS = {"registration_country": "country", "registration_kind": "kind",
                        "registration_number": "number"}  # fmt: skip
COLUMNS = frozenset({"external_id", *TEXT_COLUMNS, *LIST_COLUMNS, *HQ_COLUMNS,
                     *REGISTRATION_COLUMNS})  # fmt: skip
REQUIRED_COLUMNS = ("name", "causes")
MAX_EXTERNAL_ID = 100


class ImportFileError(ValueError):
    """The file cannot be imported at all (no header, unknown or missing columns)."""


class RowError(ValueError):
    """One row cannot be imported; the others still are."""


@dataclass
class ImportReport:
    """What an import did."""

    rows: int = 0
    created: int = 0
    existing: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the operator."""
        return (f"{self.rows} rows: {self.created} created, {self.existing} already there, "
                f"{len(self.errors)} failed")  # fmt: skip


class Progress:
    """A progress bar on a text stream (stderr), redrawn in place; messages print above it."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self._stream = max(total, 0), 0, stream

    def _line(self) -> str:
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        return f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total}"

    def advance(self) -> None:
        """One more row done."""
        self.done += 1
        self._stream.write(f"\r{self._line()}")
        self._stream.flush()

    def message(self, text: str) -> None:
        """A line above the bar (the bar is redrawn after it)."""
        self._stream.write(f"\r{text.ljust(len(self._line()))}\n{self._line()}")
        self._stream.flush()

    def finish(self, summary: str) -> None:
        """End the bar's line and print the summary."""
        self._stream.write(f"\r{self._line()}\n{summary}\n")
        self._stream.flush()


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV text with their line numbers; ImportFileError if its columns are wrong."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = sorted(set(header) - COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if not header or unknown or missing:
        raise ImportFileError(
            f"bad columns (unknown: {unknown or 'none'}, missing: {missing or 'none'}); "
            f"the columns are {', '.join(sorted(COLUMNS))}"
        )
    reader.fieldnames = header
    rows, start = [], reader.line_num + 1
    for row in reader:
        cells = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        rows.append((start, cells))  # a quoted cell may span lines: the row's first one
        start = reader.line_num + 1
    return rows


def row_fields(row: Mapping[str, str]) -> dict[str, Any]:
    """A row as the fields of ``POST /orgs`` (empty cells left out)."""
    data: dict[str, Any] = {name: row[name] for name in TEXT_COLUMNS if row.get(name)}
    for name in LIST_COLUMNS:
        if row.get(name):
            data[name] = [part.strip() for part in row[name].split("|") if part.strip()]
    for target, columns in (("hq", HQ_COLUMNS), ("registration", REGISTRATION_COLUMNS)):
        if any(row.get(column) for column in columns):
            data[target] = {key: row.get(column) or None for column, key in columns.items()}
    return data


def org_id_for(key: str) -> str:
    """The id of an imported organization, derived from its key (the same on every run)."""
    return hashlib.sha256(f"jumo-import:{key}".encode()).hexdigest()[:32]


def _parsed(row: Mapping[str, str]) -> tuple[OrgCreate, str | None]:
    try:
        body = OrgCreate.model_validate(row_fields(row))
        external_id = one_line(row["external_id"]) if row.get("external_id") else None
    except ValidationError as exc:
        problems = (f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors())
        raise RowError("; ".join(problems)) from None
    except ValueError as exc:
        raise RowError(f"external_id: {exc}") from None
    if external_id is not None and len(external_id) > MAX_EXTERNAL_ID:
        raise RowError(f"external_id: at most {MAX_EXTERNAL_ID} characters")
    return body, external_id


async def import_row(store: OrgStore, row: Mapping[str, str], now: datetime) -> bool:
    """Create one row's organization; True if created, False if it was there already."""
    body, external_id = _parsed(row)
    slug = body.slug or text.slugify(body.name, max_length=60)
    if len(slug) < 2:
        raise RowError("slug: the name gives no slug; give one")
    org_id = org_id_for(f"external:{external_id}" if external_id else f"slug:{slug}")
    extra = {"external_id": external_id} if external_id else {}
    doc = org_pages.new_org(org_id, slug, body.page(), now=now, status="verified",
                            verified_at=now, **extra)  # fmt: skip
    if await store.create_org(doc, [org_events.org_created(doc, actor=None)]):
        return True
    if await store.org(org_id) is not None:
        return False
    raise RowError(f"slug: '{slug}' is taken by another organization")


async def import_rows(
    store: OrgStore, rows: Iterable[tuple[int, Mapping[str, str]]], now: datetime,
    progress: Progress,
) -> ImportReport:  # fmt: skip
    """Import every row, reporting each failure and going on."""
    report = ImportReport()
    for line, row in rows:
        report.rows += 1
        try:
            if await import_row(store, row, now):
                report.created += 1
            else:
                report.existing += 1
        except RowError as exc:
            report.errors.append(f"line {line}: {exc}")
            progress.message(report.errors[-1])
        progress.advance()
    progress.finish(report.summary())
    return report


async def import_csv(store: OrgStore, text: str, now: datetime, stream: TextIO) -> ImportReport:
    """Import the text of a CSV file, with a progress bar on ``stream``."""
    rows = read_rows(text)
    return await import_rows(store, rows, now, Progress(len(rows), stream))
