"""What the orgs end-to-end stories share: a JSON call with a person's token through the
gateway, a newcomer signed up with Facebook, the operator making someone a moderator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from e2e_curl import Answer, Curl
from e2e_people import assert_login, bearer, create_test_user, sign_up
from e2e_processes import SystemUnderTest

from jumo_common.testing.plugin import InfraUrls

T = TypeVar("T")


def call(curl: Curl, method: str, url: str, login: dict[str, Any], body: Any = None) -> Answer:
    """One request with ``login``'s access token (and ``body`` as JSON)."""
    args = ["-X", method, *bearer(login)]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "--data", json.dumps(body)]
    return curl(*args, url)


def ok(curl: Curl, method: str, url: str, login: dict[str, Any], body: Any = None) -> Any:
    """The JSON of a request that must succeed (any 2xx)."""
    answer = call(curl, method, url, login, body)
    assert answer.status < 300, (method, url, answer.status, answer.body[:500])
    return answer.json() if answer.body else None


def newcomer(curl: Curl, system: SystemUnderTest) -> dict[str, Any]:
    """A Facebook test user who signs up with Jumo through the gateway; the login answer."""
    user = create_test_user(curl, system, installed=False)
    return assert_login(sign_up(curl, system, user), user, created=True)


def make_moderator(system: SystemUnderTest, infra: InfraUrls, user_id: str) -> None:
    """The operator's command, against this run's identity database."""
    env = {**os.environ, "MONGO_URL": infra.mongo_url, "MONGO_DATABASE": system.plan.mongo_database}
    done = subprocess.run(
        [sys.executable, "-m", "jumo_identity", "roles", "grant", "moderator", user_id],
        env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 20.0) -> T:
    """``probe()`` once it returns something (events travel through the bus meanwhile)."""
    deadline = time.monotonic() + timeout
    while (found := probe()) is None:
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return found
