"""Matching's index of findable people: rows an organization's side reads by equality keys,
so that listing an opportunity's candidates never scans the people. No I/O.

Only a live person who chose to be findable (identity's ``findable``) has rows; anyone else
has none, whatever else they set. Rows of ``candidate_index``, ``{_id, k, u, p}``, never
changed once written (a new profile is new rows, their ``_id`` ending in its digest):

- ``k``, an equality key: ``g<degrees>:<lat cell>:<lng cell>`` for every cell covering the
  person's REACH (a box of their ``radius_km`` around their point, in the opportunity index's
  grids, the finest needing at most 16 cells), so an on-site opportunity reads only its own
  point's cells (one per grid) and finds everyone whose reach covers it; ``s:<skill>`` per
  skill (folded as opportunities' tags) and ``i:<interest>`` per interest: what a remote
  opportunity reads (its skills, its causes and their families);
- ``u``, the person's id (their rows are rewritten together);
- ``p``, the payload: what matching reads of the person (JSON in one string).

A person who is not (or no longer) findable, or deleted, has no row at all.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from jumo_common.mongo import Document
from jumo_orgs import catalogue, geo
from jumo_orgs.match_terms import folded_skills
from jumo_orgs.opportunity_search_index import cell_keys, point_cells

ROWS = "candidate_index"
Row = Document


def findable(doc: Document | None) -> bool:
    """Whether a person's projection may be listed as a candidate."""
    return bool(doc and not doc.get("deleted") and doc.get("findable") is True)


def payload(doc: Document) -> dict[str, Any]:
    """What matching reads of a findable person."""
    place = doc.get("place") or {}
    return {
        "_id": doc["_id"], "display_name": doc.get("display_name") or "Jumo member",
        "avatar_url": doc.get("avatar_url"), "visibility": doc.get("visibility", "public"),
        "skills": sorted(folded_skills(doc.get("skills") or ())),
        "interests": list(doc.get("interests") or ()),
        "languages": list(doc.get("languages") or ()),
        "place": {"city": place.get("city"), "lat": place.get("lat"), "lng": place.get("lng")},
        "radius_km": doc.get("radius_km") or 25,
        "availability": {"parts": list((doc.get("availability") or {}).get("parts") or ())},
    }  # fmt: skip


def keys_of(p: dict[str, Any]) -> list[str]:
    """Every key of a person's rows."""
    keys: dict[str, None] = {}
    lat, lng = p["place"]["lat"], p["place"]["lng"]
    if lat is not None and lng is not None:
        keys |= dict.fromkeys(cell_keys(geo.box_around(lat, lng, float(p["radius_km"]))))
    keys |= dict.fromkeys(f"s:{s}" for s in p["skills"])
    keys |= dict.fromkeys(f"i:{i}" for i in p["interests"])
    return list(keys)


def opportunity_keys(offer: dict[str, Any]) -> list[str]:
    """The keys an opportunity's candidates are read by: its point's cells (on-site), its
    skills and causes with their families (remote)."""
    keys: dict[str, None] = {}
    if offer.get("lat") is not None and offer.get("lng") is not None:
        keys |= dict.fromkeys(point_cells(offer["lat"], offer["lng"]))
    if offer["remote"]:
        keys |= dict.fromkeys(f"s:{s}" for s in offer["skills"])
        for cause in offer["causes"]:
            found = catalogue.cause(cause)
            keys |= dict.fromkeys(f"i:{c}" for c in (cause, found.parent if found else None) if c)
    return list(keys)


def rows_of(user_id: str, doc: Document | None) -> list[Row]:
    """A person's rows (none when not findable)."""
    if doc is None or not findable(doc):
        return []
    full = payload(doc)
    raw = json.dumps(full, sort_keys=True, separators=(",", ":"))
    digest = hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()
    return [{"_id": f"{user_id}/{key}/{digest}", "k": key, "u": user_id, "p": raw}
            for key in keys_of(full)]  # fmt: skip


def decode(row: Row) -> dict[str, Any]:
    """A row's payload."""
    found: dict[str, Any] = json.loads(row["p"])
    return found
