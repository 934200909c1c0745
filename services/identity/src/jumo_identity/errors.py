"""identity's domain errors, each with its HTTP status and stable problem slug
(``jumo_common.errors.DomainError``: the web error middleware answers them as problems)."""

from __future__ import annotations

from jumo_common.errors import DomainError


class IdentityError(DomainError):
    """Base of identity's domain errors."""


class LoginCancelled(IdentityError):
    """The person cancelled the Facebook dialog (or Facebook refused the login)."""

    status = 401
    slug = "login-cancelled"


class LoginFailed(IdentityError):
    """Facebook's answers did not make a valid login (foreign or invalid token)."""

    status = 401
    slug = "login-failed"


class InvalidLoginState(IdentityError):
    """The callback's state is missing, unknown, replayed, expired or not this browser's."""

    status = 400
    slug = "invalid-login-state"


class FacebookUnreachable(IdentityError):
    """Facebook did not answer usefully (down, timing out, transient error, rate limit)."""

    status = 503
    slug = "facebook-unavailable"


class RefreshRefused(IdentityError):
    """The refresh token is unknown, expired, revoked or was already used."""

    status = 401
    slug = "invalid-refresh-token"


class ClientHeaderRequired(IdentityError):
    """The refresh cookie came without ``X-Jumo-Client: web``: maybe a cross-site form (CSRF)."""

    status = 403
    slug = "client-header-required"


class UserNotFound(IdentityError):
    """No live user with that id."""

    status = 404
    slug = "user-not-found"


class AccountGone(IdentityError):
    """A valid access token whose user no longer exists."""

    status = 401
    slug = "account-deleted"


class CannotFollowSelf(IdentityError):
    """Following oneself."""

    status = 422
    slug = "cannot-follow-self"


class FollowConflict(IdentityError):
    """Too many concurrent changes to one follow edge; the client may retry."""

    status = 409
    slug = "follow-conflict"


class FollowRequestNotFound(IdentityError):
    """Approving or declining a follow request nobody made."""

    status = 404
    slug = "follow-request-not-found"


class ConnectionsHidden(IdentityError):
    """Someone's followers and following are hidden from this viewer by their visibility."""

    status = 403
    slug = "connections-hidden"


class InvalidSignedRequest(IdentityError):
    """A Facebook callback whose signed_request is tampered, stale, malformed or foreign."""

    status = 400
    slug = "invalid-signed-request"


class DeletionNotFound(IdentityError):
    """No data-deletion request with that confirmation code."""

    status = 404
    slug = "deletion-not-found"


class SigningUnavailable(IdentityError):
    """The signing key ring cannot be read (the database is down or inconsistent)."""

    status = 503
    slug = "signing-unavailable"
