"""A relay that refuses: a Mailpit of this test's own with its Chaos triggers. A permanent
refusal of the recipient (550) stops email to that person, who sees why in the app and in their
preferences, and nothing is tried again until they resume email; a temporary one (451) makes
the bus retry the handler until the relay takes the message — once."""

from __future__ import annotations

from typing import Any

import pytest

from jumo_common.bus import BUS_KEY
from jumo_common.events import Envelope, make_event
from jumo_common.events.applications import ApplicationAccepted
from jumo_common.events.identity import UserUpdated
from jumo_common.testing.plugin import LogLines
from jumo_common.testing.tokens import TestKeys
from jumo_common.testing.wait import wait_until
from jumo_devstack import MailpitNode
from jumo_notifier.mailer import TemporaryFailure

from .conftest import HANDLED_WITHIN_S, Client, new_org, notifications, person, publish, service
from .mailbox import Mailbox, address, mailing, private_mailpit
from .test_mail import application

__all__ = ["private_mailpit"]  # fixtures
REFUSE = {"ErrorCode": 550, "Probability": 100}
LATER = {"ErrorCode": 451, "Probability": 100}
TAKE = {"ErrorCode": 451, "Probability": 0}


@pytest.fixture
def overrides(private_mailpit: tuple[MailpitNode, Mailbox]) -> dict[str, Any]:
    """notifier sends to this test's Mailpit; the loops off."""
    node, _ = private_mailpit
    return {"smtp_host": node.host, "smtp_port": node.smtp_port, "mail_release_interval_s": 0,
            "digest_interval_s": 0}  # fmt: skip


@pytest.fixture
async def relay(private_mailpit: tuple[MailpitNode, Mailbox]) -> Mailbox:
    """This test's Mailpit, taking everything to start with."""
    _, box = private_mailpit
    await box.chaos(Recipient=TAKE)
    return box


async def test_a_permanent_refusal_stops_email_and_the_person_sees_why(
    client: Client, keys: TestKeys, relay: Mailbox
) -> None:
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    to = address("val")
    val = await person(client, keys, "Val", email=to)
    await relay.chaos(Recipient=REFUSE)
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 1)))
    assert await relay.to(to) == []
    [record] = [d async for d in mailing(client).store.emails.find({"recipient": val.user_id})]
    assert record["state"] == "refused"
    assert record["reply"] == "550 Chaos recipient error"
    # The person sees why: in the app, and in their preferences.
    items = (await notifications(client, val))["items"]
    assert items[0]["kind"] == "email_stopped"
    assert items[0]["text"] == (
        f"We stopped emailing you: the mail server refused {to} (550 Chaos recipient error)"
    )
    prefs = await (await client.get("/notifications/preferences", headers=val.auth)).json()
    assert prefs["email_stopped"].startswith(f"Email to {to} stopped on ")
    assert "550 Chaos recipient error" in prefs["email_stopped"]
    # Nothing is tried again (the relay would take it now).
    await relay.chaos(Recipient=TAKE)
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 2)))
    assert await mailing(client).store.emails.count_documents({"recipient": val.user_id}) == 1
    assert await relay.to(to) == []
    assert [i["kind"] for i in (await notifications(client, val))["items"]].count(
        "email_stopped"
    ) == 1
    # The person says their address works again: email resumes.
    assert (await client.post("/notifications/email/resume", headers=val.auth)).status == 200
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 3)))
    [arrived] = await relay.wait_for(to)
    assert arrived["Subject"] == "Water for All accepted you for River clean-up"
    # Others were never affected.
    assert (await service(client).store.person(admin.user_id) or {}).get("email_stopped") is None


async def test_a_temporary_refusal_is_retried_until_the_relay_takes_it_once(
    client: Client, keys: TestKeys, relay: Mailbox, log_lines: LogLines
) -> None:
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    to = address("val")
    val = await person(client, keys, "Val", email=to)
    event: Envelope[Any] = make_event(
        ApplicationAccepted(**application(org, val, "accepted", 1)), producer="orgs"
    )
    await relay.chaos(Recipient=LATER)
    # The channel itself: a 451 raises, and leaves nothing recorded (the retry may send).
    [addressed] = await service(client).notices.application(event)
    with pytest.raises(TemporaryFailure, match="451"):
        await mailing(client).mail.deliver(addressed)
    assert await mailing(client).store.emails.count_documents({"recipient": val.user_id}) == 0
    # Through the bus: the handler fails, is retried with backoff, and sends once it can.
    await client.app[BUS_KEY].publisher.publish(event)

    async def retried() -> bool:
        return any(line.get("event") == "handler failed; will retry" and "451" in
                   str(line.get("error")) for line in log_lines())  # fmt: skip

    await wait_until(retried, timeout=HANDLED_WITHIN_S, what="a retry after the 451")
    assert await relay.to(to) == []
    await relay.chaos(Recipient=TAKE)
    await client.app[BUS_KEY].wait_handled(event.id, HANDLED_WITHIN_S)
    [arrived] = await relay.wait_for(to)
    assert arrived["Subject"] == "Water for All accepted you for River clean-up"
    assert (await service(client).store.person(val.user_id) or {}).get("email_stopped") is None
    assert len(await relay.to(to)) == 1


async def test_a_new_address_after_a_refusal_gets_email_again(
    client: Client, keys: TestKeys, relay: Mailbox
) -> None:
    admin = await person(client, keys, "Ada", email=address("ada"))
    org = await new_org(client, admin)
    old, new = address("val"), address("val")
    val = await person(client, keys, "Val", email=old)
    await relay.chaos(Recipient=REFUSE)
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 1)))
    assert (await service(client).store.person(val.user_id) or {})["email_stopped"]
    await relay.chaos(Recipient=TAKE)
    # The same address again (identity republishes the profile): still stopped.
    await publish(client, UserUpdated(user_id=val.user_id, display_name="Val", version=2,
                                      email=old), producer="identity")  # fmt: skip
    assert (await service(client).store.person(val.user_id) or {})["email_stopped"]
    await publish(client, UserUpdated(user_id=val.user_id, display_name="Val", version=3,
                                      email=new), producer="identity")  # fmt: skip
    assert (await service(client).store.person(val.user_id) or {}).get("email_stopped") is None
    await publish(client, ApplicationAccepted(**application(org, val, "accepted", 2)))
    [arrived] = await relay.wait_for(new)
    assert arrived["Subject"] == "Water for All accepted you for River clean-up"
    assert await relay.to(old) == []
