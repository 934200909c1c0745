"""Domain errors: what a use case raises when it refuses, without knowing about HTTP.

Each subclass names its HTTP status and a stable problem ``type`` slug; the web error
middleware answers it as RFC 9457 problem+json, so domain modules stay free of aiohttp while
the API's answers stay stable::

    class CannotFollowSelf(DomainError):
        status = 422
        slug = "cannot-follow-self"
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """Base of every service's domain errors (``status``, ``slug``, ``detail``)."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
