"""Facebook's errors as typed exceptions, decided by the error ``code``, never the HTTP status."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from jumo_facebook.usage import Usage


class TokenProblem(StrEnum):
    """Why Facebook says a token is no good (its ``error_subcode``)."""

    APP_REMOVED = "app_removed"  # 458
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (subcode 460, not a secret)
    EXPIRED = "expired"  # 463
    LOGGED_OUT = "logged_out"  # 467
    INVALID = "invalid"  # anything else


TOKEN_SUBCODES = {
    458: TokenProblem.APP_REMOVED,
    460: TokenProblem.PASSWORD_CHANGED,
    463: TokenProblem.EXPIRED,
    467: TokenProblem.LOGGED_OUT,
}


class FacebookError(Exception):
    """An error Facebook answered (or, for subclasses, failed to answer)."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        error_type: str | None = None,
        http_status: int | None = None,
        fbtrace_id: str | None = None,
        is_transient: bool = False,
        user_title: str | None = None,
        user_msg: str | None = None,
        usage: Usage | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.error_type = error_type
        self.http_status = http_status
        self.fbtrace_id = fbtrace_id
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_msg = user_msg
        self.usage = usage

    def __str__(self) -> str:
        return (
            f"{self.message} (code={self.code}, subcode={self.subcode}, "
            f"status={self.http_status}, fbtrace_id={self.fbtrace_id})"
        )


class FacebookUnavailableError(FacebookError):
    """Facebook could not be reached, timed out, or answered something that is not Graph JSON."""


class FacebookTransientError(FacebookError):
    """Codes 1 and 2: retry with backoff; a POST may have succeeded, so check before re-posting."""


class FacebookAppCredentialsError(FacebookError):
    """Code 1 as an OAuthException: our app id or secret is wrong; retrying cannot help."""


class FacebookRateLimitedError(FacebookError):
    """Codes 4, 17, 32, 341, 613: back off; ``retry_after`` when Facebook said how long."""

    @property
    def retry_after(self) -> float | None:
        """Seconds until access is regained (from the usage headers), or None when unsaid."""
        return self.usage.regain_access_s if self.usage else None


class FacebookPermissionError(FacebookError):
    """Codes 10 and 200-299: a permission is missing; ask again with ``auth_type=rerequest``."""


class FacebookInvalidParameterError(FacebookError):
    """Code 100: a bad parameter (``subcode`` says which, e.g. 36007-36009 for login codes)."""


class FacebookTokenError(FacebookError):
    """Codes 102 and 190, or a token ``debug_token`` says is invalid: the person logs in again."""

    @property
    def problem(self) -> TokenProblem:
        """What the subcode means."""
        return TOKEN_SUBCODES.get(self.subcode or 0, TokenProblem.INVALID)


class FacebookForeignTokenError(FacebookTokenError):
    """A valid token that Facebook issued to another app: never accept it as a login."""


class FacebookBlockedError(FacebookError):
    """Code 368: blocked for abuse; stop and alert a human."""


class FacebookDuplicatePostError(FacebookError):
    """Code 506: the same post was already made; treat it as posted."""


RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613})


def error_class(
    code: int | None, error_type: str | None, is_transient: bool
) -> type[FacebookError]:
    """The exception class for a Facebook error ``code``."""
    # Facebook answers a wrong client secret with code 1 as a non-transient OAuthException.
    if code == 1 and error_type == "OAuthException" and not is_transient:
        return FacebookAppCredentialsError
    if code in (1, 2):
        return FacebookTransientError
    if code in RATE_LIMIT_CODES:
        return FacebookRateLimitedError
    if code == 10 or (code is not None and 200 <= code <= 299):
        return FacebookPermissionError
    return _SIMPLE.get(code, FacebookError) if code is not None else FacebookError


_SIMPLE: dict[int, type[FacebookError]] = {
    100: FacebookInvalidParameterError,
    102: FacebookTokenError,
    190: FacebookTokenError,
    368: FacebookBlockedError,
    506: FacebookDuplicatePostError,
}


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def error_from_body(body: Any, http_status: int, usage: Usage | None) -> FacebookError:
    """The typed exception for a Graph error body ``{"error": {...}}``."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return FacebookUnavailableError(
            "Facebook answered an error without a Graph error body", http_status=http_status
        )
    code, error_type = _opt_int(error.get("code")), _opt_str(error.get("type"))
    is_transient = error.get("is_transient") is True
    cls = error_class(code, error_type, is_transient)
    return cls(
        _opt_str(error.get("message")) or "Facebook error",
        code=code,
        subcode=_opt_int(error.get("error_subcode")),
        error_type=error_type,
        http_status=http_status,
        fbtrace_id=_opt_str(error.get("fbtrace_id")),
        is_transient=is_transient,
        user_title=_opt_str(error.get("error_user_title")),
        user_msg=_opt_str(error.get("error_user_msg")),
        usage=usage,
    )
