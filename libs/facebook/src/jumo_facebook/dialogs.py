"""The browser-side URLs: the Login dialog (state, PKCE) and the Share dialog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from jumo_facebook.security import code_challenge_s256, make_code_verifier, make_state
from jumo_facebook.settings import FacebookSettings

DEFAULT_SCOPES = ("public_profile", "email", "user_friends")


@dataclass(frozen=True)
class LoginStart:
    """Where to send the browser, and what to keep (by cookie) until it comes back."""

    url: str
    state: str
    code_verifier: str | None


def login_dialog_url(
    settings: FacebookSettings,
    redirect_uri: str,
    state: str,
    scopes: Sequence[str] = DEFAULT_SCOPES,
    code_challenge: str | None = None,
    rerequest: bool = False,
) -> str:
    """The Login dialog URL on the www host; ``code_challenge`` adds PKCE (S256)."""
    params = {
        "client_id": settings.app_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
        "scope": ",".join(scopes),
    }
    if code_challenge is not None:
        params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    if rerequest:
        params["auth_type"] = "rerequest"
    base = f"{settings.www_url.rstrip('/')}/{settings.graph_version}"
    return f"{base}/dialog/oauth?{urlencode(params)}"


def start_login(
    settings: FacebookSettings,
    redirect_uri: str,
    scopes: Sequence[str] = DEFAULT_SCOPES,
    rerequest: bool = False,
) -> LoginStart:
    """A fresh state (and PKCE verifier when ``use_pkce``) with the dialog URL."""
    state = make_state()
    verifier = make_code_verifier() if settings.use_pkce else None
    challenge = code_challenge_s256(verifier) if verifier else None
    url = login_dialog_url(settings, redirect_uri, state, scopes, challenge, rerequest)
    return LoginStart(url=url, state=state, code_verifier=verifier)


def share_dialog_url(
    settings: FacebookSettings,
    href: str,
    hashtag: str | None = None,
    redirect_uri: str | None = None,
) -> str:
    """The Share dialog link a member opens to post ``href`` to their own timeline."""
    params = {"app_id": settings.app_id, "display": "page", "href": href}
    if hashtag:
        params["hashtag"] = hashtag if hashtag.startswith("#") else f"#{hashtag}"
    if redirect_uri:
        params["redirect_uri"] = redirect_uri
    return f"{settings.www_url.rstrip('/')}/dialog/share?{urlencode(params)}"
