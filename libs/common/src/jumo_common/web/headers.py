"""Headers on every answer of a Jumo service, whichever handler, middleware or error made it.

Set just before the headers go out (aiohttp's ``on_response_prepare``), so a service reached
directly, without the gateway in front, answers as it does through the gateway:

- ``X-Content-Type-Options: nosniff``: a browser never guesses another type than ours.
- ``Cache-Control: no-store`` unless the handler chose its own: most answers carry someone's
  data (a profile, a token, a follow list), and a shared cache must not keep those. A handler
  whose answer is public says so itself (the JWKS: ``public, max-age=60``).
- ``Server: jumo`` instead of aiohttp's ``Python/3.x aiohttp/3.x``: no versions to look up.

aiohttp's own answers to a malformed request (text/plain, before any application sees it) do
not pass through here; the gateway answers those itself and never forwards them.
"""

from __future__ import annotations

from aiohttp import web

SERVER = "jumo"
NOSNIFF = "nosniff"
NO_STORE = "no-store"


async def set_response_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """The headers above, on ``response`` (an ``on_response_prepare`` signal handler)."""
    response.headers["X-Content-Type-Options"] = NOSNIFF
    response.headers.setdefault("Cache-Control", NO_STORE)
    response.headers["Server"] = SERVER  # aiohttp only sets its own when none is there


def add_response_headers(app: web.Application) -> None:
    """Put the headers above on every answer of ``app``."""
    app.on_response_prepare.append(set_response_headers)
