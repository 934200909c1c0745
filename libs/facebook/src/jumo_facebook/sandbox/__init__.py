"""Facebook, offline: one aiohttp server playing both Facebook hosts for one configured app.

Run it alone with ``python -m jumo_facebook.sandbox --help``, or in-process from tests::

    from aiohttp.test_utils import TestServer
    from jumo_facebook.sandbox import SandboxConfig, create_sandbox_app

    config = SandboxConfig(app_id="1", app_secret="s", redirect_uris=["http://x/cb"])
    server = TestServer(create_sandbox_app(config))
    await server.start_server()
    # FACEBOOK_GRAPH_URL and FACEBOOK_WWW_URL are then both str(server.make_url("")).

Facebook's own paths (every Graph answer carries ``x-app-usage``; Page calls also
``x-business-use-case-usage``; errors are ``{"error": {message, type, code, error_subcode?,
is_transient?, fbtrace_id}}``):

- ``GET /v26.0/dialog/oauth`` — the Login dialog (cookie session ``xs``): an authorized person
  is redirected at once with ``?code=…&state=…#_=_``; otherwise a login page (test users) and
  a consent page (Continue / Cancel → ``error=access_denied&error_reason=user_denied``).
- ``GET /v26.0/oauth/access_token`` — code exchange (single-use codes, exact redirect_uri,
  subcodes 36007/36008/36009, PKCE when a challenge was given, and a ``code_verifier`` refused
  for a code issued without one: RFC 9700 §2.1.1), ``grant_type=fb_exchange_token`` and
  ``client_credentials``.
- ``GET /v26.0/debug_token``, ``GET /v26.0/me`` (``fields``), ``/me/friends`` (cursor paging,
  ``summary.total_count``), ``GET|DELETE /me/permissions``, ``GET /me/accounts``,
  ``GET|POST /{page-id}/feed`` (Page token), ``POST /{user-id}/feed`` → 403 ``(#200)``.
- ``POST|GET /v26.0/{app-id}/accounts/test-users`` (app token ``app_id|app_secret``),
  ``POST /v26.0/{user-id}/friends/{other-id}`` (request, then the other's confirmation),
  ``DELETE /v26.0/{test-user-id}``; a test user's ``login_url`` logs a browser in.
- ``GET /dialog/share`` — the Share dialog page.
- ``appsecret_proof`` is checked whenever sent (plain, or ``token|unix_time`` with
  ``appsecret_time``) and required for user and Page tokens when ``require_proof`` is on.

Control API (JSON in, JSON out; not Facebook):

- ``POST /__sandbox/reset`` — forget everything (users, tokens, codes, Pages, posts, faults).
- ``GET /__sandbox/app`` — ``{app_id, redirect_uris, require_proof, public_url}``.
- ``POST /__sandbox/test-users`` ``{name?, installed=true, permissions=["email","user_friends"]}``
  → the test-user API's answer ``{id, access_token, login_url, email, password}``.
- ``POST /__sandbox/login`` ``{user_id, redirect_uri?, scope?, code_challenge?,
  code_challenge_method?}`` → ``{cookies: {xs, c_user}, cookie_header, login_url, code?}``;
  with ``redirect_uri`` the user also authorizes ``scope`` and gets a code for it.
- ``POST /__sandbox/pages`` ``{owner_id, name, id?, category?}`` → ``{id, name, access_token}``
  (a Page token with pages_manage_posts and pages_read_engagement).
- ``GET /__sandbox/posts[?page_id=]`` → ``{posts: [{id, page_id, message, link,
  created_time}], shares: [...]}``.
- ``POST /__sandbox/failures`` ``{path ("/v26.0/me" or "*"), method?, count=1, code?, subcode?,
  status?, message?, type?, is_transient?, latency_ms?, succeed_then_500?, regain_minutes?}``
  — the next ``count`` calls to ``path`` wait ``latency_ms`` then answer that error; with
  ``succeed_then_500`` the call takes effect and then answers 500 (code 2 unless given);
  ``regain_minutes`` fills ``estimated_time_to_regain_access``. ``DELETE`` clears them.
- ``POST /__sandbox/callbacks`` ``{kind: "deauthorize"|"data_deletion", user_id, url}`` —
  the user removes the app; the sandbox form-POSTs ``signed_request`` to ``url`` and answers
  ``{status, body, signed_request}``.
- ``POST /__sandbox/clock`` ``{advance_s}`` — move the sandbox clock (codes, tokens expire).
- ``POST /__sandbox/tokens`` ``{user_id, app_id?, scopes?}`` — mint a user token (``app_id``
  of another app plays a token issued elsewhere).
- ``POST /__sandbox/users/{id}/invalidate`` ``{subcode: 458|460|463|467}`` — kill its tokens.
"""

from jumo_facebook.sandbox.app import create_sandbox_app
from jumo_facebook.sandbox.auth import STATE_KEY
from jumo_facebook.sandbox.config import SandboxConfig
from jumo_facebook.sandbox.state import SandboxState

__all__ = ["STATE_KEY", "SandboxConfig", "SandboxState", "create_sandbox_app"]
