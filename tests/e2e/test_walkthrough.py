"""Issue 4's "done when", through the gateway, driven with curl as docs/walkthrough.md does it.

A person creates a sandbox test user, logs in through the gateway (Facebook's dialog, consent,
back to the callback), calls /users/me, becomes Facebook friends with another user, follows
the one Jumo suggests, refreshes, and deletes the account. Every request below is one curl
command with a cookie jar, as in the walkthrough; one test runs the walkthrough's own shell
commands, as written, and checks that they leave nothing in the clone.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aio_pika
from e2e_curl import Curl
from e2e_people import (
    assert_login,
    bearer,
    befriend,
    consent,
    create_test_user,
    facebook_token,
    open_dialog,
    refresh,
    sign_up,
)
from e2e_processes import SystemUnderTest
from e2e_support import GatewayFactory

from jumo_common.events.envelope import Envelope, parse_event
from jumo_common.testing.plugin import InfraUrls
from jumo_common.testing.wait import wait_until


def test_a_person_signs_up_follows_refreshes_and_leaves(
    system: SystemUnderTest, curl: Curl, other_curl: Curl
) -> None:
    gateway = system.gateway.url
    ann = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, ann), ann, created=True)
    me = curl(*bearer(login), f"{gateway}/users/me")
    assert me.status == 200, me.body
    ann_id = me.json()["id"]
    assert me.json()["email"] == ann["email"]

    # Ben has authorized the app before: Facebook sends him straight back, one command with -L.
    ben = create_test_user(other_curl, system, installed=True)
    assert other_curl(ben["login_url"]).status == 200
    ben_login = assert_login(other_curl("-L", f"{gateway}/auth/facebook/login"), ben, created=True)
    ben_id = ben_login["user"]["id"]
    assert suggested(curl, gateway, login) == []

    # Facebook friends: Ann asks, Ben confirms, each with their own token and appsecret_proof.
    befriend(curl, system, ann["id"], ben["id"], facebook_token(curl, system, ann["id"]))
    befriend(other_curl, system, ben["id"], ann["id"], ben["access_token"])
    # identity reads the friends at login: Ben logs in again, Jumo suggests Ann to him, and
    # (a friendship counts from either side) Ben to Ann.
    ben_login = assert_login(other_curl("-L", f"{gateway}/auth/facebook/login"), ben, created=False)
    assert suggested(other_curl, gateway, ben_login) == [ann_id]
    assert suggested(curl, gateway, login) == [ben_id]

    follow = curl("-X", "PUT", *bearer(login), f"{gateway}/users/{ben_id}/follow")
    assert follow.status in (200, 204), follow.body
    followers = curl(*bearer(ben_login), f"{gateway}/users/{ben_id}/followers")
    assert followers.status == 200, followers.body
    assert ann_id in [item["id"] for item in followers.json()["items"]]
    assert suggested(curl, gateway, login) == []  # followed: no longer a suggestion

    renewed = refresh(curl, system, login["refresh_token"])
    assert renewed.status == 200, renewed.body
    pair = renewed.json()
    assert pair["refresh_token"] != login["refresh_token"]
    assert curl(*bearer(pair), f"{gateway}/users/me").status == 200

    gone = curl("-X", "DELETE", *bearer(pair), f"{gateway}/users/me")
    assert gone.status in (200, 204), gone.body
    assert refresh(curl, system, pair["refresh_token"]).status == 401
    assert curl(*bearer(ben_login), f"{gateway}/users/{ann_id}").status == 404


def suggested(curl: Curl, gateway: str, login: dict[str, Any]) -> list[str]:
    """The ids of ``/users/me/suggestions``."""
    answer = curl(*bearer(login), f"{gateway}/users/me/suggestions")
    assert answer.status == 200, answer.body
    return [item["id"] for item in answer.json()["items"]]


def test_a_second_login_finds_the_same_account(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    first = assert_login(sign_up(curl, system, ann), ann, created=True)
    # Facebook remembers the consent: the second login needs no page, just redirects.
    second = assert_login(
        curl("-L", f"{system.gateway.url}/auth/facebook/login"), ann, created=False
    )
    assert second["user"]["id"] == first["user"]["id"]


def test_a_cancelled_login_is_a_401_problem(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    callback = consent(curl, system, open_dialog(curl, system, ann), "cancel")
    answer = curl(callback)
    assert answer.status == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_refresh_token_reuse_is_refused(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, ann), ann, created=True)
    renewed = refresh(curl, system, login["refresh_token"])
    assert renewed.status == 200
    assert refresh(curl, system, login["refresh_token"]).status == 401
    # Reuse revoked the whole family: the new one is dead too.
    assert refresh(curl, system, renewed.json()["refresh_token"]).status == 401


def test_identity_logs_the_gateway_request_id(system: SystemUnderTest, curl: Curl) -> None:
    answer = curl("-H", "X-Request-Id: chosen-by-client", f"{system.gateway.url}/users/me")
    assert answer.status == 401
    request_id = answer.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert answer.json()["request_id"] == request_id

    async def logged() -> bool:
        return any(r.get("request_id") == request_id for r in system.identity.log_records())

    asyncio.run(wait_until(logged, timeout=5, what="identity's log line with the request id"))


def test_the_gateway_exposes_identity_openapi(system: SystemUnderTest, curl: Curl) -> None:
    answer = curl(f"{system.gateway.url}/openapi/identity.json")
    assert answer.status == 200
    paths = answer.json()["paths"]
    for path in ("/auth/facebook/login", "/users/me", "/users/{id}/follow"):
        assert path in paths


def test_a_2_mib_profile_is_refused_at_the_gateway(system: SystemUnderTest, curl: Curl) -> None:
    body = curl.folder / "big.json"
    body.write_text(json.dumps({"bio": "x" * (2 * 1024 * 1024)}))
    answer = curl(
        "-X", "PATCH", "-H", "Content-Type: application/json", "--data-binary", f"@{body}",
        f"{system.gateway.url}/users/me",
    )  # fmt: skip
    assert answer.status == 413
    assert answer.json()["type"].endswith("/content-too-large")


def test_login_is_rate_limited_at_the_gateway(
    system: SystemUnderTest, start_gateway: GatewayFactory, curl: Curl
) -> None:
    identity = f"127.0.0.1:{system.plan.identity_port}"
    gateway = start_gateway({"identity": identity}, auth_rate="1r/m", auth_burst=2)
    statuses = [curl(f"{gateway.url}/auth/facebook/login").status for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


async def test_events_carry_the_request_id_the_gateway_gave(
    system: SystemUnderTest, infra: InfraUrls, curl: Curl
) -> None:
    # A consumer of our own on identity's exchange: it sees the sign-up's event.
    connection = await aio_pika.connect(infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(system.plan.events_exchange)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "user.registered.v1")

        ann = await asyncio.to_thread(create_test_user, curl, system, installed=False)
        answer = await asyncio.to_thread(sign_up, curl, system, ann)
        user_id = assert_login(answer, ann, created=True)["user"]["id"]

        async def registered() -> Envelope[Any] | None:
            message = await queue.get(fail=False, no_ack=True)
            event = parse_event(message.body) if message else None
            return event if event and event.subject_id == user_id else None

        event = await wait_until(registered, timeout=10, what="user.registered for Ann")
    assert event is not None
    assert event.trace_id == answer.headers["x-request-id"]


REPO = Path(__file__).resolve().parents[2]
WALKTHROUGH = REPO / "docs" / "walkthrough.md"
# Not run as written: 413 and 429 have their tests above, and 40 logins at once would leave
# the session's gateway refusing /auth/ to the tests after this one.
NOT_RUN = frozenset({"What the gateway adds"})
# The reader's own stack, which this test swaps for the session's.
START, STACK_ENV = "make up", ". deploy/local/stack.env;"
TOOLS = ("bash", "jq", "openssl")


def walkthrough_script(stack_env: Path) -> str:
    """The walkthrough's sh blocks in order, ``make up`` dropped, sourcing ``stack_env``."""
    section, blocks = "", []
    pattern = re.compile(r"^## ([^\n]*)$|^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
    for match in pattern.finditer(WALKTHROUGH.read_text()):
        if match[1] is not None:
            section = match[1]
        elif section not in NOT_RUN:
            blocks.append(match[2])
    lines = "\n".join(blocks).splitlines()
    kept = [line for line in lines if line.partition("#")[0].strip() != START]
    assert len(lines) - len(kept) == 1, "the walkthrough starts the stack with one `make up`"
    script = "\n".join(kept)
    assert script.count(STACK_ENV) == 1, f"the walkthrough sources the stack with {STACK_ENV!r}"
    return script.replace(STACK_ENV, f". '{stack_env}';")


def printed(text: str) -> tuple[list[Any], list[str]]:
    """What the commands printed: the JSON values (objects, arrays, strings) and other lines."""
    decoder, values, lines, at = json.JSONDecoder(), [], [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        if text[at] in '{["':
            try:
                value, at = decoder.raw_decode(text, at)
            except ValueError:
                pass
            else:
                values.append(value)
                continue
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        lines.append(text[at:end])
        at = end
    return values, lines


def test_the_walkthrough_runs_as_written_and_leaves_the_clone_clean(
    system: SystemUnderTest, tmp_path: Path
) -> None:
    for tool in TOOLS:
        assert shutil.which(tool), f"the walkthrough needs {tool}: apt-get install {tool}"
    # A run folder laid out as the local stack's, holding this session's logs.
    run = tmp_path / "run"
    (run / "identity").mkdir(parents=True)
    (run / "gateway").mkdir()
    (run / "identity" / "identity.log").symlink_to(system.identity.log)
    (run / "gateway" / "access.log").symlink_to(system.gateway.access_log)
    stack_env = tmp_path / "stack.env"
    stack_env.write_text(
        f"JUMO_RUN_DIR={run}\nGATEWAY_URL={system.gateway.url}\n"
        f"FACEBOOK_GRAPH_URL={system.sandbox_url}\nFACEBOOK_WWW_URL={system.sandbox_url}\n"
        f"FACEBOOK_APP_ID={system.app_id}\nFACEBOOK_APP_SECRET={system.app_secret}\n"
    )
    temp = tmp_path / "tmp"  # where mktemp -d makes the walk's folder
    temp.mkdir()
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env["TMPDIR"] = str(temp)

    before = set(os.listdir(REPO))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough_script(stack_env)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{done.stderr}\n{done.stdout[-3000:]}"
    assert set(os.listdir(REPO)) - before == set(), "the walkthrough left files in the clone"
    assert list(temp.iterdir()) == [], "the walkthrough's own folder was not removed"

    values, lines = printed(done.stdout)
    objects = [v for v in values if isinstance(v, dict)]
    ann_id = next(v for v in objects if v.get("created") is True)["user"]["id"]
    # Ann's suggestions, as ids (jq '.items[].id'): Ben, the one she then follows.
    ben_id = next(v for v in values if isinstance(v, str))
    assert ben_id in [v.get("id") for v in objects]
    assert objects.count({"success": True}) == 2  # Ann's friend request, Ben's confirmation
    # Ben's suggestions after the friendship (Ann), then Ann's once she follows Ben (none).
    assert [[i["id"] for i in v["items"]] for v in objects if v.keys() == {"items"}] == [
        [ann_id],
        [],
    ]
    followers = next(v for v in objects if "next_cursor" in v)
    assert ann_id in [item["id"] for item in followers["items"]]
    statuses = [line for line in lines if line.isdigit()]  # the follow, then the deletion
    assert len(statuses) == 2, statuses
    assert statuses[0] in ("200", "204")
    assert statuses[1] == "204"
    assert [v["status"] for v in objects if "type" in v] == [401, 404]  # revoked; gone

    # The request id, found by grep in the gateway's access log and in identity's log.
    found = {
        line.partition(":")[0]: json.loads(line.partition(":")[2])
        for line in lines
        if line.startswith(str(run))
    }
    gateway_line = found[f"{run}/gateway/access.log"]
    identity_line = found[f"{run}/identity/identity.log"]
    assert gateway_line["request_id"] == identity_line["request_id"]
    assert identity_line["path"] == gateway_line["path"] == "/users/me"
