"""Search's own index of the organizations, as rows of one small shape. No I/O.

FerretDB 1.24 pushes down to PostgreSQL only top-level equalities, and then decodes every
document they match, at a cost that grows with the document's number of values and bytes: an
organization (its ``terms`` and ``prefixes`` arrays) costs about 1 ms, a row of three strings
about 0.05 ms (``bench/README.md``). So search reads rows, never organizations: each
organization has one row per equality key a query may ask for, all in the ``org_search``
collection, each ``{_id, k, o, p}``, never changed once written (a new payload is new rows,
their ``_id`` ending in its digest):

- ``k``, the key, starts with the organization's visibility — ``v`` verified (what everyone
  searches), ``o`` any other status (moderators too), a hidden one has no rows — then:
  ``t:<the first 3 letters of a word>`` (a shorter word: itself) for every word of its
  ``terms``; ``g<degrees>:<lat cell>:<lng cell>`` for its headquarters in a grid of each size of
  ``RESOLUTIONS``; ``m:<creation month>``; ``c:<cause>:<month>`` for each of its causes and
  ``c:^<top cause>:<month>`` for each cause's family (the newest listing and a cause's are read
  a month at a time, newest first).
- ``o`` is the organization's id (its rows are rewritten together), ``v`` the version of the
  organization they were written from: a row's ``_id`` ends in that version and the digest of
  its payload, so a sync of an older version never writes a row of a newer one, and deletes only
  rows older than its own (``search_sync``).
- ``p``, the payload, is all that search reads of the organization (``decode`` gives back its
  ``FIELDS``), packed into one string without quotes so that it costs FerretDB one short value
  (a JSON object there costs twice as much); of its ``terms``, only those the row's key can be
  asked for (``row_terms``): a long description has hundreds of word keys, and each of its rows
  carrying every word would make the index megabytes per organization. A query with several
  words reads the rows of each and joins their terms (``search_store``).

Beside them: one ``head`` row per organization and version (``{_id: <org id>/head/<version>.
<FORMAT>, k: "head", o, v: its version, f: FORMAT}``), written after the version's rows, so
that an organization whose head lags its version (a crash between the two writes, a format
change) or that has two heads (a crash before the older rows went) is found and repaired; and
one row per month in
which a visibility has organizations (``k: "<vis>:months"``), so that a listing walks only
months that hold some.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from jumo_common.mongo import Document
from jumo_orgs import catalogue, text
from jumo_orgs.geo import Box

ROWS = "org_search"
FORMAT = 2  # bump when keys or payload change: the repair then rewrites every organization
HEAD = "head"
PUBLIC, OTHER = "v", "o"  # visibility: verified; any other status (hidden ones have no rows)
RESOLUTIONS = (0.25, 1.0, 4.0, 16.0)  # grid cells, in degrees
MAX_CELLS = 16  # a box is read from the finest grid that covers it in at most this many cells
WORD_KEY_LENGTH = text.MIN_PREFIX
FIELDS = ("_id", "name", "slug", "mission", "terms", "causes", "hq", "status", "hidden",
          "created_at")  # fmt: skip
SEP = "\x7f"  # DEL: a control character, so in no name, mission or city (org_fields.one_line)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Row = Document


def visibility(org: Document) -> str | None:
    """Which rows an organization has: ``PUBLIC``, ``OTHER``, or None (hidden: none)."""
    if org.get("hidden") is True:
        return None
    return PUBLIC if org.get("status") == "verified" else OTHER


def month_of(moment: datetime) -> str:
    """``2026-11``: the creation month a listing walks by (UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m")


# ---- keys ---------------------------------------------------------------------------------------


def word_key(word: str) -> str:
    """The key of the rows of organizations that have a word starting like ``word``."""
    return f"t:{word[:WORD_KEY_LENGTH]}"


def _cell(resolution: float, lat: float, lng: float) -> str:
    return f"g{resolution:g}:{math.floor(lat / resolution)}:{math.floor(lng / resolution)}"


def _span(low: float, high: float, resolution: float) -> range:
    return range(math.floor(low / resolution), math.floor(high / resolution) + 1)


def _lng_spans(box: Box, resolution: float) -> list[range]:
    if box.lng_wraps:  # east of min_lng, and west of max_lng
        return [_span(box.min_lng, 180.0, resolution), _span(-180.0, box.max_lng, resolution)]
    return [_span(box.min_lng, box.max_lng, resolution)]


def cell_keys(box: Box) -> list[str]:
    """The keys of the grid cells that cover ``box``, from the finest grid that needs at most
    ``MAX_CELLS`` of them (else the coarsest)."""
    for resolution in RESOLUTIONS:
        lats, lngs = _span(box.min_lat, box.max_lat, resolution), _lng_spans(box, resolution)
        if len(lats) * sum(map(len, lngs)) <= MAX_CELLS or resolution == RESOLUTIONS[-1]:
            return [f"g{resolution:g}:{a}:{b}" for a in lats for span in lngs for b in span]
    raise AssertionError("unreachable")


def cause_keys(causes: tuple[str, ...], month: str) -> list[str]:
    """The keys of one month of organizations with one of ``causes``: a whole family (a cause
    and its children) is one key, other causes one each."""
    top = catalogue.cause(causes[0]) if causes else None
    family = (top.parent or top.slug) if top else None
    if family is not None and set(causes) == set(catalogue.with_children(family)):
        return [f"c:^{family}:{month}"]
    return [f"c:{cause}:{month}" for cause in causes]


def listing_keys(month: str) -> list[str]:
    """The key of one month of organizations."""
    return [f"m:{month}"]


def org_keys(org: Document) -> list[str]:
    """Every key an organization's rows have (without the visibility)."""
    month = month_of(org["created_at"])
    keys = dict.fromkeys(word_key(t) for t in org.get("terms") or ())
    hq = org.get("hq") or {}
    if isinstance(hq.get("lat"), int | float) and isinstance(hq.get("lng"), int | float):
        keys |= dict.fromkeys(_cell(r, hq["lat"], hq["lng"]) for r in RESOLUTIONS)
    keys[listing_keys(month)[0]] = None
    for cause in org.get("causes") or ():
        found = catalogue.cause(cause)
        family = (found.parent or found.slug) if found else cause
        keys |= dict.fromkeys((f"c:{cause}:{month}", f"c:^{family}:{month}"))
    return list(keys)


# ---- rows ---------------------------------------------------------------------------------------


def version_of(org: Document) -> int:
    """The version of an organization its rows are written from (0: one never versioned)."""
    return int(org.get("version") or 0)


def head_row(org_id: str, version: int) -> Row:
    """The row that says an organization's rows of ``version`` are all written."""
    return {"_id": f"{org_id}/{HEAD}/{version}.{FORMAT}", "k": HEAD, "o": org_id, "v": version,
            "f": FORMAT}  # fmt: skip


def month_row(vis: str, month: str) -> Row:
    """The row that says ``vis`` has organizations created in ``month``."""
    return {"_id": f"{vis}:months:{month}", "k": f"{vis}:months", "m": month}


def row_terms(key: str, terms: list[str]) -> list[str]:
    """The organization's words a row of ``key`` carries: a word key's own (those starting
    alike: all that a query word read by that key can match), all of them in a grid cell's (a
    query may ask for words there), none in a month's or a cause's (read only without words).
    So the many word rows of a long description stay small."""
    if key.startswith("t:"):
        return [term for term in terms if word_key(term) == key]
    return terms if key.startswith("g") else []


def org_rows(org: Document) -> list[Row]:
    """An organization's rows of its version, its head last (a hidden one: its head alone)."""
    vis, org_id, version = visibility(org), org["_id"], version_of(org)
    rows: list[Row] = []
    if vis is not None:
        terms = list(org.get("terms") or ())
        digest = hashlib.blake2b(f"{FORMAT}{SEP}{encode(org)}".encode(), digest_size=6).hexdigest()
        rows = [{"_id": f"{org_id}/{vis}:{key}/{version}.{digest}", "k": f"{vis}:{key}",
                 "o": org_id, "v": version, "p": encode(org, row_terms(key, terms))}
                for key in org_keys(org)]  # fmt: skip
    return [*rows, head_row(org_id, version)]


# ---- the payload --------------------------------------------------------------------------------


def _opt(value: Any) -> str:
    return "" if value is None else "=" + str(value).replace(SEP, "")


def _unopt(value: str) -> str | None:
    return value[1:] if value else None


def _number(value: str) -> float | None:
    found = _unopt(value)
    return float(found) if found is not None else None


def _millis(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (aware - EPOCH) // timedelta(milliseconds=1)  # BSON's precision


def _hq_parts(hq: Any) -> list[str]:
    if not isinstance(hq, dict):
        return ["", "", "", "", ""]
    return ["=", *(_opt(hq.get(name)) for name in ("city", "country", "lat", "lng"))]


def encode(org: Document, terms: list[str] | None = None) -> str:
    """The payload of an organization's rows: its ``FIELDS``, in one string, with ``terms``
    for its words (None: all of them)."""
    words = org.get("terms") or () if terms is None else terms
    parts = [
        org["_id"], _opt(org.get("slug")), _opt(org.get("name")), _opt(org.get("mission")),
        *_hq_parts(org.get("hq")), " ".join(org.get("causes") or ()), _opt(org.get("status")),
        str(_millis(org["created_at"])), " ".join(words),
    ]  # fmt: skip
    return SEP.join(parts)


def _decoded_hq(parts: list[str]) -> Document | None:
    if not parts[0]:
        return None
    city, country, lat, lng = parts[1:]
    return {"city": _unopt(city), "country": _unopt(country), "lat": _number(lat),
            "lng": _number(lng)}  # fmt: skip


def decode(payload: str) -> Document:
    """The organization a payload was encoded from, as search reads it (its ``FIELDS``)."""
    org_id, slug, name, mission, *rest = payload.split(SEP)
    hq, (causes, status, millis, terms) = _decoded_hq(rest[:5]), rest[5:]
    doc: Document = {
        "_id": org_id, "slug": _unopt(slug), "name": _unopt(name), "mission": _unopt(mission),
        "hq": hq, "causes": causes.split(), "status": _unopt(status), "hidden": False,
        "created_at": EPOCH + timedelta(milliseconds=int(millis)), "terms": terms.split(),
    }  # fmt: skip
    return {k: v for k, v in doc.items() if v is not None}
