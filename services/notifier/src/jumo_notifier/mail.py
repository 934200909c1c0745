"""The email channel: each notice the chain allows, sent at most once per (person, event).

``Mail.deliver`` runs the chain for ``email`` (its "already done" is the ``emails`` record, and
``email_reachable`` skips people without an address or whose email stopped). For each allowed
recipient it inserts the email's record (``_id`` = the notification id) BEFORE speaking to the
relay, then sends, then writes the outcome. So a redelivery, a retry of the handler after a
temporary failure, or a second process finds the record and sends nothing twice. The price of
"at most once": a process killed after the record and before the relay took the message loses
that one email (its record stays ``sending``); the issue asks for at most once per (person,
event), and a duplicate is worse than a loss here.

- Quiet hours: the chain's ``hold_until``; the email is recorded ``held`` with its notice, and
  ``release_held`` (the background loop, every ``MAIL_RELEASE_INTERVAL_S``) sends it once the
  hours end — claimed by an exclusive insert in ``email_releases``, the chain asked again (the
  person may have unsubscribed meanwhile).
- A permanent refusal (5xx): the person's email stops (``people.email_stopped``, shown by
  ``GET /notifications/preferences``) and an ``email_stopped`` notification in the app tells
  them why. A temporary failure (4xx, the relay unreachable): the record is dropped and the
  handler raises, so the bus retries it with backoff; the recipients already sent stay sent.
- Complaints: no relay here reports them (no feedback loop reaches a local relay); the
  complaint a person can make is the one-click unsubscribe of everything (``all``), which stops
  all email exactly as a feedback-loop report would.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from jumo_common.events import Envelope
from jumo_common.events.identity import UserUpdated
from jumo_common.logging import get_logger
from jumo_common.mongo import Document
from jumo_notifier.chain import Candidate, Chain, Decision
from jumo_notifier.inbox import Inbox
from jumo_notifier.letters import Letters
from jumo_notifier.mail_store import MailStore, notice_doc, notice_of
from jumo_notifier.mailer import Mailer, Outcome, Session, TemporaryFailure
from jumo_notifier.model import Notice, Party, notification_id
from jumo_notifier.notices import Addressed
from jumo_notifier.store import NotifierStore

log = get_logger(__name__)
Clock = Callable[[], datetime]
# A held email whose release was claimed this long ago and never settled: its sender died.
RELEASE_LEASE = timedelta(minutes=10)
# A held email the relay could not take is tried again this much later.
RELEASE_RETRY = timedelta(minutes=1)
STOPPED_NAMESPACE = uuid.UUID("6f1c2c0e-9a43-4c8e-9f3a-6a3f0c1e5d21")
# How long (tenths of a second) a new address waits for the people projection before retrying.
PROJECTION_WAITS = 50


class ProjectionBehind(Exception):
    """What this handler needs another queue's handler to have written first: retry later."""


def utc_now() -> datetime:
    """The current time, aware."""
    return datetime.now(UTC)


