"""Search's index as pure functions (no servers): an organization's rows and their payload, the
keys a query reads (grid cells, causes and their families, months), and the writes that turn
one set of rows into another."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from pymongo import DeleteMany, InsertOne

from jumo_orgs import search_index
from jumo_orgs.geo import box_around
from jumo_orgs.search_index import (
    FIELDS,
    HEAD,
    MAX_CELLS,
    RESOLUTIONS,
    cause_keys,
    cell_keys,
    decode,
    encode,
    org_keys,
    org_rows,
)
from jumo_orgs.search_sync import row_writes

from .search_samples import org_doc


def searched(doc: dict[str, object]) -> dict[str, object]:
    return {k: doc[k] for k in FIELDS if k in doc and doc[k] is not None}


def test_the_payload_gives_back_what_search_reads() -> None:
    doc = org_doc('Les "Amis" de l\'Île — Ωmega', mission="Soigner, écouter", city="Genève",
                  country="CH", lat=46.2, lng=6.15, causes=["health", "literacy"])  # fmt: skip
    assert decode(encode(doc)) == searched(doc)
    bare = org_doc("No Place", lat=None, lng=None)
    assert decode(encode(bare))["hq"] == {"city": "Lyon", "country": "FR", "lat": None, "lng": None}
    del bare["hq"], bare["mission"]
    assert decode(encode(bare)) == searched(bare)
    assert "mission" not in decode(encode(bare))
    assert decode(encode(org_doc("Blank", mission="")))["mission"] == ""


def test_the_payload_keeps_what_bson_keeps_of_a_date() -> None:
    naive = datetime(2026, 3, 4, 5, 6, 7, 891_234)  # as a client without tz_aware hands it back
    found = decode(encode(org_doc("When", created_at=naive)))["created_at"]
    assert found == datetime(2026, 3, 4, 5, 6, 7, 891_000, tzinfo=UTC)


def test_rows_by_visibility() -> None:
    verified, pending = org_doc("Shown"), org_doc("Waiting", status="pending")
    hidden = org_doc("Gone", hidden=True)
    assert {r["k"][:2] for r in org_rows(verified) if r["k"] != HEAD} == {"v:"}
    assert {r["k"][:2] for r in org_rows(pending) if r["k"] != HEAD} == {"o:"}
    assert [r["k"] for r in org_rows(hidden)] == [HEAD]
    org_id, fmt = verified["_id"], search_index.FORMAT
    assert org_rows(verified)[-1] == {"_id": f"{org_id}/head/1.{fmt}", "k": HEAD, "o": org_id,
                                      "v": 1, "f": fmt}  # fmt: skip
    assert len({r["_id"].rsplit("/")[-1] for r in org_rows(verified) if r["k"] != HEAD}) == 1
    assert {r["v"] for r in org_rows(verified)} == {1}  # every row says its version


def test_each_version_has_rows_of_its_own() -> None:
    doc = org_doc("Same Page")
    again = org_rows(doc | {"version": 2})  # a write that changed nothing search reads
    assert not {r["_id"] for r in org_rows(doc)} & {r["_id"] for r in again}
    assert [r["p"] for r in org_rows(doc) if "p" in r] == [r["p"] for r in again if "p" in r]


def test_a_row_carries_the_terms_its_key_may_be_asked_for() -> None:
    doc = org_doc("Green Gardens", mission="Growing greens", description="Urban plots",
                  causes=["health"], created_at=datetime(2026, 11, 2, tzinfo=UTC))  # fmt: skip
    terms = {r["k"]: decode(r["p"])["terms"] for r in org_rows(doc) if r["k"] != HEAD}
    assert terms["v:t:gre"] == ["green", "greens"]
    assert terms["v:t:gar"] == ["gardens"]
    assert set(terms["v:g1:45:4"]) == set(doc["terms"])  # a cell: words may be asked there
    assert terms["v:m:2026-11"] == terms["v:c:health:2026-11"] == []
    assert decode(encode(doc)) == searched(doc)  # the full payload: every term


def test_the_keys_of_an_organization() -> None:
    doc = org_doc("Médecins UK", causes=["literacy", "health"], lat=45.76, lng=4.84,
                  created_at=datetime(2026, 11, 30, 23, 59, tzinfo=UTC))  # fmt: skip
    keys = org_keys(doc)
    assert {"t:med", "t:uk", "t:lyo"} <= set(keys)  # three letters, or a shorter word whole
    assert {"g0.25:183:19", "g1:45:4", "g4:11:1", "g16:2:0"} <= set(keys)
    assert {"m:2026-11", "c:literacy:2026-11", "c:^education:2026-11", "c:health:2026-11",
            "c:^health:2026-11"} <= set(keys)  # fmt: skip
    assert len(keys) == len(set(keys))


def test_a_family_is_one_key_other_causes_one_each() -> None:
    family = ("education", "literacy", "tutoring", "digital-skills", "adult-learning",
              "school-access")  # fmt: skip
    assert cause_keys(family, "2026-01") == ["c:^education:2026-01"]
    assert cause_keys(("literacy",), "2026-01") == ["c:literacy:2026-01"]
    assert cause_keys(("education",), "2026-01") == ["c:education:2026-01"]  # itself, not kin
    assert cause_keys(("health", "literacy"), "2026-01") == [
        "c:health:2026-01", "c:literacy:2026-01",
    ]  # fmt: skip


def _resolution(keys: list[str]) -> str:
    (found,) = {k.split(":")[0] for k in keys}
    return found


def test_a_box_is_read_from_the_finest_grid_that_covers_it_in_few_cells() -> None:
    near = cell_keys(box_around(48.86, 2.35, 25))
    assert len(near) <= MAX_CELLS
    assert _resolution(near) == "g0.25"
    assert _resolution(cell_keys(box_around(48.86, 2.35, 100))) == "g1"
    assert _resolution(cell_keys(box_around(48.86, 2.35, 200))) == "g4"
    assert len(cell_keys(box_around(60.0, 2.35, 500))) <= MAX_CELLS
    pole = cell_keys(box_around(89.95, 0.0, 50))  # every longitude: the coarsest grid
    assert _resolution(pole) == f"g{RESOLUTIONS[-1]:g}"


def test_every_point_of_a_box_is_in_one_of_its_cells() -> None:
    for lat, lng, radius in ((-16.85, 179.99, 50), (-16.85, -179.9, 200), (45.76, 4.84, 25),
                             (0.0, 0.0, 10), (89.95, 0.0, 50), (-89.9, 120.0, 300)):  # fmt: skip
        box = box_around(lat, lng, radius)
        keys = set(cell_keys(box))
        lngs = ([box.min_lng, 180.0, -180.0, box.max_lng] if box.lng_wraps
                else [box.min_lng, (box.min_lng + box.max_lng) / 2, box.max_lng])  # fmt: skip
        for a, b in itertools.product([box.min_lat, lat, box.max_lat], lngs):
            point = org_doc("P", lat=round(a, 2), lng=round(b, 2))
            if box.min_lat <= point["hq"]["lat"] <= box.max_lat:
                assert keys & set(org_keys(point)), (lat, lng, radius, a, b)


def test_writes_turn_present_rows_into_wanted_ones() -> None:
    doc = org_doc("Green Lyon")
    rows = org_rows(doc)
    first = row_writes(doc["_id"], {}, rows)
    assert [w._doc for w in first if isinstance(w, InsertOne)] == rows  # the head last
    assert [type(w) for w in first] == [InsertOne] * len(rows) + [DeleteMany]
    present = {r["_id"]: r for r in rows}
    assert [type(w) for w in row_writes(doc["_id"], present, rows)] == [DeleteMany]  # only that
    renamed = org_rows(doc | {"name": "Green Paris", "version": 2})
    writes = row_writes(doc["_id"], present, renamed)
    assert sum(isinstance(w, InsertOne) for w in writes) == len(renamed)  # a new version
    assert isinstance(writes[-1], DeleteMany)  # then the rest, in one go, after the head
    deleted = writes[-1]._filter
    assert deleted["v"] == {"$not": {"$gt": 2}}  # never a newer version's rows
    assert deleted["_id"] == {"$nin": [r["_id"] for r in renamed]}
    assert [type(w) for w in row_writes(doc["_id"], present, [])] == [DeleteMany]  # gone
    assert row_writes(doc["_id"], {}, []) == []
