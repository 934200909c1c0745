"""Emails as people receive them: a notice or a digest rendered from the templates in
``templates/email`` (jinja2; the HTML autoescaped) into a message with a plain-text and an HTML
part, its headers (From, To, Subject, Date, a Message-ID derived from what it is, so a resend
would carry the same one), RFC 8058's one-click ``List-Unsubscribe``, and signed unsubscribe
links in the body. No tracking pixel, no redirecting link: every link is the page itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jumo_notifier.mailer import WIRE, envelope_sender
from jumo_notifier.model import FACEBOOK_KINDS, Kind, Notice, render
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.unsubscribe import Scope, Tokens, unsubscribe_path

# What the button of each kind's email says (the default: "Open Jumo").
BUTTONS: dict[Kind, str] = {
    "welcome": "Open Jumo",
    "friend_joined": "See their profile",
    "followed": "See who it is",
    "follow_requested": "Answer the request",
    "joined_cause": "See the cause",
    "application_received": "Review the application",
    "application_accepted": "See the opportunity",
    "application_declined": "Find other opportunities",
    "application_waitlisted": "See the opportunity",
    "application_promoted": "See the opportunity",
    "application_expired": "Find other opportunities",
    "org_verified": "Publish an opportunity",
    "org_rejected": "See your organization",
    "event_tomorrow": "See the event",
    "opportunity_match": "See the opportunity",
    "org_post": "Read the post",
}
# Why a person gets each kind of email (said in its footer).
WHY: dict[Kind, str] = {
    "follow_requested": "someone asked to follow you",
    "application_received": "you run an organization on Jumo",
    "org_verified": "you run an organization on Jumo",
    "org_rejected": "you run an organization on Jumo",
    "event_tomorrow": "you have a place at this event",
    "opportunity_match": "it matches your causes, skills and place",
    "org_post": "you follow this organization",
}
# How the unsubscribe page names a kind's emails.
NAMES: dict[str, str] = {
    "welcome": "welcome emails",
    "friend_joined": "emails when a friend joins",
    "followed": "emails about new followers",
    "follow_requested": "emails about follow requests",
    "joined_cause": "emails about causes you join",
    "application_received": "emails about new applications",
    "application_accepted": "emails about accepted applications",
    "application_declined": "emails about declined applications",
    "application_waitlisted": "emails about waiting lists",
    "application_promoted": "emails about places that opened up",
    "application_expired": "emails about expired applications",
    "org_verified": "emails about your organization's verification",
    "org_rejected": "emails about your organization's verification",
    "event_tomorrow": "reminders of events",
    "opportunity_match": "emails about opportunities that match you",
    "org_post": "emails about organizations' posts",
    "email_stopped": "emails about stopped email",
}
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
SUBJECT_MAX = 150


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """Text fit for a header: no control characters, no runs of spaces, at most ``limit``."""
    text = " ".join(CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def scope_name(scope: Scope) -> str:
    """What a scope's unsubscribe stops, in words."""
    if scope == "all":
        return "all email from Jumo"
    if scope == "digest":
        return "the digest of what happened on Jumo"
    return NAMES.get(scope, "these emails")


def local_time(at: datetime, zone: str | None) -> str:
    """A calendar event's start in its zone: ``Saturday 14 June, 10:00 (Europe/Paris)``."""
    if not zone:
        return at.strftime("%A %d %B, %H:%M UTC")
    return at.astimezone(ZoneInfo(zone)).strftime("%A %d %B, %H:%M") + f" ({zone})"


def first_name(name: str) -> str:
    """The first word of a name (``Ann Lee`` → ``Ann``)."""
    return (name.split() or ["there"])[0]


