"""Usage headers above 75 % slow a Page down before Facebook throttles it: the sandbox's Page
budget is 8 calls here, so its x-business-use-case-usage reaches 75 % at the 6th post and 88 %
at the 7th; each time the Page's next call waits (1 s at 75 %, ~8 s at 88 %: geometric up to
60 s at 100 %), for every process (the pause is the Page's, in MongoDB)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from jumo_common.testing.tokens import TestKeys
from jumo_facebook.sandbox import SandboxConfig
from jumo_facebook.sandbox.testing import PageInfo, SandboxControl, test_config

from .conftest import Client, service
from .facebook_support import (
    CALLBACK,
    all_settled,
    facebook_settings_fixture,  # noqa: F401  (fixtures)
    jumo_page_fixture,  # noqa: F401
    opted_in,
    posting_overrides,
    sandbox_fixture,  # noqa: F401
)

PAGE_BUDGET = 8


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """A Page budget of 8 calls a day."""
    return test_config(redirect_uris=[CALLBACK], page_call_limit=PAGE_BUDGET)


@pytest.fixture
def overrides(jumo_page: PageInfo) -> dict[str, Any]:
    """One post in flight at a time, so that each sees the usage of the one before."""
    return posting_overrides(jumo_page) | {"posting_page_concurrency": 1}


async def test_usage_above_75_percent_slows_the_page_down(
    client: Client, keys: TestKeys, sandbox: SandboxControl, jumo_page: PageInfo
) -> None:
    for n in range(7):
        await opted_in(client, keys, f"Person {n}")
    await all_settled(client, 7)

    calls = list(sandbox.state.page_window(jumo_page.id))
    assert len(calls) == 7
    gaps = [later - earlier for earlier, later in itertools.pairwise(calls)]
    assert gaps[-1] >= 0.95  # after the 6th call (75 %), the 7th waited a second
    state = await service(client).facebook.pages.page(jumo_page.id)
    assert state is not None
    assert state["paused_why"] == "usage at 88 %"
    pause = (state["not_before"] - state["paused_at"]).total_seconds()
    assert 7.5 <= pause <= 9.5
    assert len(await sandbox.posts(jumo_page.id)) == 7
