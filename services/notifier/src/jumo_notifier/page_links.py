"""Linking an organization's Facebook Page, so that notifier may post to it.

1. ``start``: an owner or admin of the organization (notifier's ``members`` projection) asks for
   the Login dialog URL with the Page permissions (``PAGE_SCOPES``, ``auth_type=rerequest`` so
   a declined permission is asked again), PKCE (S256), and a one-time state kept only as its
   hash, bound to the admin, the organization and the browser (a nonce in an HttpOnly cookie,
   kept as its hash too: a dialog URL sent to someone else cannot link *their* Page to the
   sender's organization), expiring after ``LOGIN_TTL``.
2. ``callback``: Facebook sends the browser back with ``code`` and ``state``; the state is taken
   once, the code traded for a user token (then a long-lived one: Page tokens got from it do
   not expire), both Page permissions are checked, and ``GET /me/accounts`` lists the Pages.
   The Page named at ``start`` is linked, else the only one; with several and none named, the
   answer lists them and the admin picks one with ``choose`` within the login's lifetime.
3. The Page token is sealed (AES-256-GCM under ``PAGE_TOKEN_KEY``, bound to ``page-token:<org
   id>``) and opened only to post. No token is ever logged or answered.

Unlinking deletes the link and its token; a new link (a new token) clears a broken or blocked
status of the Page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.errors import DomainError
from jumo_common.logging import get_logger
from jumo_common.mongo import Document, as_utc
from jumo_common.sealing import Sealer, SealError
from jumo_facebook import FacebookClient, FacebookError, FacebookUnavailableError
from jumo_facebook.models import ManagedPage
from jumo_notifier.page_store import PageStore, fingerprint
from jumo_notifier.poster import Target
from jumo_notifier.settings import NotifierSettings
from jumo_notifier.store import ADMIN_ROLES, NotifierStore, pair_id

log = get_logger(__name__)
PAGE_SCOPES = ("pages_show_list", "pages_manage_posts", "pages_read_engagement")
# Both are needed to post and to read back our own posts (the marker check).
NEEDED = frozenset({"pages_manage_posts", "pages_read_engagement"})
LOGIN_TTL = timedelta(minutes=10)


class UnknownOrganization(DomainError):
    """notifier has not heard of this organization."""

    status = 404
    slug = "unknown-organization"


class NotAnAdmin(DomainError):
    """Only an organization's owners and admins link its Page."""

    status = 403
    slug = "not-an-admin"


class NotLinked(DomainError):
    """The organization has no Page linked (or no choice pending)."""

    status = 404
    slug = "page-not-linked"


class LoginRefused(DomainError):
    """The login cannot link a Page: its state is unknown, used, expired or from another
    browser; the person cancelled; Facebook refused the code."""

    status = 400
    slug = "page-login-refused"


class NoSuchPage(DomainError):
    """The person manages no such Page (or none, or declined a Page permission)."""

    status = 422
    slug = "no-such-page"


class FacebookUnavailable(DomainError):
    """Facebook did not answer: nothing was linked; try again."""

    status = 502
    slug = "facebook-unavailable"


@dataclass(frozen=True)
class CallbackParams:
    """What Facebook's redirect carries (and the browser's login cookie)."""

    state: str | None
    code: str | None
    error: str | None
    error_description: str | None
    browser_nonce: str | None


@dataclass(frozen=True)
class LoginStarted:
    """Where to send the browser; ``browser_nonce`` goes in the login cookie."""

    url: str
    expires_at: datetime
    browser_nonce: str


def sha256_hex(value: str) -> str:
    """The hash a bearer secret (a state, a nonce) is kept under."""
    return hashlib.sha256(value.encode()).hexdigest()


