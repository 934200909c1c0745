"""Search's own index of opportunities, as rows of one small shape. No I/O.

Mirrors the organizations' index (``search_index``) for the same reason: FerretDB 1.24 pushes
down to PostgreSQL only top-level equalities and decodes every document they match, at a cost
that grows with its values; a row of three strings costs a fraction of an opportunity. So the
search reads rows of ``opportunity_search``, each ``{_id, k, o, p}``, never changed once
written (a new payload is new rows, their ``_id`` ending in its digest):

- ``k``, an equality key: ``t:<first 3 letters of a word>`` for each word of its title, its
  skills, its organization's name and its city; ``g<degrees>:<lat cell>:<lng cell>`` in the
  grids of ``RESOLUTIONS`` (the organizations' index's cells); ``r`` when remote;
  ``c:<cause>`` and ``c:^<family>``; ``s:<skill>``; for a remote one also ``rs:<skill>``,
  ``rc:<cause>`` and ``rc:^<family>`` (matching reads remote ones by the skills and causes of
  a person, a fifth of those rows); ``m:<month published>``: the newest
  listing, a month at a time; ``d:<month>`` for every month a slot (or the recurring run)
  spans, and ``d:ongoing``: the soonest listing and dates, a month at a time from now on.
  Only an OPEN opportunity of a verified organization no moderator hid has rows.
- ``o``, the opportunity's id (its rows are rewritten together).
- ``p``, the payload: what search reads of the opportunity (JSON in one string), with only
  the words the row's key can be asked for (a word row's own, all of them in a cell's row).

Beside them one ``head`` row per opportunity (``{_id: <id>, k: "head", o, v: its version,
f: FORMAT}``), written last: an opportunity whose head lags its version, or the format of the
rows, is found and rewritten by ``repair``.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

from jumo_common.mongo import Document
from jumo_orgs import catalogue, text
from jumo_orgs.geo import Box
from jumo_orgs.opportunity_model import opportunity_of

ROWS = "opportunity_search"
HEAD = "head"
FORMAT = 2  # the keys rows_of writes; repair rewrites the rows of an older format
# The organizations' index uses the same grids (search_index, not committed yet: its keys are
# alike, so one module can serve both once it is).
RESOLUTIONS = (0.25, 1.0, 4.0, 16.0)  # grid cells, in degrees
MAX_CELLS = 16  # a box is read from the finest grid that covers it in at most this many cells
REMOTE = "r"
ONGOING = "d:ongoing"
MAX_DATE_MONTHS = 40  # a recurring run's months keyed (it lasts at most 3 years)
WORD_KEY_LENGTH = text.MIN_PREFIX
Row = Document


def word_key(word: str) -> str:
    """The key of the rows of opportunities with a word starting like ``word``."""
    return f"t:{word[:WORD_KEY_LENGTH]}"


def point_cells(lat: float, lng: float) -> list[str]:
    """The grid cells of a point, one per resolution."""
    return [f"g{r:g}:{math.floor(lat / r)}:{math.floor(lng / r)}" for r in RESOLUTIONS]


def _span(low: float, high: float, resolution: float) -> range:
    return range(math.floor(low / resolution), math.floor(high / resolution) + 1)


def cell_keys(box: Box) -> list[str]:
    """The cells covering ``box``, from the finest grid needing at most ``MAX_CELLS``."""
    for resolution in RESOLUTIONS:
        lats = _span(box.min_lat, box.max_lat, resolution)
        if box.lng_wraps:
            lngs = [_span(box.min_lng, 180.0, resolution), _span(-180.0, box.max_lng, resolution)]
        else:
            lngs = [_span(box.min_lng, box.max_lng, resolution)]
        if len(lats) * sum(map(len, lngs)) <= MAX_CELLS or resolution == RESOLUTIONS[-1]:
            return [f"g{resolution:g}:{a}:{b}" for a in lats for span in lngs for b in span]
    raise AssertionError("unreachable")


def cause_key(cause: str) -> str:
    """The key of a cause: a top-level one means its whole family."""
    found = catalogue.cause(cause)
    return f"c:^{cause}" if found is not None and found.parent is None else f"c:{cause}"


def month_of(moment: datetime) -> str:
    """``2026-11`` (UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m")


def listed(opp: Document, org: Document | None) -> bool:
    """Whether an opportunity is searchable: open, of a verified organization not hidden."""
    return (
        opp.get("status") == "open"
        and org is not None
        and org.get("status") == "verified"
        and not org.get("hidden")
    )


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def payload(doc: Document, org: Document) -> dict[str, Any]:
    """What search reads of an opportunity (every word in ``terms``)."""
    opp = opportunity_of(doc)
    place = opp.place
    pattern = doc.get("pattern")
    skill_words = [w for s in opp.skills for w in text.words(s.replace("-", " "))]
    return {
        "_id": opp.id, "org_id": opp.org_id, "org_name": org.get("name", ""),
        "org_slug": org.get("slug", ""), "title": opp.title, "causes": list(opp.causes),
        "skills": list(opp.skills), "skills_required": list(opp.skills_required),
        "city": place.city if place else None, "country": place.country if place else None,
        "lat": place.lat if place else None, "lng": place.lng if place else None,
        "remote": opp.remote, "time_zone": opp.time_zone, "commitment": opp.commitment,
        "slots": [[_iso(s.starts_at), _iso(s.ends_at)] for s in opp.slots],
        "pattern": pattern, "places": opp.places, "published_at": _iso(opp.published_at),
        "deadline": _iso(opp.deadline),
        "terms": list(dict.fromkeys(
            text.words(f"{opp.title} {org.get('name', '')} {place.city if place else ''}")
            + skill_words
        )),
    }  # fmt: skip


def keys_of(p: dict[str, Any]) -> list[str]:
    """Every key of an opportunity's rows."""
    keys = dict.fromkeys(word_key(t) for t in p["terms"])
    if p["lat"] is not None and p["lng"] is not None:
        keys |= dict.fromkeys(point_cells(p["lat"], p["lng"]))
    if p["remote"]:
        keys[REMOTE] = None
    for cause in p["causes"]:
        found = catalogue.cause(cause)
        family = (found.parent or found.slug) if found else cause
        keys |= dict.fromkeys((f"c:{cause}", f"c:^{family}"))
    keys |= dict.fromkeys(f"s:{skill}" for skill in p["skills"])
    if p["remote"]:
        keys |= dict.fromkeys(f"r{key}" for key in list(keys) if key.startswith(("c:", "s:")))
    if p["published_at"]:
        keys[f"m:{p['published_at'][:7]}"] = None
    keys |= dict.fromkeys(date_keys(p))
    return list(keys)


def months_between(first: str, last: str, most: int = MAX_DATE_MONTHS) -> list[str]:
    """``YYYY-MM`` from ``first`` to ``last`` (ISO dates or months), at most ``most`` of them."""
    year, month = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= last[:7] and len(out) < most:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out


def date_keys(p: dict[str, Any]) -> list[str]:
    """The months it happens in (``d:ongoing`` for an ongoing one)."""
    if p["commitment"] == "ongoing":
        return [ONGOING]
    months = [m for start, end in p["slots"] if start and end for m in months_between(start, end)]
    return [f"d:{m}" for m in dict.fromkeys(months)]


def row_terms(key: str, terms: list[str]) -> list[str]:
    """The words a row of ``key`` carries (see the module's docstring)."""
    if key.startswith("t:"):
        return [t for t in terms if word_key(t) == key]
    return terms if key.startswith("g") else []


def rows_of(doc: Document, org: Document | None) -> list[Row]:
    """An opportunity's rows, its head last (one not listed: its head alone)."""
    opp_id = doc["_id"]
    head = {"_id": opp_id, "k": HEAD, "o": opp_id, "v": doc.get("version"), "f": FORMAT}
    if not listed(doc, org):
        return [head]
    assert org is not None
    full = payload(doc, org)
    digest = hashlib.blake2b(json.dumps(full, sort_keys=True).encode(), digest_size=6).hexdigest()
    rows = [
        {"_id": f"{opp_id}/{key}/{digest}", "k": key, "o": opp_id,
         "p": json.dumps(full | {"terms": row_terms(key, full["terms"])}, separators=(",", ":"))}
        for key in keys_of(full)
    ]  # fmt: skip
    return [*rows, head]


def decode(row: Row) -> dict[str, Any]:
    """A row's payload."""
    found: dict[str, Any] = json.loads(row["p"])
    return found
