"""Login's edges and Facebook's callbacks, through the gateway (identity's own tests go direct)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

from e2e_curl import Curl
from e2e_people import assert_login, bearer, consent, create_test_user, open_dialog, sign_up
from e2e_processes import SystemUnderTest


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_replayed_callback_is_a_400(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    callback = consent(curl, system, open_dialog(curl, system, ann), "accept")
    assert_login(curl(callback), ann, created=True)
    replay = curl(callback)  # the browser reloads the callback page
    assert replay.status == 400
    assert replay.headers["content-type"] == "application/problem+json"


def test_a_forged_state_is_a_400(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    callback = consent(curl, system, open_dialog(curl, system, ann), "accept")
    forged = callback.replace("state=", "state=x", 1)
    assert curl(forged).status == 400


def test_a_callback_without_the_login_cookie_is_a_400(
    system: SystemUnderTest, curl: Curl, other_curl: Curl
) -> None:
    # The link is carried to another browser (a login CSRF): that browser has no state cookie.
    ann = create_test_user(curl, system, installed=False)
    callback = consent(curl, system, open_dialog(curl, system, ann), "accept")
    assert other_curl(callback).status == 400


def test_an_unsigned_token_is_refused(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, ann), ann, created=True)
    claims = json.loads(base64.urlsafe_b64decode(login["access_token"].split(".")[1] + "=="))
    header = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    unsigned = f"{header}.{_b64(json.dumps(claims).encode())}."
    answer = curl(*bearer({"access_token": unsigned}), f"{system.gateway.url}/users/me")
    assert answer.status == 401
    assert answer.headers["content-type"] == "application/problem+json"


def _facebook_calls(curl: Curl, system: SystemUnderTest, kind: str, user_id: str) -> dict[str, Any]:
    """The sandbox plays Facebook calling Jumo's callback URL, through the gateway."""
    path = {"deauthorize": "deauthorize", "data_deletion": "data-deletion"}[kind]
    body = {"kind": kind, "user_id": user_id, "url": f"{system.gateway.url}/facebook/{path}"}
    answer = curl(
        "-X", "POST", "-H", "Content-Type: application/json", "--data", json.dumps(body),
        f"{system.sandbox_url}/__sandbox/callbacks",
    )  # fmt: skip
    assert answer.status == 200, answer.body
    sent: dict[str, Any] = answer.json()
    return sent


def test_facebook_asks_for_data_deletion(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    login = assert_login(sign_up(curl, system, ann), ann, created=True)

    sent = _facebook_calls(curl, system, "data_deletion", ann["id"])
    assert sent["status"] == 200, sent
    answer = json.loads(sent["body"])
    assert answer["url"].startswith(f"{system.gateway.url}/facebook/data-deletion/")
    status = curl(answer["url"])  # the page Facebook links the person to
    assert status.status == 200
    assert status.json()["confirmation_code"] == answer["confirmation_code"]
    assert status.json()["message"]
    assert curl(*bearer(login), f"{system.gateway.url}/users/me").status in (401, 404)

    # Facebook may send it again: the same code, nothing deleted twice.
    replay = curl(
        "--data", urlencode({"signed_request": sent["signed_request"]}),
        f"{system.gateway.url}/facebook/data-deletion",
    )  # fmt: skip
    assert replay.status == 200
    assert replay.json()["confirmation_code"] == answer["confirmation_code"]


def test_a_tampered_signed_request_is_a_400(system: SystemUnderTest, curl: Curl) -> None:
    ann = create_test_user(curl, system, installed=False)
    assert_login(sign_up(curl, system, ann), ann, created=True)
    sent = _facebook_calls(curl, system, "deauthorize", ann["id"])
    assert sent["status"] == 200, sent  # the genuine one is accepted
    signed = sent["signed_request"]
    signature, payload = signed.split(".", 1)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    tampered = f"{signature}.{_b64(json.dumps(claims | {'user_id': '1'}).encode())}"
    answer = curl(
        "--data", urlencode({"signed_request": tampered}),
        f"{system.gateway.url}/facebook/deauthorize",
    )  # fmt: skip
    assert answer.status == 400


def test_identity_s_own_503_passes_through_the_gateway(system: SystemUnderTest, curl: Curl) -> None:
    # Facebook fails the code exchange: identity answers its own 503 problem, and the gateway
    # must hand it over as it is, not replace it with its own "service unavailable" page.
    ann = create_test_user(curl, system, installed=False)
    callback = consent(curl, system, open_dialog(curl, system, ann), "accept")
    failure = {"path": "*", "count": 5, "status": 500, "code": 2, "is_transient": True}
    injected = curl(
        "-X", "POST", "-H", "Content-Type: application/json", "--data", json.dumps(failure),
        f"{system.sandbox_url}/__sandbox/failures",
    )  # fmt: skip
    assert injected.status == 200
    try:
        answer = curl(callback)
    finally:
        curl("-X", "DELETE", f"{system.sandbox_url}/__sandbox/failures")
    assert answer.status == 503
    assert answer.json()["type"].endswith("/facebook-unavailable")
    assert answer.json()["request_id"] == answer.headers["x-request-id"]
