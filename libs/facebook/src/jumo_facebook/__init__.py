"""Jumo's Facebook client and its offline sandbox (``python -m jumo_facebook.sandbox``)."""

from jumo_facebook.client import FacebookClient
from jumo_facebook.dialogs import DEFAULT_SCOPES, LoginStart
from jumo_facebook.errors import (
    FacebookAppCredentialsError,
    FacebookBlockedError,
    FacebookDuplicatePostError,
    FacebookError,
    FacebookForeignTokenError,
    FacebookInvalidParameterError,
    FacebookPermissionError,
    FacebookRateLimitedError,
    FacebookTokenError,
    FacebookTransientError,
    FacebookUnavailableError,
    TokenProblem,
)
from jumo_facebook.security import code_challenge_s256, make_code_verifier, make_state
from jumo_facebook.settings import FacebookSettings
from jumo_facebook.signed_request import SignedRequest, SignedRequestError, sign_request
from jumo_facebook.usage import Usage

__all__ = [
    "DEFAULT_SCOPES",
    "FacebookAppCredentialsError",
    "FacebookBlockedError",
    "FacebookClient",
    "FacebookDuplicatePostError",
    "FacebookError",
    "FacebookForeignTokenError",
    "FacebookInvalidParameterError",
    "FacebookPermissionError",
    "FacebookRateLimitedError",
    "FacebookSettings",
    "FacebookTokenError",
    "FacebookTransientError",
    "FacebookUnavailableError",
    "LoginStart",
    "SignedRequest",
    "SignedRequestError",
    "TokenProblem",
    "Usage",
    "code_challenge_s256",
    "make_code_verifier",
    "make_state",
    "sign_request",
]
