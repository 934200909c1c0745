"""Run orgs: ``python -m jumo_orgs [serve]``, or import organizations: ``python -m jumo_orgs
import FILE`` (a CSV of unclaimed organizations; see ``imports`` and the README). The import
needs only ``MONGO_URL`` (and ``MONGO_DATABASE``); the running service publishes its events.
``python -m jumo_orgs reindex`` rewrites search's index where it lags the organizations: once
after a deployment that brings the index or changes its format (the service's housekeeping
also does it, hourly)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from jumo_common.logging import configure_logging
from jumo_common.mongo import WRITE_CLAIMS, create_mongo_client, ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.web import serve
from jumo_orgs.app import create_app
from jumo_orgs.imports import ImportFileError, ImportReport, import_csv
from jumo_orgs.org_store import MongoOrgStore
from jumo_orgs.search_sync import MongoSearchIndex
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.store import INDEXES, OUTBOX_COLLECTIONS


async def run_import(settings: OrgsSettings, text: str) -> ImportReport:
    """Import a CSV of unclaimed organizations into orgs' database (progress on stderr)."""
    client = create_mongo_client(settings)
    try:
        db = client[settings.mongo_database]
        await ensure_indexes(db, INDEXES)  # the slug's uniqueness, even before a first start
        store = MongoOrgStore(db, Outbox(db, OUTBOX_COLLECTIONS), db[WRITE_CLAIMS])
        return await import_csv(store, text, datetime.now(UTC), sys.stderr)
    finally:
        await client.close()


async def run_reindex(settings: OrgsSettings) -> int:
    """Repair search's index of every organization; how many were rewritten."""
    client = create_mongo_client(settings)
    try:
        db = client[settings.mongo_database]
        await ensure_indexes(db, INDEXES)
        return await MongoSearchIndex(db).repair()
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> None:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m jumo_orgs")
    parser.add_argument(
        "command", nargs="?", default="serve", choices=["serve", "import", "reindex"]
    )
    parser.add_argument("file", nargs="?", type=Path, help="import: the CSV file")
    args = parser.parse_args(argv)
    settings = OrgsSettings()
    configure_logging(settings)
    if args.command == "serve":
        serve(create_app(settings), settings)
        return
    if args.command == "reindex":
        print(f"search index: {asyncio.run(run_reindex(settings))} organizations rewritten")
        return
    if args.file is None:
        parser.error("import needs the CSV file: python -m jumo_orgs import FILE")
    try:
        text = args.file.read_text(encoding="utf-8-sig")  # a byte-order mark (Excel's) is fine
        report = asyncio.run(run_import(settings, text))
    except (ImportFileError, OSError, UnicodeDecodeError) as exc:
        raise SystemExit(f"cannot import {args.file}: {exc}") from None
    if report.errors:
        raise SystemExit(1)  # the other rows are imported; the operator fixes these and re-runs


if __name__ == "__main__":
    main()
