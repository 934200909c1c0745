"""An organization's document and how it changes: its page, its state, who owns it. No I/O.

States (a moderator is a platform role; the organization's owners and admins submit)::

    draft ──submit──▶ pending ──verify──▶ verified
                         │  ▲                │ the registration changes
                       reject └──submit── rejected   (edited meanwhile, as often as needed)
                         ▼                   ▼
                      rejected            pending (again; the page stays up, unbadged)

Repeating a step that already happened (verifying a verified organization) changes nothing and
publishes nothing; any other step out of turn is ``InvalidState``. Every page write stores the
search keywords the search area reads: ``terms`` (the folded words of name, mission,
description and city) and ``prefixes`` (their typing prefixes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.mongo import Document
from jumo_orgs import org_events, text
from jumo_orgs.org_errors import InvalidState, LastOwner

Fields = Mapping[str, Any]
# Slug candidates tried for a derived slug: ``water-for-all``, ``water-for-all-2``, …
MAX_SLUG_SUFFIX = 50


def is_public(org: Fields) -> bool:
    """Whether anyone may see the organization: verified, or verified before and pending again
    (hidden ones aside: ``Access.org``)."""
    return org["status"] == "verified" or (
        org["status"] == "pending" and org.get("verified_at") is not None
    )


def keywords(page: Fields) -> dict[str, list[str]]:
    """What search matches: the words of name, mission, description and city, and prefixes."""
    hq = page.get("hq") or {}
    parts = (page.get("name"), page.get("mission"), page.get("description"), hq.get("city"))
    terms = text.words(" ".join(p for p in parts if p))
    return {"terms": terms, "prefixes": text.prefixes(terms)}


def derived_slugs(name: str, org_id: str) -> Iterator[str]:
    """The slugs a name may get, in order of preference; the last one, made unique by the
    organization's id, is for names many share (or that have no Latin letters at all)."""
    base = text.slugify(name, max_length=50) or "organization"
    if len(base) < 2:
        base = f"{base}-org"
    yield base
    for suffix in range(2, MAX_SLUG_SUFFIX + 1):
        yield f"{base}-{suffix}"
    yield f"{base}-{org_id[:8]}"


def new_org(org_id: str, slug: str, page: Fields, *, now: datetime, **extra: Any) -> Document:
    """A new organization's document (a draft, unless ``extra`` says otherwise)."""
    fields = {name: value for name, value in page.items() if value is not None}
    return {
        "_id": org_id, "slug": slug, **fields, "status": "draft", "hidden": False, "owners": [],
        "created_at": now, "updated_at": now, **keywords(fields), **extra,
    }  # fmt: skip


def page_change(doc: Document, wanted: Fields, *, actor: str, now: datetime) -> Change | None:
    """The write that gives the page the ``wanted`` fields (``None`` clears one); a verified
    organization whose registration changes goes back to pending."""
    changed = [name for name, value in wanted.items() if doc.get(name) != value]
    if not changed:
        return None
    fields = {name: wanted[name] for name in changed if wanted[name] is not None}
    gone = frozenset(name for name in changed if wanted[name] is None)
    after = {k: v for k, v in doc.items() if k not in gone} | fields
    fields |= keywords(after) | {"updated_at": now}
    if doc["status"] == "verified" and "registration" in changed:
        fields |= {"status": "pending", "submitted_at": now}
    after |= fields

    return Change(
        set=fields, unset=gone,
        events=lambda version: [org_events.org_updated(after, changed, version, actor=actor)],
    )  # fmt: skip


def submitted(doc: Document, *, by: str, now: datetime) -> Change | None:
    """Ask for verification (from draft or rejected)."""
    if doc["status"] == "pending":
        return None
    if doc["status"] == "verified":
        raise InvalidState("This organization is verified already.")
    after = doc | {"status": "pending"}
    return Change(
        set={"status": "pending", "submitted_at": now, "updated_at": now},
        unset=frozenset({"rejection_reason"}),
        events=lambda version: [org_events.org_submitted(after, version, by=by)],
    )


def verified(doc: Document, *, by: str, now: datetime) -> Change | None:
    """A moderator verifies a pending organization."""
    if doc["status"] == "verified":
        return None
    if doc["status"] != "pending":
        raise InvalidState("Only a pending organization can be verified; it must be submitted.")
    after = doc | {"status": "verified"}
    return Change(
        set={"status": "verified", "decided_at": now, "verified_at": now},
        events=lambda version: [org_events.org_verified(after, version, by=by)],
    )


def rejected(doc: Document, *, by: str, reason: str, now: datetime) -> Change | None:
    """A moderator turns a pending organization down, saying why."""
    if doc["status"] == "rejected":
        return None
    if doc["status"] != "pending":
        raise InvalidState("Only a pending organization can be rejected.")
    after = doc | {"status": "rejected"}
    return Change(
        set={"status": "rejected", "rejection_reason": reason, "decided_at": now},
        events=lambda version: [org_events.org_rejected(after, version, by=by, reason=reason)],
    )


def hidden_change(doc: Document, hidden: bool) -> Change | None:
    """A moderator hides the organization (or shows it again)."""
    if bool(doc.get("hidden")) == hidden:
        return None
    return Change(set={"hidden": hidden}, events=[org_events.org_hidden(doc["_id"], hidden)])


def with_owner(doc: Document, user_id: str) -> Change | None:
    """``user_id`` joins the owners list (the lock; the membership says the role)."""
    owners = list(doc.get("owners") or [])
    return None if user_id in owners else Change(set={"owners": [*owners, user_id]})


def without_owner(doc: Document, user_id: str, *, may_empty: bool = False) -> Change | None:
    """``user_id`` leaves the owners list; LastOwner if nobody would be left (unless
    ``may_empty``: an erased person's organization becomes unclaimed)."""
    owners = list(doc.get("owners") or [])
    if user_id not in owners:
        return None
    if owners == [user_id] and not may_empty:
        raise LastOwner("An organization keeps at least one owner: make someone else owner first.")
    return Change(set={"owners": [o for o in owners if o != user_id]})


def without_creator(doc: Document, user_id: str) -> Change | None:
    """Forget who created the organization (its creator was erased)."""
    return Change(unset=frozenset({"created_by"})) if doc.get("created_by") == user_id else None
