"""schemathesis through the gateway, from each document the gateway publishes: no 5xx.

Each service's own tests fuzz it directly; this run is short and asks one more thing: that
nothing nginx does in between (body limits, header handling, keep-alive to the service, odd
paths and encodings, the routing of /users/… sub-paths to orgs) turns an answer into a server
error. The caller is a real person signed up through identity.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

import hypothesis
import pytest
import schemathesis
from e2e_curl import Curl
from e2e_people import assert_login, bearer, create_test_user, sign_up
from e2e_processes import SystemUnderTest
from hypothesis import HealthCheck, Phase
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

EXAMPLES_PER_OPERATION = 8
# Deleting the account ends the run's login: do it last.
LAST = ("DELETE", "/users/me")
# Answers that never end (Server-Sent Events): a request waits for the whole answer, so these
# are left out; test_gateway_stream.py covers the stream through the gateway.
ENDLESS = {("GET", "/notifications/stream")}


def _fuzz(operation: Any, base_url: str, headers: dict[str, str], seen: Counter[str]) -> list[str]:
    failures: list[str] = []

    def call(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=15)
        seen[str(response.status_code)] += 1
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} {case.body!r:.300} -> "
                f"{response.status_code} {response.text[:300]}"
            )

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        run = hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
            phases=[Phase.generate], suppress_health_check=list(HealthCheck),
        )(hypothesis.given(case=operation.as_strategy(generation_mode=mode))(call))  # fmt: skip
        with contextlib.suppress(Unsatisfiable):  # no invalid input exists for this operation
            run()
    return failures


@pytest.mark.parametrize("service", ["identity", "orgs", "feed", "notifier"])
def test_no_input_through_the_gateway_is_a_server_error(
    system: SystemUnderTest, curl: Curl, service: str
) -> None:
    ann = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, ann), ann, created=True)
    document = curl(f"{system.gateway.url}/openapi/{service}.json").json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    operations = [op for op in operations if (op.method.upper(), op.path) not in ENDLESS]
    operations.sort(key=lambda op: (op.method.upper(), op.path) == LAST)
    headers = dict([bearer(login)[1].split(": ", 1)])

    seen: Counter[str] = Counter()
    failures = [f for op in operations for f in _fuzz(op, system.gateway.url, headers, seen)]
    assert failures == [], f"server errors through the gateway (statuses seen: {dict(seen)})"
    assert sum(seen.values()) > len(operations)  # it really ran
