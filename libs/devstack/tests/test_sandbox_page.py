"""Jumo's own Page in a real Facebook sandbox process (``python -m jumo_facebook.sandbox``, proof
required as the local stack runs it): made once, used again while the sandbox knows it, made
again with the same id and a new token after the sandbox restarted (it keeps nothing)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jumo_devstack import (
    SandboxPage,
    appsecret_proof,
    free_port,
    provision_page,
    spawn_logged,
    terminate_pid,
    wait_for,
)

APP_ID = "135792468013579"
APP_SECRET = "0123456789abcdef0123456789abcdef"


class Sandbox:
    """The sandbox as a process of this test's own, restartable on the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [sys.executable, "-m", "jumo_facebook.sandbox", "--port", str(self.port)]
        args += ["--app-id", APP_ID, "--app-secret", APP_SECRET, "--require-proof"]
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = spawn_logged(args, self.folder / "sandbox.log")
        assert wait_for(self._ready, 30), (self.folder / "sandbox.log").read_text()

    def stop(self) -> None:
        if self.process is not None:
            terminate_pid(self.process.pid, timeout=10)
            self.process.wait(10)
            self.process = None

    def _ready(self) -> bool:
        try:
            return bool(_call(f"{self.url}/__sandbox/app")["app_id"] == APP_ID)
        except OSError:
            return False


def _call(url: str, form: dict[str, str] | None = None) -> Any:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    with urllib.request.urlopen(url, data=data, timeout=10) as response:  # noqa: S310 (ours)
        return json.loads(response.read())


def _post_as_page(sandbox: Sandbox, page: SandboxPage, message: str) -> int:
    """POST /{page}/feed with the Page token and its proof, as notifier does; the status."""
    form = {
        "message": message,
        "access_token": page.page_token,
        "appsecret_proof": appsecret_proof(APP_SECRET, page.page_token),
    }
    try:
        _call(f"{sandbox.url}/v26.0/{page.page_id}/feed", form)
    except urllib.error.HTTPError as error:
        return error.code
    return 200


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A running sandbox process, stopped by pid afterwards."""
    running = Sandbox(tmp_path / "sandbox")
    running.start()
    yield running
    running.stop()


def test_the_page_is_made_once_and_its_token_posts_to_it(sandbox: Sandbox, tmp_path: Path) -> None:
    record = tmp_path / "jumo-page.json"
    page = provision_page(sandbox.url, APP_SECRET, record)
    assert page.env() == {"JUMO_PAGE_ID": page.page_id, "JUMO_PAGE_TOKEN": page.page_token}
    assert record.stat().st_mode & 0o777 == 0o600
    assert provision_page(sandbox.url, APP_SECRET, record) == page  # the same Page, no new one

    assert _post_as_page(sandbox, page, "Ann joined Jumo") == 200
    posts = _call(f"{sandbox.url}/__sandbox/posts?page_id={page.page_id}")["posts"]
    assert [post["message"] for post in posts] == ["Ann joined Jumo"]
    # The Page is the test user "Jumo"'s, and /me/accounts names it "Jumo".
    proof = appsecret_proof(APP_SECRET, page.owner_token)
    query = urllib.parse.urlencode({"access_token": page.owner_token, "appsecret_proof": proof})
    me = _call(f"{sandbox.url}/v26.0/me?{query}")
    accounts = _call(f"{sandbox.url}/v26.0/me/accounts?{query}")["data"]
    assert (me["id"], me["name"]) == (page.owner_id, "Jumo")
    assert [(a["id"], a["name"]) for a in accounts] == [(page.page_id, "Jumo")]


def test_a_restarted_sandbox_gets_the_page_again_with_a_new_token(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    record = tmp_path / "jumo-page.json"
    before = provision_page(sandbox.url, APP_SECRET, record)
    sandbox.stop()
    sandbox.start()  # same port; it forgot every user, Page and token

    after = provision_page(sandbox.url, APP_SECRET, record)
    assert after.page_id == before.page_id
    assert after.page_token != before.page_token
    assert after.owner_id != before.owner_id
    assert json.loads(record.read_text())["page_token"] == after.page_token
    assert _post_as_page(sandbox, before, "with the old token") == 400  # Facebook's 190
    assert _post_as_page(sandbox, after, "Ben joined Jumo") == 200


def test_without_a_record_each_call_makes_a_new_page(sandbox: Sandbox) -> None:
    first = provision_page(sandbox.url, APP_SECRET)
    second = provision_page(sandbox.url, APP_SECRET)
    assert first.page_id != second.page_id
    assert _post_as_page(sandbox, second, "Cara joined Jumo") == 200


def test_the_command_prints_the_two_lines_notifier_reads(sandbox: Sandbox) -> None:
    env = {"PATH": "/usr/bin:/bin", "FACEBOOK_GRAPH_URL": sandbox.url}
    done = subprocess.run(
        [sys.executable, "-m", "jumo_devstack.jumo_page"],
        env={**env, "FACEBOOK_APP_SECRET": APP_SECRET},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stderr == ""
    exported = dict(line.removeprefix("export ").split("=", 1) for line in done.stdout.splitlines())
    assert set(exported) == {"JUMO_PAGE_ID", "JUMO_PAGE_TOKEN"}
    page = SandboxPage(exported["JUMO_PAGE_ID"], exported["JUMO_PAGE_TOKEN"], "", "")
    assert _post_as_page(sandbox, page, "Dee joined Jumo") == 200
