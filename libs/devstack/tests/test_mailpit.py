"""A private Mailpit (MailpitNode): it starts on its own two ports, takes a message over SMTP,
shows it through its API and its web inbox, and stops by pid."""

from __future__ import annotations

import json
import smtplib
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from jumo_devstack import (
    MailpitNode,
    free_ports,
    mailpit_answers,
    pid_alive,
    pid_cmdline,
    port_answers,
    wait_for,
)


@pytest.fixture
def node(tmp_path: Path) -> MailpitNode:
    """A node of this test's own on two free ports (not started)."""
    http_port, smtp_port = free_ports(2)
    return MailpitNode(tmp_path / "mailpit", http_port, smtp_port)


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own URL)
        return response.status, response.headers.get("Content-Type", ""), response.read()


def _get_json(url: str) -> Any:
    return json.loads(_get(url)[2])


def _send(node: MailpitNode, to: str, subject: str, login: bool = False) -> None:
    message = EmailMessage()
    message["From"] = "Jumo <notifications@jumo.example>"
    message["To"] = to
    message["Subject"] = subject
    message["List-Unsubscribe"] = "<http://127.0.0.1:8080/notifications/unsubscribe?token=t>"
    message.set_content("Ann accepted your application.")
    message.add_alternative("<p>Ann <b>accepted</b> your application.</p>", subtype="html")
    with smtplib.SMTP(node.host, node.smtp_port, timeout=10) as smtp:
        if login:
            smtp.login("notifier", "any password")
        smtp.send_message(message)


def test_a_message_sent_over_smtp_is_read_back_through_the_api(node: MailpitNode) -> None:
    node.start()
    try:
        pid = node.pid
        assert pid_cmdline(pid).startswith(str(node.binary))  # the server itself, no wrapper
        assert mailpit_answers(node.url)
        _send(node, "Ben <ben@example.org>", "You are in: Beach clean-up")

        listing = _get_json(f"{node.url}/api/v1/messages")
        assert listing["total"] == 1
        [summary] = listing["messages"]
        assert summary["To"] == [{"Name": "Ben", "Address": "ben@example.org"}]
        assert summary["Subject"] == "You are in: Beach clean-up"
        message = _get_json(f"{node.url}/api/v1/message/{summary['ID']}")
        assert message["Text"].strip() == "Ann accepted your application."
        assert "<b>accepted</b>" in message["HTML"]
        headers = _get_json(f"{node.url}/api/v1/message/{summary['ID']}/headers")
        assert headers["List-Unsubscribe"] == [
            "<http://127.0.0.1:8080/notifications/unsubscribe?token=t>"
        ]
        assert [m["ID"] for m in node.messages("to:ben@example.org")] == [summary["ID"]]
        assert node.messages("to:nobody@example.org") == []
    finally:
        node.stop()
    assert not pid_alive(pid)
    assert not port_answers(node.host, node.port)
    assert not port_answers(node.host, node.smtp_port)
    assert not node.pid_file.exists()


def test_the_web_inbox_is_served_with_its_bundle(node: MailpitNode) -> None:
    # `go install` of the module alone serves the page but not dist/app.js (deploy/local/mailpit).
    with node:
        status, kind, page = _get(f"{node.url}/")
        assert (status, kind) == (200, "text/html; charset=utf-8")
        assert b'src="/dist/app.js' in page
        for asset, wanted in (("app.js", "application/javascript"), ("app.css", "text/css")):
            status, kind, body = _get(f"{node.url}/dist/{asset}")
            assert (status, kind.split(";")[0]) == (200, wanted)
            assert len(body) > 10_000
        info = _get_json(f"{node.url}/api/v1/info")
        assert info["Version"] == "v1.33.1"
        assert info["LatestVersion"] == "disabled"  # it never asks the internet


def test_mail_with_smtp_credentials_is_accepted_and_kept_across_a_restart(
    node: MailpitNode,
) -> None:
    with node:
        _send(node, "cara@example.org", "With a login", login=True)
        node.kill()
        assert not port_answers(node.host, node.smtp_port)
        node.start()
        assert [m["Subject"] for m in node.messages()] == ["With a login"]


def test_both_ports_must_be_free(node: MailpitNode, tmp_path: Path) -> None:
    with node:
        other = MailpitNode(tmp_path / "other", free_ports(1)[0], node.smtp_port, node.binary)
        with pytest.raises(RuntimeError, match=f"port {node.smtp_port} is taken"):
            other.start()
        assert wait_for(lambda: mailpit_answers(node.url), 5)  # the first one is untouched
