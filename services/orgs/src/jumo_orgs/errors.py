"""orgs' domain errors, each with its HTTP status and stable problem slug
(``jumo_common.errors.DomainError``: the web error middleware answers them as problems)."""

from __future__ import annotations

from jumo_common.errors import DomainError


class OrgsError(DomainError):
    """Base of orgs' domain errors."""


class NotFoundError(OrgsError):
    """No such thing here (or the caller may not know it exists)."""

    status = 404
    slug = "not-found"


class OrgNotFound(NotFoundError):
    """No organization with that id or slug."""

    slug = "org-not-found"


class NotAllowed(OrgsError):
    """Authenticated, but this person may not do this here."""

    status = 403
    slug = "not-allowed"


class Blocked(NotAllowed):
    """The organization's admins blocked this person from interacting with it."""

    slug = "blocked-by-org"


class Conflict(OrgsError):
    """The request conflicts with the current state."""

    status = 409
    slug = "conflict"


class Invalid(OrgsError):
    """Well-formed, but against a rule of the domain."""

    status = 422
    slug = "invalid"


class ChangingConcurrently(Conflict):
    """Too many concurrent changes to one thing; the client may retry."""

    slug = "changing-concurrently"


class OrgNotVerified(Conflict):
    """This needs a verified organization (a moderator has not verified it, or not again)."""

    slug = "org-not-verified"