class Mail:
    """The email channel (see the module doc)."""

    def __init__(
        self,
        store: NotifierStore,
        mail_store: MailStore,
        chain: Chain,
        inbox: Inbox,
        letters: Letters,
        mailer: Mailer,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.mail_store = mail_store
        self.chain = chain
        self.inbox = inbox
        self.letters = letters
        self.mailer = mailer
        self.clock = clock
        chain.register("email", lambda notice: mail_store.emailed(notice.event_id, notice.kind))

    # -- delivering -------------------------------------------------------------------------

    async def deliver(self, addressed: Addressed) -> int:
        """Email the notice to every recipient the chain allows; how many were sent."""
        notice = addressed.notice
        now = self.clock()
        allowed = await self.chain.allowed(notice, addressed.recipients, "email", now,
                                           addressed.known)  # fmt: skip
        if not allowed:
            return 0
        sent, later = 0, None
        async with self.mailer.session() as session:
            for candidate, decision in allowed:
                try:
                    sent += await self._one(session, candidate, decision, now)
                except TemporaryFailure as exc:
                    later = exc
                    if exc.connection_lost:
                        break
        if later is not None:
            raise later  # the bus retries; who was sent has a record and is skipped then
        return sent

    async def _one(
        self, session: Session, candidate: Candidate, decision: Decision, now: datetime
    ) -> int:
        notice, user_id = candidate.notice, candidate.recipient
        email_id = notification_id(notice, user_id)
        record: Document = {
            "_id": email_id,
            "recipient": user_id,
            "kind": notice.kind,
            "event_id": notice.event_id,
            "created_at": now,
        }
        if decision.hold_until is not None:
            await self.mail_store.claim(
                record
                | {"state": "held", "hold_until": decision.hold_until, "notice": notice_doc(notice)}
            )
            return 0
        if not await self.mail_store.claim(record | {"state": "sending"}):
            return 0  # recorded before: sent, held, or lost to a crash — never twice
        try:
            return await self._send(session, notice, candidate.person or {}, email_id, now)
        except TemporaryFailure:
            await self.mail_store.forget_claim(email_id)  # certainly not sent: the retry may
            raise

    async def _send(
        self, session: Session, notice: Notice, person: Document, email_id: str, now: datetime
    ) -> int:
        """Send one claimed email and write what became of it."""
        try:
            message = self.letters.notice(notice, person, email_id, now)
        except ValueError as exc:  # an address the email library cannot write
            outcome = Outcome("refused", f"not a valid address ({exc})")
        else:
            outcome = await session.send(message, str(person["email"]))
        await self._settle(email_id, person, outcome, now)
        return 1 if outcome.verdict == "sent" else 0

    async def _settle(
        self, email_id: str, person: Document, outcome: Outcome, now: datetime
    ) -> None:
        await self.mail_store.settle(
            email_id, {"state": outcome.verdict, "reply": outcome.reply, "settled_at": now}
        )
        if outcome.verdict == "refused":
            await self.refused(person, outcome.reply, email_id, now)
        elif outcome.verdict == "unknown":
            log.warning("email may not have been delivered", email_id=email_id, reply=outcome.reply)

    # -- refusals ---------------------------------------------------------------------------

    async def refused(self, person: Document, reply: str, key: str, now: datetime) -> None:
        """The relay refused a person's address for good: email to it stops, and the person
        is told why in the app (once per refusal: the notification's id comes from ``key``)."""
        user_id, address = person["_id"], person.get("email")
        why = f"the mail server refused {address} ({reply})"
        sentence = f"Email to {address} stopped on {now:%d %B %Y}: {why}."
        await self.mail_store.stop_email(user_id, sentence, "refused", address)
        log.warning("email stopped: the relay refused the address", reply=reply)
        event_id = str(uuid.uuid5(STOPPED_NAMESPACE, key))
        notice = Notice(
            "email_stopped",
            event_id,
            now,
            subject=Party("person", user_id, "your email", "/notifications/preferences"),
            data={"reason_text": why},
        )
        await self.inbox.deliver(Addressed(notice, [user_id]))

    async def on_address_changed(self, event: Envelope[UserUpdated]) -> None:
        """A person whose address was refused gave another one: email reaches the new one (an
        unsubscribing from all stays: it was about the person, not the address)."""
        address, user_id = event.data.email, event.data.user_id
        person = await self.store.person(user_id)
        if not address or person is None or person.get("email_stopped_reason") != "refused":
            return
        if person.get("email_stopped_for") == address:
            return
        # The people projection writes this event too (notifier.people), and on FerretDB a
        # write that overlaps it can be lost: resume once the projection holds the new address.
        for _ in range(PROJECTION_WAITS):
            person = await self.store.person(user_id) or {}
            if person.get("email") == address or person.get("erased"):
                break
            await asyncio.sleep(0.1)
        else:
            raise ProjectionBehind("the people projection has not applied the new address yet")
        if not person.get("erased"):
            await self.mail_store.resume_email(user_id)
            log.info("email resumes: a new address after a refusal")

    # -- held emails ------------------------------------------------------------------------

    async def release_held(self, now: datetime | None = None) -> int:
        """Send the held emails whose quiet hours are over; how many were sent."""
        now = now or self.clock()
        sent = 0
        due = await self.mail_store.held_due(now)
        if not due:
            return 0
        async with self.mailer.session() as session:
            for record in due:
                try:
                    sent += await self._release(session, record, now)
                except TemporaryFailure as exc:
                    log.info("held email waits for the relay", reply=exc.reply)
                    if exc.connection_lost:
                        break
        return sent

    async def _release(self, session: Session, record: Document, now: datetime) -> int:
        email_id = record["_id"]
        if not await self.mail_store.claim_release(email_id, record["recipient"], now):
            await self._give_up_if_stale(email_id, now)
            return 0
        notice = notice_of(record["notice"])
        candidates = await self.chain.candidates(notice, [record["recipient"]], "email", now)
        candidate = candidates[0]
        candidate.delivered = False  # its own record: the chain's duplicate check is this one
        decision = await self.chain.decide(candidate)
        if not decision.notify:
            await self.mail_store.settle(email_id, {"state": "dropped", "why": decision.why})
            return 0
        if decision.hold_until is not None:  # new quiet hours meanwhile: wait for their end
            await self.mail_store.settle(email_id, {"hold_until": decision.hold_until})
            await self.mail_store.unclaim_release(email_id)
            return 0
        await self.mail_store.settle(email_id, {"state": "sending"})
        try:
            return await self._send(session, notice, candidate.person or {}, email_id, now)
        except TemporaryFailure:
            # Certainly not sent: back on hold for a little while, a later pass tries again.
            await self.mail_store.settle(
                email_id, {"state": "held", "hold_until": now + RELEASE_RETRY}
            )
            await self.mail_store.unclaim_release(email_id)
            raise

    async def _give_up_if_stale(self, email_id: str, now: datetime) -> None:
        """A release claimed long ago and never settled: its process died mid-send. It may have
        been sent; it is never sent again (its record becomes ``unknown``)."""
        claimed = await self.mail_store.release_claimed_at(email_id)
        if claimed is not None and now - claimed > RELEASE_LEASE:
            await self.mail_store.settle(
                email_id, {"state": "unknown", "reply": "its sender died mid-send"}
            )


Step = Callable[[datetime], Awaitable[int]]


async def every(interval_s: float, step: Step, clock: Clock, name: str) -> None:
    """Run ``step(now)`` every ``interval_s`` seconds, forever; a failed pass is logged and the
    next one runs (each pass is idempotent)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await step(clock())
        except Exception:
            log.exception("background pass failed", loop=name)


@contextlib.asynccontextmanager
async def running(loops: Sequence[tuple[str, float, Step]], clock: Clock) -> AsyncIterator[None]:
    """Run the loops whose interval is above 0 for the duration of the block."""
    tasks = [
        asyncio.create_task(every(interval, step, clock, name), name=name)
        for name, interval, step in loops
        if interval > 0
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
