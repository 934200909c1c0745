"""The events of organizations and their people, built from stored documents (contracts:
``jumo_common.events.orgs``).

Which change publishes what::

    created (by a person, or imported)     org.created          (orgs document, version 1)
    page edited                            org.updated          changed = the fields that did
    submitted for verification             org.submitted
    verified / rejected by a moderator     org.verified / org.rejected (with the reason)
    hidden / shown by a moderator          org.hidden
    someone joins or changes role          org.member_added     (org_members; seq = version)
    someone leaves or is removed           org.member_removed   (org_members; seq = version)

Invitations, declines, claims and ownership bookkeeping publish nothing: nobody's role changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jumo_common.events import Envelope, make_event
from jumo_common.events.orgs import (
    OrgCreated,
    OrgHidden,
    OrgMemberAdded,
    OrgMemberRemoved,
    OrgRejected,
    OrgRole,
    OrgSubmitted,
    OrgUpdated,
    OrgVerified,
)
from jumo_common.logging import current_trace_id
from jumo_orgs.cards import card

PRODUCER = "orgs"
Org = Mapping[str, Any]


def _event(data: Any, *, actor: str | None, subject: str) -> Envelope[Any]:
    return make_event(
        data, producer=PRODUCER, actor_id=actor, subject_id=subject, trace_id=current_trace_id()
    )


def _place(org: Org) -> dict[str, Any]:
    hq = org.get("hq") or {}
    return {"city": hq.get("city"), "country": hq.get("country")}


def org_created(org: Org, *, actor: str | None) -> Envelope[Any]:
    """A new organization (``actor`` None: an operator's import)."""
    data = OrgCreated(
        org=card(org), status=org["status"], created_by=org.get("created_by"),
        causes=tuple(org["causes"]), version=1, **_place(org),
    )  # fmt: skip
    return _event(data, actor=actor, subject=org["_id"])


def org_updated(org: Org, changed: Sequence[str], version: int, *, actor: str) -> Envelope[Any]:
    """The page changed (``org`` as it is after the change)."""
    data = OrgUpdated(
        org=card(org), status=org["status"], changed=tuple(changed),
        causes=tuple(org["causes"]), version=version, **_place(org),
    )  # fmt: skip
    return _event(data, actor=actor, subject=org["_id"])


def org_submitted(org: Org, version: int, *, by: str) -> Envelope[Any]:
    """The organization asked to be verified."""
    return _event(OrgSubmitted(org=card(org), by=by, version=version), actor=by, subject=org["_id"])


def org_verified(org: Org, version: int, *, by: str) -> Envelope[Any]:
    """A moderator verified it."""
    return _event(OrgVerified(org=card(org), by=by, version=version), actor=by, subject=org["_id"])


def org_rejected(org: Org, version: int, *, by: str, reason: str) -> Envelope[Any]:
    """A moderator turned it down."""
    data = OrgRejected(org=card(org), by=by, reason=reason, version=version)
    return _event(data, actor=by, subject=org["_id"])


def org_hidden(org_id: str, hidden: bool) -> Envelope[Any]:
    """A moderator hid it (or showed it again)."""
    return _event(OrgHidden(org_id=org_id, hidden=hidden), actor=None, subject=org_id)


def member_added(
    org_id: str, user_id: str, role: OrgRole, seq: int, *, actor: str | None
) -> Envelope[Any]:
    """Someone joined the organization's people, or now has another role."""
    data = OrgMemberAdded(org_id=org_id, user_id=user_id, role=role, seq=seq)
    return _event(data, actor=actor, subject=org_id)


def member_removed(org_id: str, user_id: str, seq: int, *, actor: str | None) -> Envelope[Any]:
    """Someone is no longer one of the organization's people."""
    data = OrgMemberRemoved(org_id=org_id, user_id=user_id, seq=seq)
    return _event(data, actor=actor, subject=org_id)
