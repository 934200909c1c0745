"""docker-compose.yml runs on no secret published in the repository: each one is required."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
SECRETS = (
    "FACEBOOK_APP_SECRET",
    "ENCRYPTION_KEY",
    "RECORD_KEY_SECRET",
    "UNSUBSCRIBE_KEY",
    "PAGE_TOKEN_KEY",
)


@pytest.mark.parametrize("name", SECRETS)
def test_a_secret_is_required_not_defaulted(name: str) -> None:
    values = re.findall(rf"^\s+{name}:\s*(.+)$", COMPOSE.read_text(), flags=re.MULTILINE)
    assert values, f"{name} is not set anywhere in docker-compose.yml"
    for value in values:
        # ${NAME:?message}: compose refuses to start without it, and says why.
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}$]+\}}", value), value
