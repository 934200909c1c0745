"""Unsubscribing: signed tokens (forged, altered, another key's: 400 problems), the page a GET
shows (which changes nothing), the one-click POST of RFC 8058 from a real email's
``List-Unsubscribe`` header (no sign-in), and each scope: one kind, the digest, all email —
and resuming email."""

from __future__ import annotations

import base64
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from jumo_common.events.applications import ApplicationAccepted
from jumo_common.events.identity import UserDeleted
from jumo_common.testing.tokens import TestKeys
from jumo_notifier.unsubscribe import BadToken, Tokens, unsubscribe_path

from .conftest import Client, Person, new_org, person, publish, service
from .mailbox import Mailbox, address, mailbox, mailing, smtp_overrides
from .test_mail import application

__all__ = ["mailbox", "smtp_overrides"]  # fixtures
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def overrides(smtp_overrides: dict[str, Any]) -> dict[str, Any]:
    """The stack's Mailpit; the loops off."""
    return smtp_overrides


def tokens(client: Client) -> Tokens:
    """The app's token signer."""
    return mailing(client).tokens


async def preferences(client: Client, who: Person) -> dict[str, Any]:
    """``GET /notifications/preferences``."""
    answer = await client.get("/notifications/preferences", headers=who.auth)
    assert answer.status == 200
    body: dict[str, Any] = await answer.json()
    return body


def test_tokens_are_signed_and_checked() -> None:
    signer = Tokens(b"k" * 32)
    user = uuid.uuid4().hex
    token = signer.sign(user, "application_accepted")
    assert signer.verify(token) == (user, "application_accepted")
    assert signer.verify(signer.sign(user, "all")) == (user, "all")
    assert signer.verify(signer.sign(user, "digest")) == (user, "digest")
    forged = [
        token.replace("application_accepted", "all"),  # another scope, same signature
        token.replace(user, uuid.uuid4().hex),  # another person
        token[:-2],  # truncated
        token + "A",
        Tokens(b"x" * 32).sign(user, "application_accepted"),  # another key
        "garbage",
        "a.b.c",
        "",
    ]
    for bad in forged:
        with pytest.raises(BadToken):
            signer.verify(bad)
    with pytest.raises(ValueError, match="cannot sign"):
        signer.sign(user, "not_a_kind")


async def test_a_forged_token_is_a_400_problem(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann", email=address("ann"))
    good = tokens(client).sign(ann.user_id, "all")
    mac = good.rsplit(".", 1)[1]
    other_key = Tokens(base64.b64decode(base64.b64encode(b"z" * 32))).sign(ann.user_id, "all")
    for bad in (f"{ann.user_id}.all.{mac[:-1]}B", f"{ann.user_id}.digest.{mac}", other_key,
                "nonsense"):  # fmt: skip
        for method in ("GET", "POST"):
            answer = await client.request(method, unsubscribe_path(bad), data=ONE_CLICK)
            assert answer.status == 400, await answer.text()
            assert answer.content_type == "application/problem+json"
            problem = await answer.json()
            assert problem["status"] == 400
            assert problem["type"].endswith("bad-unsubscribe-token")
    for method in ("GET", "POST"):
        missing = await client.request(method, "/notifications/unsubscribe")
        assert missing.status == 422
    assert (await preferences(client, ann))["email_stopped"] is None


async def test_the_one_click_header_of_an_email_turns_that_kind_off(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    to = address("val")
    val = await person(client, keys, "Val", email=to)
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 1)))
    [arrived] = await mailbox.wait_for(to)
    [header] = (await mailbox.headers(arrived["ID"]))["List-Unsubscribe"]
    link = urlsplit(header.strip("<>"))
    assert link.path == "/notifications/unsubscribe"
    path = f"{link.path}?{link.query}"
    # A link scanner's GET: a page with a button, nothing changes.
    page = await client.get(path)
    assert page.status == 200
    assert page.content_type == "text/html"
    html = await page.text()
    assert "Stop emails about accepted applications" in html
    assert 'method="post"' in html
    assert 'name="List-Unsubscribe" value="One-Click"' in html
    assert page.headers["Cache-Control"] == "no-store"
    prefs = await preferences(client, val)
    assert prefs["kinds"]["application_accepted"]["email"] is True
    # The mail client's one-click POST (RFC 8058), without any sign-in.
    done = await client.post(path, data=ONE_CLICK)
    assert done.status == 200
    assert "you will no longer get emails about accepted applications" in await done.text()
    prefs = await preferences(client, val)
    assert prefs["kinds"]["application_accepted"] == {"in_app": True, "email": False,
                                                      "facebook": False}  # fmt: skip
    assert prefs["kinds"]["application_declined"]["email"] is True  # only that kind
    assert prefs["email_stopped"] is None
    again = await client.post(path, data=ONE_CLICK, headers={"Accept": "text/plain"})
    assert again.status == 200  # idempotent
    assert again.content_type == "text/plain"
    # The next acceptance stays in the app.
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 2)))
    assert len(await mailbox.to(to)) == 1
    assert await mailing(client).store.emails.count_documents({"recipient": val.user_id}) == 1


async def test_the_body_links_stop_the_digest_or_everything_and_email_resumes(
    client: Client, keys: TestKeys, mailbox: Mailbox
) -> None:
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    to = address("val")
    val = await person(client, keys, "Val", email=to)
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 1)))
    [arrived] = await mailbox.wait_for(to)
    text = (await mailbox.message(arrived["ID"]))["Text"]
    links = [w for w in text.split() if "/notifications/unsubscribe?token=" in w]
    scopes = [parse_qs(urlsplit(link).query)["token"][0].split(".")[1] for link in links]
    assert scopes == ["application_accepted", "all"]
    digest = unsubscribe_path(tokens(client).sign(val.user_id, "digest"))
    assert (await client.post(digest, data=ONE_CLICK)).status == 200
    prefs = await preferences(client, val)
    assert prefs["digest"] == "never"
    assert prefs["kinds"]["application_accepted"]["email"] is True
    everything = urlsplit(links[1])
    answer = await client.post(f"{everything.path}?{everything.query}", data=ONE_CLICK)
    assert answer.status == 200
    assert "all email from Jumo" in await answer.text()
    prefs = await preferences(client, val)
    assert prefs["email_stopped"].startswith("You unsubscribed from all email on ")
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 2)))
    assert len(await mailbox.to(to)) == 1
    # Resuming is the person's own act (signed in), and email reaches them again.
    refused = await client.post("/notifications/email/resume")
    assert refused.status == 401
    resumed = await client.post("/notifications/email/resume", headers=val.auth)
    assert resumed.status == 200
    assert await resumed.json() == {"email_stopped": None}
    assert (await preferences(client, val))["email_stopped"] is None
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 3)))
    assert len(await mailbox.wait_for(to, 2)) == 2


async def test_an_erased_person_s_link_writes_nothing_back(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann", email=address("ann"))
    await publish(client, UserDeleted(user_id=ann.user_id), producer="identity")
    for scope in ("application_accepted", "digest", "all"):
        path = unsubscribe_path(tokens(client).sign(ann.user_id, scope))
        assert (await client.post(path, data=ONE_CLICK)).status == 200
    store = mailing(client).store
    assert await store.people.find_one({"_id": ann.user_id}) == {"_id": ann.user_id,
                                                                  "erased": True}  # fmt: skip
    assert await service(client).store.preferences_of(ann.user_id) is None
