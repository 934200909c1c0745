"""Graph error answers, worded and coded as Facebook words and codes them."""

from __future__ import annotations

import secrets
import string
from typing import Any

from aiohttp import web

_TRACE_ALPHABET = string.ascii_letters + string.digits


def fbtrace_id() -> str:
    """An opaque trace id like the one Facebook puts in every error."""
    return "".join(secrets.choice(_TRACE_ALPHABET) for _ in range(11))


class GraphError(Exception):
    """A Graph API error answer; raised by handlers, rendered by the middleware."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        error_type: str = "OAuthException",
        subcode: int | None = None,
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.error_type, self.subcode, self.is_transient = error_type, subcode, is_transient
        self.user_title, self.user_msg = user_title, user_msg

    def body(self) -> dict[str, Any]:
        """``{"error": {...}}`` with only the keys Facebook would send."""
        error: dict[str, Any] = {"message": self.message, "type": self.error_type}
        error["code"] = self.code
        optional = {
            "error_subcode": self.subcode,
            "is_transient": self.is_transient,
            "error_user_title": self.user_title,
            "error_user_msg": self.user_msg,
        }
        error |= {key: value for key, value in optional.items() if value is not None}
        error["fbtrace_id"] = fbtrace_id()
        return {"error": error}

    def response(self) -> web.Response:
        """The JSON answer."""
        return web.json_response(self.body(), status=self.status)


def missing_token() -> GraphError:
    """A /me call without any token."""
    return GraphError(
        400,
        2500,
        "An active access token must be used to query information about the current user.",
    )


def unparsable_token() -> GraphError:
    """A token Facebook never issued."""
    return GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")


def bad_app_token() -> GraphError:
    """An ``app_id|secret`` token with the wrong secret."""
    return GraphError(400, 190, "Invalid OAuth access token signature.")


def token_invalid(subcode: int, user_id: str | None, app_id: str) -> GraphError:
    """A token Facebook invalidated or that expired (190 with the subcode)."""
    messages = {
        458: f"Error validating access token: User {user_id} has not authorized application "
        f"{app_id}.",
        460: "Error validating access token: The session has been invalidated because the "
        "user changed their password or Facebook has changed the session for security reasons.",
        463: "Error validating access token: Session has expired.",
        467: "Error validating access token: The session is invalid because the user logged out.",
    }
    message = messages.get(subcode, "Error validating access token.")
    return GraphError(400, 190, message, subcode=subcode)


def proof_missing() -> GraphError:
    """The app requires appsecret_proof and the call has none."""
    return GraphError(
        400,
        100,
        "API calls from the server require an appsecret_proof argument",
        error_type="GraphMethodException",
    )


def proof_invalid() -> GraphError:
    """An appsecret_proof that does not match the token."""
    return GraphError(
        400,
        100,
        "Invalid appsecret_proof provided in the API argument",
        error_type="GraphMethodException",
    )


def unsupported(method: str, object_id: str) -> GraphError:
    """An object that does not exist or that this token may not see."""
    return GraphError(
        400,
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        error_type="GraphMethodException",
        subcode=33,
    )


def invalid_code_verifier() -> GraphError:
    """A code_verifier that does not redeem this code (wrong, or the code had no challenge)."""
    return GraphError(400, 100, "Invalid code_verifier.")


def unknown_path(path: str) -> GraphError:
    """A Graph path with no endpoint behind it (named from after the node, as Facebook does)."""
    rest = "/".join(path.split("/")[3:])
    return GraphError(400, 2500, f"Unknown path components: /{rest}")


def app_token_required() -> GraphError:
    """An app-only endpoint called with a user or Page token."""
    return GraphError(400, 15, "(#15) This method must be called with an app access_token.")


def transient() -> GraphError:
    """Facebook's generic 500."""
    return GraphError(
        500,
        2,
        "An unexpected error has occurred. Please retry your request later.",
        is_transient=True,
    )
