"""Signing in from a browser: where a login lands, and the refresh cookie.

A browser's login ends with a redirect back into the app (never a page of tokens), and its
refresh token lives only in an HttpOnly cookie that script cannot read:

- ``return_to``: the app path the login started from, a same-origin path only (``/feed?x=1``;
  never ``//host``, a scheme, a backslash, whitespace or a control character, with which a
  browser may reach another origin). Checked when the login starts (an invalid one is a 422
  there) and again when the callback reads it back from the one-time state.
- Which callers are browsers: a request that prefers HTML to JSON in its ``Accept`` header —
  what a browser's navigation sends (``text/html,…,*/*;q=0.8``). ``Accept: application/json``,
  ``*/*`` (curl, HTTP libraries) and no ``Accept`` at all keep the JSON answer.
- The refresh cookie ``jumo_refresh``, set twice with the same value: once with
  ``Path=/auth/refresh`` and once with ``Path=/auth/logout``, so that each of the two routes
  that need it receives it, and no other path does (a shared prefix such as ``/auth`` would
  also send it to the Facebook login routes). ``HttpOnly; SameSite=Strict``, ``Secure`` when
  the public URL is https, ``Max-Age`` the refresh token's lifetime; both copies are rotated
  together and cleared together (``Max-Age=0``).
- A request that uses the cookie must also carry ``X-Jumo-Client: web``: a header a
  cross-site form cannot send, and that a cross-origin script can send only after a CORS
  preflight nobody approves.

Pure functions: no aiohttp, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

REFRESH_COOKIE = "jumo_refresh"
REFRESH_PATH = "/auth/refresh"
LOGOUT_PATH = "/auth/logout"
COOKIE_PATHS = (REFRESH_PATH, LOGOUT_PATH)
CLIENT_HEADER = "X-Jumo-Client"
CLIENT_HEADER_VALUE = "web"
DEFAULT_RETURN_TO = "/"
RETURN_TO_MAX_LENGTH = 1024

# Visible ASCII (non-ASCII comes percent-encoded, as a browser's location has it) but the
# backslash, which browsers read as "/" ("/\\evil.example" is "//evil.example"), and the quote
# and angle brackets, which a browser always encodes. No space, tab, newline or other control
# character either: browsers drop tabs and newlines from URLs, so "/\t/evil.example" would be
# "//evil.example" too. Characters browsers leave as they are in a query ([]{}|^`) are fine.
_PATH_CHARS = "".join(re.escape(chr(c)) for c in range(0x21, 0x7F) if chr(c) not in '\\"<>')
_RETURN_TO = re.compile(rf"/(?![/\\])[{_PATH_CHARS}]*")
_MEDIA_RANGE = re.compile(r"^\s*([^\s;/]+)/([^\s;]+)\s*(.*)$")
_Q = re.compile(r";\s*q\s*=\s*([0-9.]+)", re.IGNORECASE)


def return_to_problem(value: str) -> str | None:
    """Why ``value`` is not a same-origin app path to return to, or None when it is one."""
    if len(value) > RETURN_TO_MAX_LENGTH:
        return f"must be at most {RETURN_TO_MAX_LENGTH} characters"
    if not _RETURN_TO.fullmatch(value):
        return (
            "must be a path of this site: starting with '/' but not '//' or '/\\', without a"
            " scheme, host, backslash, quote, angle bracket, space or control character"
            " (percent-encode the rest)"
        )
    return None


def safe_return_to(value: object) -> str:
    """Where to send the browser: ``value`` if it is a safe app path, else ``/``."""
    if isinstance(value, str) and return_to_problem(value) is None:
        return value
    return DEFAULT_RETURN_TO


def _quality(params: str) -> float:
    match = _Q.search(params)
    if match is None:
        return 1.0
    try:
        return min(max(float(match.group(1)), 0.0), 1.0)
    except ValueError:
        return 0.0


def _ranges(accept: str) -> Iterator[tuple[str, str, float]]:
    for part in accept.split(","):
        match = _MEDIA_RANGE.match(part)
        if match is not None:
            kind, sub, params = match.groups()
            yield kind.lower(), sub.lower(), _quality(params)


def _quality_of(ranges: list[tuple[str, str, float]], kind: str, sub: str) -> float:
    """The quality the most specific matching range gives ``kind/sub`` (RFC 9110 12.5.1)."""
    best: tuple[int, float] = (-1, 0.0)
    for r_kind, r_sub, q in ranges:
        if (r_kind, r_sub) == (kind, sub):
            specificity = 2
        elif (r_kind, r_sub) == (kind, "*"):
            specificity = 1
        elif (r_kind, r_sub) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, q)
    return best[1]


def prefers_html(accept: str | None) -> bool:
    """Whether a request's ``Accept`` asks for HTML over JSON: a browser's page navigation."""
    if not accept:
        return False
    ranges = list(_ranges(accept))
    return _quality_of(ranges, "text", "html") > _quality_of(ranges, "application", "json")


def refresh_cookies(value: str, max_age: int, *, secure: bool) -> list[str]:
    """The ``Set-Cookie`` values that hold ``value`` (``""`` with ``max_age=0`` clears them)."""
    attributes = f"Max-Age={max_age}; HttpOnly; SameSite=Strict"
    if secure:
        attributes += "; Secure"
    return [f"{REFRESH_COOKIE}={value}; Path={path}; {attributes}" for path in COOKIE_PATHS]


def clearing_cookies(*, secure: bool) -> list[str]:
    """The ``Set-Cookie`` values that delete both copies of the refresh cookie."""
    return refresh_cookies("", 0, secure=secure)