class Letters:
    """Renders notices and digests into messages, and the unsubscribe pages."""

    def __init__(
        self, settings: NotifierSettings, tokens: Tokens, share_url: Callable[[str], str]
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.share_url = share_url
        self.domain = envelope_sender(settings.mail_from).rpartition("@")[2] or "jumo.example"
        self.env = Environment(
            loader=PackageLoader("jumo_notifier", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def url(self, path: str) -> str:
        """A page of the platform (``PUBLIC_BASE_URL`` + path)."""
        return f"{self.settings.public_base_url}{path}"

    def unsubscribe_url(self, user_id: str, scope: Scope) -> str:
        """The signed one-click unsubscribe link of one person and scope."""
        return self.url(unsubscribe_path(self.tokens.sign(user_id, scope)))

    # -- a notice ---------------------------------------------------------------------------

    def notice(
        self, notice: Notice, person: Mapping[str, Any], email_id: str, now: datetime
    ) -> EmailMessage:
        """One notice's email to one person."""
        doc = {
            "actor": notice.actor.as_doc() if notice.actor else None,
            "subject": notice.subject.as_doc() if notice.subject else None,
            "data": notice.data,
        }
        names = [notice.actor.name] if notice.actor else []
        sentence = render(notice.kind, doc, names, 1)
        target = notice.subject or notice.actor
        path = target.url if target is not None and target.url else "/notifications"
        if notice.kind == "follow_requested":
            path = "/notifications"
        context = self._common(person, notice.kind) | {
            "kind": notice.kind,
            "sentence": sentence,
            "link": self.url(path),
            "button": BUTTONS.get(notice.kind, "Open Jumo"),
            "share_url": self.share_url(path) if notice.kind in FACEBOOK_KINDS else None,
            "why": WHY.get(notice.kind, "it is about you"),
            "notice": notice,
            "when": self._when(notice),
        }
        html, text = self._render(f"kinds/{notice.kind}", "notice", context)
        return self._message(person, sentence, text, html, email_id, now, notice.kind)

    def _when(self, notice: Notice) -> str | None:
        starts = notice.data.get("starts_at")
        if not starts:
            return None
        return local_time(datetime.fromisoformat(starts), notice.data.get("time_zone"))

    # -- a digest ---------------------------------------------------------------------------

    def digest(
        self, person: Mapping[str, Any], content: Mapping[str, Any], digest_id: str, now: datetime
    ) -> EmailMessage:
        """A person's digest: ``content`` has ``posts``, ``opportunities``, ``events``."""
        frequency = content["frequency"]
        subject = f"Your {'daily' if frequency == 'daily' else 'weekly'} Jumo digest"
        events = [rsvp | {"when": local_time(rsvp["starts_at"], rsvp["event"].get("time_zone"))}
                  for rsvp in content["events"]]  # fmt: skip
        context = self._common(person, "digest") | {
            "content": {**content, "events": events},
            "title": subject,
            "url": self.url,
        }
        html, text = self._render("digest", "digest", context)
        return self._message(person, subject, text, html, digest_id, now, "digest")

    # -- shared -----------------------------------------------------------------------------

    def _common(self, person: Mapping[str, Any], scope: Scope) -> dict[str, Any]:
        user_id = person["_id"]
        return {
            "name": first_name(str(person.get("name") or "")),
            "base_url": self.settings.public_base_url,
            "unsubscribe_scope_url": self.unsubscribe_url(user_id, scope),
            "unsubscribe_scope_name": scope_name(scope),
            "unsubscribe_all_url": self.unsubscribe_url(user_id, "all"),
        }

    def _render(self, name: str, fallback: str, context: Mapping[str, Any]) -> tuple[str, str]:
        parts = []
        for suffix in ("html", "txt"):
            template = self.env.select_template(
                [f"email/{name}.{suffix}", f"email/{fallback}.{suffix}"]
            )
            parts.append(template.render(context))
        return parts[0], parts[1]

    def _message(
        self,
        person: Mapping[str, Any],
        subject: str,
        text: str,
        html: str,
        key: str,
        now: datetime,
        scope: Scope,
    ) -> EmailMessage:
        message = EmailMessage(policy=WIRE)
        message["From"] = self.settings.mail_from
        message["To"] = Address(
            one_line(str(person.get("name") or ""), 80), addr_spec=str(person["email"])
        )
        message["Subject"] = one_line(subject)
        message["Date"] = format_datetime(now)
        message["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{self.domain}>"
        message["List-Unsubscribe"] = f"<{self.unsubscribe_url(person['_id'], scope)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        # RFC 3834: written by a program; out-of-office replies should not answer it.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text, cte="quoted-printable")
        message.add_alternative(html, subtype="html", cte="quoted-printable")
        return message

    def page(self, name: str, **context: Any) -> str:
        """One of the small HTML pages (``templates/pages``)."""
        return self.env.get_template(f"pages/{name}.html").render(context)
