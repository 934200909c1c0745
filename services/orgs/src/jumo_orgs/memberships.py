"""A person's membership of an organization and how it moves. No I/O.

One document per (organization, person), ``state`` ``invited`` | ``active`` | ``none``; its
version is the ``seq`` of org.member_added / org.member_removed, so a consumer keeps the newest::

    invite            none → invited (role)       nothing published: not one of its people yet
    accept            invited → active            org.member_added (role)
    decline / cancel  invited → none              nothing published
    change role       active → active (role')     org.member_added (the new role)
    leave / remove    active → none               org.member_removed
    claim approved    * → active (owner)          org.member_added (owner)

Roles rank owner > admin > editor. A step that already happened changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from jumo_common.change import Change
from jumo_common.events.orgs import OrgRole
from jumo_common.mongo import Document
from jumo_orgs import org_events
from jumo_orgs.access import RANK
from jumo_orgs.org_errors import AlreadyMember, InvitationNotFound, MemberNotFound

PERSONAL = frozenset({"role", "invited_by", "since"})


def state_of(doc: Document | None) -> str:
    """The state of a membership document (none when there is none)."""
    return str(doc.get("state", "none")) if doc else "none"


def as_role(value: object) -> OrgRole | None:
    """``value`` if it is a role."""
    return cast(OrgRole, value) if isinstance(value, str) and value in RANK else None


def role_of(doc: Document | None) -> OrgRole | None:
    """The role of an active membership."""
    return as_role(doc.get("role")) if doc is not None and state_of(doc) == "active" else None


def listed_role(doc: Document | None) -> str | None:
    """The role of an active membership or a pending invitation."""
    return str(doc["role"]) if doc and state_of(doc) in ("active", "invited") else None


def outranks(role: str, other: str) -> bool:
    """Whether ``role`` is strictly above ``other``."""
    return RANK[role] > RANK[other]


def invitation(
    doc: Document | None, pair: tuple[str, str], role: OrgRole, *, by: str, now: datetime
) -> Change | None:
    """Invite a person who is not one of the organization's people (again: a new role)."""
    state = state_of(doc)
    if state == "active":
        raise AlreadyMember("This person is already one of the organization's people.")
    if state == "invited" and doc is not None and doc.get("role") == role:
        return None
    org_id, user_id = pair
    return Change(set={"org_id": org_id, "user_id": user_id, "role": role, "state": "invited",
                       "invited_by": by, "since": now})  # fmt: skip


def accepted(doc: Document | None, *, now: datetime) -> Change | None:
    """The invitee accepts: active in the invited role."""
    if state_of(doc) == "active":
        return None
    if state_of(doc) != "invited" or doc is None:
        raise InvitationNotFound("You have no invitation to this organization.")
    org_id, user_id, role = doc["org_id"], doc["user_id"], doc["role"]
    return Change(
        set={"state": "active", "since": now}, unset=frozenset({"invited_by"}),
        events=lambda seq: [org_events.member_added(org_id, user_id, role, seq, actor=user_id)],
    )  # fmt: skip


def declined(doc: Document | None) -> Change:
    """The invitee declines (or an admin withdraws the invitation)."""
    if state_of(doc) != "invited":
        raise InvitationNotFound("There is no pending invitation here.")
    return Change(set={"state": "none"}, unset=PERSONAL)


def role_changed(doc: Document | None, role: OrgRole, *, actor: str) -> Change | None:
    """An active member gets another role."""
    if state_of(doc) != "active" or doc is None:
        raise MemberNotFound("This person is not one of the organization's people.")
    if doc["role"] == role:
        return None
    org_id, user_id = doc["org_id"], doc["user_id"]
    return Change(
        set={"role": role},
        events=lambda seq: [org_events.member_added(org_id, user_id, role, seq, actor=actor)],
    )


def removed(doc: Document | None, *, actor: str | None, erasing: bool = False) -> Change | None:
    """Someone leaves or is removed (an invitation is withdrawn); ``erasing``: the person was
    deleted, so their earlier unsent events go too."""
    state = state_of(doc)
    if state == "none" or doc is None:
        return None
    if state == "invited":
        return Change(set={"state": "none"}, unset=PERSONAL, forget_pending=erasing)
    org_id, user_id = doc["org_id"], doc["user_id"]
    return Change(
        set={"state": "none"}, unset=PERSONAL, forget_pending=erasing,
        events=lambda seq: [org_events.member_removed(org_id, user_id, seq, actor=actor)],
    )  # fmt: skip


def owner_granted(
    doc: Document | None, pair: tuple[str, str], *, actor: str | None, now: datetime
) -> Change | None:
    """The person becomes an owner (created the organization, or a claim was approved)."""
    if role_of(doc) == "owner":
        return None
    org_id, user_id = pair
    since = doc["since"] if doc is not None and state_of(doc) == "active" else now
    return Change(
        set={"org_id": org_id, "user_id": user_id, "role": "owner", "state": "active",
             "since": since},
        unset=frozenset({"invited_by"}),
        events=lambda seq: [org_events.member_added(org_id, user_id, "owner", seq, actor=actor)],
    )  # fmt: skip
