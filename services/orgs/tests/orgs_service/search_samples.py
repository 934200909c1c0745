"""Organizations as the organizations area stores them, for search's tests and benchmark:
``terms`` and ``prefixes`` computed with ``jumo_orgs.text`` exactly as that area does."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from jumo_common.mongo import Document
from jumo_common.testing.memory import stored
from jumo_orgs import text

START = datetime(2026, 1, 1, tzinfo=UTC)
_tick = itertools.count()


def org_doc(
    name: str, *, mission: str | None = None, description: str | None = None,
    city: str = "Lyon", country: str = "FR", lat: float | None = 45.76, lng: float | None = 4.84,
    causes: Sequence[str] = ("education",), status: str = "verified", hidden: bool = False,
    created_at: datetime | None = None, org_id: str | None = None,
) -> Document:  # fmt: skip
    """An organization document with its search keywords (each one newer than the last)."""
    terms = text.words(" ".join(p for p in (name, mission, description, city) if p))
    hq: Document = {"city": city, "country": country, "lat": lat, "lng": lng}
    doc: Document = stored({
        "_id": org_id or uuid.uuid4().hex, "slug": text.slugify(name) + "-" + uuid.uuid4().hex[:6],
        "name": name, "mission": mission, "description": description, "hq": hq,
        "causes": list(causes), "status": status, "hidden": hidden,
        "created_at": created_at or START + timedelta(minutes=next(_tick)),
        "terms": terms, "prefixes": text.prefixes(terms), "version": 1,
    })  # fmt: skip
    return doc
