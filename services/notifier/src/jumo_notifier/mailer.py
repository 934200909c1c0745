"""Talking SMTP to the relay (aiosmtplib), one connection per batch, and what its answers mean.

Each message is its own transaction (MAIL FROM, RCPT TO, DATA) on a connection opened at the
first message of a batch and reused for the rest. What the relay answers decides:

- 2xx to DATA's end: **sent**;
- 5xx to RCPT TO or to the message: **refused** for good (the address or the message will never
  be taken): the caller stops email to that address;
- 4xx anywhere, a refused connection, a timeout or a disconnect before the message was handed
  over: ``TemporaryFailure`` — certainly not sent, the caller retries later;
- the connection lost or timed out *after* the message was handed over (waiting for DATA's
  answer): **unknown** — it may have been delivered, so it is never sent again (at most once).

A refused sender (5xx to MAIL FROM) is our configuration's fault, not the person's: temporary.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parseaddr
from typing import Literal

import aiosmtplib

from jumo_notifier.settings import NotifierSettings

Verdict = Literal["sent", "refused", "unknown"]
# How messages are written on the wire: CRLF, and header lines up to RFC 5322's 998 characters,
# so that a long List-Unsubscribe URI is folded nowhere (never turned into encoded words).
WIRE = SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Outcome:
    """What became of one message: ``reply`` is the relay's answer (code and text)."""

    verdict: Verdict
    reply: str = ""


class TemporaryFailure(Exception):
    """The relay did not take the message this time and did not refuse it for good."""

    def __init__(self, reply: str, *, connection_lost: bool = False) -> None:
        super().__init__(reply)
        self.reply = reply
        self.connection_lost = connection_lost


def reply_of(exc: aiosmtplib.SMTPResponseException) -> str:
    """A relay's answer as one line: ``550 5.1.1 no such user``."""
    return f"{exc.code} {' '.join(exc.message.split())}".strip()


def envelope_sender(mail_from: str) -> str:
    """The address of ``MAIL_FROM`` (``Jumo <notifications@jumo.example>`` → the address)."""
    return parseaddr(mail_from)[1] or mail_from


class Mailer:
    """The relay as notifier uses it."""

    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.sender = envelope_sender(settings.mail_from)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[Session]:
        """A batch's connection (opened at its first message, closed at the end)."""
        session = Session(self)
        try:
            yield session
        finally:
            await session.close()

    def client(self) -> aiosmtplib.SMTP:
        """A new client for the configured relay."""
        settings = self.settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=password,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_s,
            use_tls=False,
        )


class Session:
    """One connection to the relay, reconnected when it was lost."""

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self.smtp: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self.smtp is not None and self.smtp.is_connected:
            return self.smtp
        smtp = self.mailer.client()
        try:
            await smtp.connect()
        except aiosmtplib.SMTPResponseException as exc:
            smtp.close()
            raise TemporaryFailure(reply_of(exc), connection_lost=True) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            smtp.close()
            raise TemporaryFailure(
                f"cannot reach the relay: {exc!r}", connection_lost=True
            ) from exc
        self.smtp = smtp
        return smtp

    async def send(self, message: EmailMessage, recipient: str) -> Outcome:
        """Hand ``message`` to the relay for ``recipient`` (see the module doc)."""
        smtp = await self._connected()
        try:
            await smtp.mail(self.mailer.sender)
            await smtp.rcpt(recipient)
        except aiosmtplib.SMTPRecipientRefused as exc:
            return await self._refused_or_later(smtp, exc)
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset(smtp)
            raise TemporaryFailure(reply_of(exc)) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self._drop()
            raise TemporaryFailure(f"the relay went away: {exc!r}", connection_lost=True) from exc
        return await self._data(smtp, message)

    async def _data(self, smtp: aiosmtplib.SMTP, message: EmailMessage) -> Outcome:
        try:
            answer = await smtp.data(message.as_bytes(policy=WIRE))
        except aiosmtplib.SMTPResponseException as exc:
            return await self._refused_or_later(smtp, exc)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # The message may have been taken before the connection went: never send it again.
            self._drop()
            return Outcome("unknown", f"the relay went away during the message: {exc!r}")
        return Outcome("sent", f"{answer.code} {answer.message}")

    async def _refused_or_later(
        self, smtp: aiosmtplib.SMTP, exc: aiosmtplib.SMTPResponseException
    ) -> Outcome:
        await self._reset(smtp)
        if 500 <= exc.code < 600:
            return Outcome("refused", reply_of(exc))
        raise TemporaryFailure(reply_of(exc)) from exc

    async def _reset(self, smtp: aiosmtplib.SMTP) -> None:
        # After a failed transaction the connection serves the next message once reset.
        try:
            await smtp.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            self._drop()

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
        self.smtp = None

    async def close(self) -> None:
        """QUIT politely (or just close)."""
        if self.smtp is None:
            return
        with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            if self.smtp.is_connected:
                await self.smtp.quit()
        self._drop()
