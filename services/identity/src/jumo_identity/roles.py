"""Platform roles: what an operator grants (``python -m jumo_identity roles grant moderator
<user id>``) and identity puts in the access token's ``roles`` claim. No API sets them.

A change shows in the person's next access token (a refresh or a login), so within 15 minutes.
It publishes nothing: other services read roles from the token, never from an event.
"""

from __future__ import annotations

from typing import Literal

from jumo_common.change import Change
from jumo_common.mongo import Document
from jumo_identity.errors import UserNotFound
from jumo_identity.store import Store

KNOWN_ROLES = frozenset({"moderator"})
Action = Literal["grant", "revoke"]


class UnknownRole(ValueError):
    """A role Jumo does not have."""


def role_change(doc: Document, action: Action, role: str) -> Change | None:
    """The write that grants or revokes ``role`` (None: it already is so)."""
    roles = set(doc.get("roles") or [])
    wanted = roles | {role} if action == "grant" else roles - {role}
    return Change(set={"roles": sorted(wanted)}) if wanted != roles else None


async def set_role(store: Store, user_id: str, action: Action, role: str) -> list[str]:
    """Grant or revoke ``role`` for a live user; their roles afterwards."""
    if role not in KNOWN_ROLES:
        raise UnknownRole(f"unknown role {role!r}; roles are {', '.join(sorted(KNOWN_ROLES))}")
    written = await store.change_user(user_id, lambda doc: role_change(doc, action, role))
    if written is None:
        raise UserNotFound(f"no live user {user_id}")
    return list(written.after().get("roles") or [])
