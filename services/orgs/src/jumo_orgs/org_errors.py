"""The refusals of organizations, their people and claims (``errors`` holds the shared bases)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from jumo_common.outbox import WriteConflict
from jumo_orgs.errors import ChangingConcurrently, Conflict, Invalid, NotFoundError


@contextlib.contextmanager
def retry_later() -> Iterator[None]:
    """A write that lost too many races is a 409 the client may retry (not a 500)."""
    try:
        yield
    except WriteConflict:
        raise ChangingConcurrently("This is changing concurrently; try again.") from None


class SlugTaken(Conflict):
    """Another organization has this slug."""

    slug = "slug-taken"


class InvalidState(Conflict):
    """The organization's state does not allow this step (e.g. verifying a draft)."""

    slug = "invalid-state"


class LastOwner(Conflict):
    """This would leave the organization without an owner."""

    slug = "last-owner"


class AlreadyMember(Conflict):
    """The person is already one of the organization's people."""

    slug = "already-member"


class PersonNotFound(NotFoundError):
    """orgs knows no such person (people come from identity's events)."""

    slug = "person-not-found"


class MemberNotFound(NotFoundError):
    """The person is not one of the organization's people."""

    slug = "member-not-found"


class InvitationNotFound(NotFoundError):
    """No pending invitation for this person to this organization."""

    slug = "invitation-not-found"


class TransferToSelf(Invalid):
    """An owner cannot transfer ownership to themselves."""

    slug = "transfer-to-self"


class AlreadyClaimed(Conflict):
    """The organization has an owner: there is nothing to claim."""

    slug = "org-claimed"


class ClaimOpen(Conflict):
    """This person already has an open claim of this organization."""

    slug = "claim-open"


class ClaimNotFound(NotFoundError):
    """No such claim."""

    slug = "claim-not-found"


class ClaimDecided(Conflict):
    """A moderator already decided this claim the other way."""

    slug = "claim-decided"
