"""``python -m jumo_identity roles …``, the operator's command, against the real database."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from typing import Any

from jumo_common.mongo import ensure_indexes
from jumo_common.outbox import Outbox
from jumo_common.testing.plugin import InfraUrls
from jumo_common.testing.plugin import TestNames as Names  # aliased: pytest collects Test*
from jumo_identity.store import INDEXES, OUTBOX_COLLECTIONS, MongoStore

NOW = datetime(2026, 6, 1, tzinfo=UTC)


async def _run(infra: InfraUrls, names: Names, *words: str) -> tuple[int, str]:
    env = {**os.environ, "MONGO_URL": infra.mongo_url, "MONGO_DATABASE": names.mongo_database}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jumo_identity", "roles", *words, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    return int(process.returncode or 0), out.decode()


async def test_an_operator_grants_and_revokes_moderator(
    infra: InfraUrls, names: Names, mongo_db: Any
) -> None:
    await ensure_indexes(mongo_db, INDEXES)
    store = MongoStore(mongo_db, Outbox(mongo_db, OUTBOX_COLLECTIONS))
    doc = {"_id": "a" * 32, "facebook_id": "fb1", "display_name": "Ann", "created_at": NOW,
           "updated_at": NOW}  # fmt: skip
    assert await store.create_user(doc, [])
    status, out = await _run(infra, names, "grant", "moderator", "a" * 32)
    assert (status, out.strip()) == (0, f"roles of {'a' * 32}: moderator")
    user = await store.user("a" * 32)
    assert user is not None
    assert user.roles == ["moderator"]
    status, out = await _run(infra, names, "show", "a" * 32)
    assert "moderator" in out
    status, out = await _run(infra, names, "revoke", "moderator", "a" * 32)
    assert status == 0
    assert "(none)" in out


async def test_the_command_refuses_what_it_cannot_do(infra: InfraUrls, names: Names) -> None:
    status, out = await _run(infra, names, "grant", "emperor", "b" * 32)
    assert status != 0
    assert "unknown role 'emperor'" in out
    status, out = await _run(infra, names, "grant", "moderator", "b" * 32)
    assert status != 0
    assert "no live user" in out