class PageLinks:
    """The linking use cases, and the opening of a linked Page's token for the poster."""

    def __init__(self, settings: NotifierSettings, store: NotifierStore, pages: PageStore,
                 graph: Callable[[], FacebookClient]) -> None:  # fmt: skip
        self.settings = settings
        self.store = store
        self.pages = pages
        self.graph = graph
        self.sealer = Sealer(settings.page_token_key_bytes())

    async def require_admin(self, org_id: str, user_id: str) -> Document:
        """The organization, when ``user_id`` is one of its owners or admins."""
        org = await self.store.org(org_id)
        member = await self.store.members.find_one({"_id": pair_id(org_id, user_id)})
        if org is None and member is None:
            raise UnknownOrganization("notifier knows no such organization.")
        if member is None or not member.get("active") or member.get("role") not in ADMIN_ROLES:
            raise NotAnAdmin("Only the organization's owners and admins manage its Facebook Page.")
        return org or {"_id": org_id}

    # -- logging in -------------------------------------------------------------------------

    async def start(self, org_id: str, admin: str, page_id: str | None) -> LoginStarted:
        """The Login dialog URL of a new one-time login (see the module doc)."""
        await self.require_admin(org_id, admin)
        now = datetime.now(UTC)
        await self.pages.purge_logins(now)
        begun = self.graph().start_login(self.settings.page_redirect_uri(), PAGE_SCOPES,
                                         rerequest=True)  # fmt: skip
        nonce, key = secrets.token_urlsafe(24), sha256_hex(begun.state)
        verifier = begun.code_verifier
        await self.pages.save_login(key, {
            "org_id": org_id, "admin": admin, "browser": sha256_hex(nonce), "page_id": page_id,
            "verifier": self.sealer.seal(verifier, f"page-login:{key}") if verifier else None,
            "expires_at": now + LOGIN_TTL,
        })  # fmt: skip
        return LoginStarted(begun.url, now + LOGIN_TTL, nonce)

    async def callback(self, params: CallbackParams) -> dict[str, Any]:
        """Facebook's redirect: link the Page, or keep the Pages found for the admin to pick."""
        login = await self._take(params)
        if params.error or not params.code:
            why = params.error_description or params.error or "no code"
            raise LoginRefused(f"Facebook did not grant the Page permissions: {why}.")
        org_id, admin = str(login["org_id"]), str(login["admin"])
        await self.require_admin(org_id, admin)
        managed = await self._managed_pages(login, params.code)
        wanted = login.get("page_id")
        if wanted is not None or len(managed) == 1:
            chosen = next((p for p in managed if p.id == (wanted or managed[0].id)), None)
            if chosen is None:
                raise NoSuchPage("You do not manage that Page (or did not grant access to it).")
            return await self._link(org_id, admin, chosen.id, chosen.name, chosen.access_token)
        await self._keep_choice(org_id, admin, managed, as_utc(login["expires_at"]))
        return await self.describe(org_id, admin)

    async def _take(self, params: CallbackParams) -> Document:
        if not params.state or len(params.state) > 512:
            raise LoginRefused("The login state is missing.")
        login = await self.pages.take_login(sha256_hex(params.state))
        if login is None:
            raise LoginRefused("The login state is unknown or already used.")
        if as_utc(login["expires_at"]) < datetime.now(UTC):
            raise LoginRefused("The login expired: start again.")
        nonce = params.browser_nonce or ""
        if not hmac.compare_digest(sha256_hex(nonce), str(login["browser"])) or not nonce:
            raise LoginRefused("The login was started in another browser.")
        return login

    async def _managed_pages(self, login: Document, code: str) -> list[ManagedPage]:
        """Trade the code for a long-lived user token, check the permissions, list the Pages."""
        sealed = login.get("verifier")
        verifier = self.sealer.open(sealed, f"page-login:{login['_id']}") if sealed else None
        graph = self.graph()
        try:
            short = await graph.exchange_code(code, self.settings.page_redirect_uri(),
                                              code_verifier=verifier)  # fmt: skip
            user_token = (await graph.exchange_long_lived(short.access_token)).access_token
            granted = {p.permission for p in await graph.permissions(user_token) if p.granted}
            if not granted >= NEEDED:
                missing = ", ".join(sorted(NEEDED - granted))
                raise NoSuchPage(f"Jumo needs the permissions {missing} to post to your Page.")
            managed = await graph.pages(user_token)
        except FacebookUnavailableError:
            raise FacebookUnavailable("Facebook did not answer; try again.") from None
        except FacebookError as exc:  # a used, expired or foreign code; a dead token
            raise LoginRefused(f"Facebook refused the login (code {exc.code}).") from None
        if not managed:
            raise NoSuchPage("You manage no Facebook Page (or did not let Jumo see them).")
        return managed

    async def _keep_choice(self, org_id: str, admin: str, managed: list[ManagedPage],
                           until: datetime) -> None:  # fmt: skip
        context = f"page-choice:{org_id}|{admin}"
        options = [{"id": p.id, "name": p.name,
                    "token": self.sealer.seal(p.access_token, f"{context}:{p.id}")}
                   for p in managed]  # fmt: skip
        await self.pages.save_choice(org_id, admin, {"pages": options, "expires_at": until})

    async def choose(self, org_id: str, admin: str, page_id: str) -> dict[str, Any]:
        """Link the Page the admin picked among those their login found."""
        await self.require_admin(org_id, admin)
        choice = await self.pages.take_choice(org_id, admin)
        if choice is None or as_utc(choice["expires_at"]) < datetime.now(UTC):
            raise NotLinked("No Pages are waiting for your choice: log in with Facebook again.")
        option = next((p for p in choice["pages"] if p["id"] == page_id), None)
        if option is None:
            await self.pages.save_choice(org_id, admin, choice)
            raise NoSuchPage("That Page was not among those your login found.")
        token = self.sealer.open(option["token"], f"page-choice:{org_id}|{admin}:{page_id}")
        return await self._link(org_id, admin, page_id, option["name"], token)

    async def _link(self, org_id: str, admin: str, page_id: str, name: str,
                    token: str) -> dict[str, Any]:  # fmt: skip
        now = datetime.now(UTC)
        before = await self.pages.link(org_id) or {}
        await self.pages.save_link(org_id, {
            "org_id": org_id, "page_id": page_id, "page_name": name,
            "token": self.sealer.seal(token, f"page-token:{org_id}"),
            "linked_by": admin, "linked_at": now,
            "post_opportunities": bool(before.get("post_opportunities", False)),
            "post_news": bool(before.get("post_news", False)),
        })  # fmt: skip
        await self.pages.set_status(page_id, "ok", None, now, token_fp=fingerprint(token))
        log.info("facebook page linked", org_id=org_id, page_id=page_id)
        return await self.describe(org_id, admin)

    # -- the link ---------------------------------------------------------------------------

    async def describe(self, org_id: str, admin: str) -> dict[str, Any]:
        """The organization's link as its admins see it (never its token)."""
        await self.require_admin(org_id, admin)
        link = await self.pages.link(org_id)
        found: dict[str, Any] = {"org_id": org_id, "linked": link is not None, "choices": []}
        if link is not None:
            state = await self.pages.page(str(link["page_id"])) or {}
            shown = ("page_id", "page_name", "linked_at", "post_opportunities", "post_news")
            found |= {key: link.get(key) for key in shown}
            found |= {"status": state.get("status", "ok"), "why": state.get("why")}
        choice = await self.pages.choices.find_one({"_id": f"{org_id}|{admin}"})
        if choice is not None and as_utc(choice["expires_at"]) >= datetime.now(UTC):
            found["choices"] = [{"id": p["id"], "name": p["name"]} for p in choice["pages"]]
            found["choose_until"] = choice["expires_at"]
        return found

    async def change(self, org_id: str, admin: str, options: dict[str, bool]) -> dict[str, Any]:
        """What the organization wants posted to its Page."""
        await self.require_admin(org_id, admin)
        if options and not await self.pages.set_link_options(org_id, options):
            raise NotLinked("The organization has no Facebook Page linked.")
        if not options and await self.pages.link(org_id) is None:
            raise NotLinked("The organization has no Facebook Page linked.")
        return await self.describe(org_id, admin)

    async def unlink(self, org_id: str, admin: str) -> None:
        """Unlink the Page: the link and its token are deleted; nothing more is posted there."""
        await self.require_admin(org_id, admin)
        if not await self.pages.unlink(org_id):
            raise NotLinked("The organization has no Facebook Page linked.")
        log.info("facebook page unlinked", org_id=org_id)

    # -- for the poster ---------------------------------------------------------------------

    async def target(self, org_id: str, page_id: str) -> Target | str:
        """Where an organization's post goes now, or why it can go nowhere."""
        link = await self.pages.link(org_id)
        if link is None:
            return "the organization unlinked its Page"
        if link["page_id"] != page_id:
            return "the organization linked another Page"
        try:
            token = self.sealer.open(str(link["token"]), f"page-token:{org_id}")
        except SealError:
            log.error("a page token does not open (PAGE_TOKEN_KEY changed?)", org_id=org_id)
            return "the Page token cannot be opened"
        return Target(page_id, token, org_id)
