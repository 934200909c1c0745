"""``/facebook-pages``: an organization's owners and admins link its Facebook Page (thin routes
over ``page_links.PageLinks``). Every route but Facebook's redirect needs an access token of one
of the organization's owners or admins (others: 403; an organization notifier does not know:
404). No answer carries a token."""

from __future__ import annotations

from aiohttp import web

from jumo_common.jwt import require_user
from jumo_common.web import ApiRoutes, json_response, parse_body, parse_query
from jumo_notifier.page_links import LOGIN_TTL, CallbackParams, PageLinks
from jumo_notifier.page_schemas import (
    CallbackQuery,
    ChooseBody,
    LoginBody,
    LoginOut,
    OptionsBody,
    PageLinkOut,
)
from jumo_notifier.typedefs import NOTIFIER

routes = ApiRoutes(tags=("facebook-pages",))
ORG_ID = "{org_id:[0-9a-f]{32}}"
CALLBACK_PATH = "/facebook-pages/callback"
LOGIN_COOKIE = "jumo_page_login"
NO_STORE = {"Cache-Control": "no-store"}


def links(request: web.Request) -> PageLinks:
    """The linking use cases."""
    return request.app[NOTIFIER].facebook.links


@routes.post(
    f"/facebook-pages/{ORG_ID}/login", body=LoginBody, response=LoginOut, auth=True,
    problems=(400, 403, 404), summary="Start linking the organization's Facebook Page",
)  # fmt: skip
async def start_login(request: web.Request) -> web.Response:
    """The Facebook Login dialog URL (Page permissions, PKCE, a one-time state) to send the
    browser to; the answer sets an HttpOnly cookie binding the login to this browser. The body
    may name the Page to link (``page_id``)."""
    who = await require_user(request)
    body = await parse_body(request, LoginBody) if request.body_exists else LoginBody()
    org_id = request.match_info["org_id"]
    started = await links(request).start(org_id, who.user_id, body.page_id)
    response = json_response(LoginOut(url=started.url, expires_at=started.expires_at),
                             headers=NO_STORE)  # fmt: skip
    secure = request.app[NOTIFIER].settings.public_base_url.startswith("https://")
    response.set_cookie(
        LOGIN_COOKIE, started.browser_nonce, max_age=int(LOGIN_TTL.total_seconds()),
        path=CALLBACK_PATH, httponly=True, samesite="Lax", secure=secure,
    )  # fmt: skip
    return response


@routes.get(
    CALLBACK_PATH, query=CallbackQuery, response=PageLinkOut, problems=(400, 403, 422, 502),
    summary="Facebook's redirect back: link the Page (or list them to choose)",
)  # fmt: skip
async def callback(request: web.Request) -> web.Response:
    """The state is taken once (it must come back to the browser that started the login);
    the code is traded for the Page token, kept sealed. With several Pages and none named at
    the start, ``choices`` lists them."""
    query = parse_query(request, CallbackQuery)
    params = CallbackParams(state=query.state, code=query.code, error=query.error,
                            error_description=query.error_description,
                            browser_nonce=request.cookies.get(LOGIN_COOKIE))  # fmt: skip
    answer = await links(request).callback(params)
    response = json_response(PageLinkOut.model_validate(answer), headers=NO_STORE)
    response.del_cookie(LOGIN_COOKIE, path=CALLBACK_PATH)
    return response


@routes.post(
    f"/facebook-pages/{ORG_ID}", body=ChooseBody, response=PageLinkOut, auth=True,
    problems=(403, 404, 422), summary="Link the Page you chose among those your login found",
)  # fmt: skip
async def choose(request: web.Request) -> web.Response:
    """After a login that found several Pages (``choices``), within its lifetime."""
    who = await require_user(request)
    body = await parse_body(request, ChooseBody)
    answer = await links(request).choose(request.match_info["org_id"], who.user_id, body.page_id)
    return json_response(PageLinkOut.model_validate(answer))


@routes.get(
    f"/facebook-pages/{ORG_ID}", response=PageLinkOut, auth=True, problems=(403, 404),
    summary="The organization's Facebook Page: linked? its status, what is posted",
)  # fmt: skip
async def describe(request: web.Request) -> web.Response:
    """``status``: ok, broken (link it again) or blocked (by Facebook)."""
    who = await require_user(request)
    answer = await links(request).describe(request.match_info["org_id"], who.user_id)
    return json_response(PageLinkOut.model_validate(answer))


@routes.patch(
    f"/facebook-pages/{ORG_ID}", body=OptionsBody, response=PageLinkOut, auth=True,
    problems=(403, 404), summary="Choose what is posted to the organization's Page",
)  # fmt: skip
async def change(request: web.Request) -> web.Response:
    """``post_opportunities``: each new opportunity; ``post_news``: each news post."""
    who = await require_user(request)
    body = await parse_body(request, OptionsBody)
    options = body.model_dump(exclude_none=True)
    answer = await links(request).change(request.match_info["org_id"], who.user_id, options)
    return json_response(PageLinkOut.model_validate(answer))


@routes.delete(
    f"/facebook-pages/{ORG_ID}", status=204, auth=True, problems=(403, 404),
    summary="Unlink the organization's Page (its token is deleted)",
)  # fmt: skip
async def unlink(request: web.Request) -> web.Response:
    """Nothing more is posted there; posts not made yet are dropped."""
    who = await require_user(request)
    await links(request).unlink(request.match_info["org_id"], who.user_id)
    return json_response(None, status=204)
