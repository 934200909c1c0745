"""search's index (``search_sync``) against the organizations it indexes, on the real servers:
every write of an organization through the app leaves the index true (creation, edits, each
state, hiding and restoring, owners, claims, erasure of its creator, the CSV import, 30
concurrent edits), and syncs of older versions that end after the newest one's never undo its
rows nor shadow them in search; a write whose rows never came (the process died between the
two) is repaired by a housekeeping round, and organizations written before the index existed by
``reindex``."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from typing import Any

from jumo_common.change import Change
from jumo_common.mongo import WRITE_CLAIMS, Database, Document, ensure_indexes
from jumo_common.outbox import VersionedDocuments
from jumo_common.testing.tokens import TestKeys
from jumo_orgs import org_pages
from jumo_orgs.__main__ import run_reindex
from jumo_orgs.app import build_orgs, housekeep
from jumo_orgs.imports import import_csv
from jumo_orgs.schemas.search import OrgSearchQuery
from jumo_orgs.search_index import HEAD, ROWS, month_of, month_row, org_rows, visibility
from jumo_orgs.search_sync import MongoSearchIndex
from jumo_orgs.settings import OrgsSettings
from jumo_orgs.store import INDEXES
from jumo_orgs.typedefs import Orgs

from .community import answer_of, database
from .conftest import Client, Person, delete, person, service
from .search_samples import org_doc

LYON = {"city": "Lyon", "country": "FR", "lat": 45.76, "lng": 4.84}
CSV = (
    "external_id,name,causes,city,country,lat,lng\nx-1,Clean Rivers,clean-water,Lyon,FR,45.7,4.8\n"
)


async def index_problems(db: Database) -> list[str]:
    """How the index differs from what ``search_index`` derives from the organizations (none:
    it is true): each organization's rows and head, the months listed, no rows of the gone."""
    orgs = {doc["_id"]: doc for doc in await db["orgs"].find().to_list()}
    rows = await db[ROWS].find().to_list()
    present = {row["_id"]: row for row in rows}
    problems = [f"rows of a gone organization: {r['_id']}" for r in rows
                if "o" in r and r["o"] not in orgs]  # fmt: skip
    for org_id, doc in orgs.items():
        wanted = {row["_id"]: row for row in org_rows(doc)}
        held = {row["_id"]: row for row in rows if row.get("o") == org_id}
        if held != wanted:
            versions = sorted({str(row.get("v")) for row in held.values()})
            problems.append(f"{doc['name']} (version {doc['version']}): "
                            f"{len(held.keys() ^ wanted.keys())} rows differ, rows of versions "
                            f"{', '.join(versions)}")  # fmt: skip
        if (vis := visibility(doc)) and month_row(vis, month_of(doc["created_at"]))["_id"] not in (
            present
        ):
            problems.append(f"{doc['name']}: its month is not listed")
    return problems


async def assert_true(client: Client) -> None:
    assert await index_problems(database(client)) == []


async def found(client: Client, **params: str) -> list[str]:
    answer = await answer_of(await client.get("/orgs", params=params))
    return [hit["name"] for hit in answer["items"]]


async def created(client: Client, owner: Person, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "causes": ["literacy"], "hq": LYON, **fields}
    org: dict[str, Any] = await answer_of(
        await client.post("/orgs", json=body, headers=owner.auth), 201
    )
    return org


async def step(
    client: Client, method: str, path: str, who: Person, body: Any = None, status: int = 200
) -> Any:
    """One call that must succeed, then the index must be true."""
    response = await client.request(method, path, json=body, headers=who.auth)
    answer = await answer_of(response, status)
    await assert_true(client)
    return answer


async def test_every_write_of_an_organization_keeps_the_index_true(
    client: Client, keys: TestKeys
) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    mo = await person(client, keys, "Mo", roles=("moderator",))
    org = await created(client, ann, "Reading Corner")
    await assert_true(client)
    path = f"/orgs/{org['id']}"
    patch = {"name": "Lecture Partagée", "mission": "Books for all", "causes": ["tutoring"],
             "hq": {"city": "Paris", "country": "FR", "lat": 48.86, "lng": 2.35}}  # fmt: skip
    await step(client, "PATCH", path, ann, patch)
    await step(client, "POST", f"{path}/submit", ann)
    assert await found(client, q="lecture") == []  # pending: not public
    await step(client, "POST", f"{path}/verify", mo)
    assert await found(client, q="partag", near="48.86,2.35") == ["Lecture Partagée"]
    assert await found(client, q="reading") == []
    assert await found(client, cause="education") == ["Lecture Partagée"]

    await service(client).organizations.set_hidden(org["id"], True)  # as moderation hides
    await assert_true(client)
    assert await found(client, q="lecture") == []
    await step(client, "POST", f"/moderation/org/{org['id']}/restore", mo)
    assert await found(client, q="lecture") == ["Lecture Partagée"]

    await step(
        client, "POST", f"{path}/invitations", ann, {"user_id": bob.user_id, "role": "owner"}, 201
    )
    await step(client, "POST", f"{path}/invitations/accept", bob)
    await step(client, "POST", f"{path}/transfer", bob, {"user_id": ann.user_id})

    other = await created(client, bob, "Turned Down")
    await step(client, "POST", f"/orgs/{other['id']}/submit", bob)
    await step(client, "POST", f"/orgs/{other['id']}/reject", mo, {"reason": "No registration."})
    everyone = await answer_of(await client.get("/orgs", params={"verified": "false",
                                                                 "sort": "newest"},
                                                headers=mo.auth))  # fmt: skip
    assert [h["name"] for h in everyone["items"]] == ["Turned Down", "Lecture Partagée"]

    await delete(client, ann)  # erasure: their memberships end, the page forgets its creator
    await assert_true(client)
    assert await found(client, q="lecture") == ["Lecture Partagée"]


async def test_imports_and_claims_keep_the_index_true(client: Client, keys: TestKeys) -> None:
    ann, mo = (
        await person(client, keys, "Ann"),
        await person(client, keys, "Mo", roles=("moderator",)),
    )
    report = await import_csv(service(client).stores.orgs, CSV, datetime.now(UTC), io.StringIO())
    assert report.created == 1
    await assert_true(client)
    assert await found(client, q="rivers", near="45.76,4.84") == ["Clean Rivers"]
    (org_id,) = [h async for h in database(client)["orgs"].find({}, {"_id": 1})]
    claim = await step(
        client, "POST", f"/orgs/{org_id['_id']}/claims", ann, {"evidence": "Mine."}, 201
    )
    await step(client, "POST", f"/moderation/claims/{claim['id']}/approve", mo, {})
    assert await found(client, q="clean") == ["Clean Rivers"]


async def test_concurrent_edits_leave_the_rows_of_the_last(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    org = await created(client, ann, "Busy Org")
    missions = [f"Mission number {n} words{n}" for n in range(30)]
    answers = await asyncio.gather(*(
        client.patch(f"/orgs/{org['id']}", json={"mission": m}, headers=ann.auth)
        for m in missions
    ))  # fmt: skip
    statuses = {a.status for a in answers}
    assert 200 in statuses
    assert statuses <= {200, 409}  # 409: changing concurrently, try again
    await assert_true(client)


def _renamed(doc: Document, name: str) -> Change:
    page = {k: v for k, v in doc.items() if k in ("name", "mission", "description", "hq")}
    return Change(set={"name": name, **org_pages.keywords(page | {"name": name})})


def renaming(name: str) -> Any:
    return lambda doc: _renamed(doc, name)


async def names(orgs: Orgs, q: str) -> list[str]:
    page = await orgs.search.search(OrgSearchQuery(q=q), None)
    return sorted(hit.name for hit in page.items)


async def test_slow_syncs_of_older_versions_never_undo_the_newest_rows(
    settings: OrgsSettings, mongo_db: Database
) -> None:
    await ensure_indexes(mongo_db, INDEXES)
    orgs = build_orgs(settings, mongo_db)
    bare = VersionedDocuments(mongo_db["orgs"], orgs.outbox, mongo_db[WRITE_CLAIMS])
    doc = org_doc("First Name")
    assert await orgs.stores.orgs.create_org(doc, [])
    versions = []
    for n in range(2, 12):  # written without their rows: the syncs come below
        written = await bare.change(doc["_id"], renaming(f"Name Word{n}"))
        assert written is not None
        versions.append(written.after())
    index = MongoSearchIndex(mongo_db)
    await index.sync(doc["_id"], versions[-1])  # the last version's sync ends first
    seen: list[list[str]] = []

    async def watch() -> None:
        while True:
            seen.append(await names(orgs, "word11"))

    watcher = asyncio.create_task(watch())
    # Then those of every older version, at once, as slow syncs of earlier requests would.
    await asyncio.gather(*(index.sync(doc["_id"], v) for v in reversed(versions[:-1])))
    watcher.cancel()
    assert await index_problems(mongo_db) == []
    assert seen
    assert all(found == ["Name Word11"] for found in seen), {str(f) for f in seen}


# ---- repair -------------------------------------------------------------------------------------


async def test_a_housekeeping_round_repairs_writes_whose_rows_never_came(
    settings: OrgsSettings, mongo_db: Database
) -> None:
    await ensure_indexes(mongo_db, INDEXES)
    orgs = build_orgs(settings, mongo_db)  # no app: no startup repair racing this test
    # The organizations as the store writes them, without the rows after: what a process that
    # died between the two writes leaves behind.
    bare = VersionedDocuments(mongo_db["orgs"], orgs.outbox, mongo_db[WRITE_CLAIMS])
    renamed, old_format, gone = org_doc("Old Name"), org_doc("Old Format"), org_doc("Deleted")
    for doc in (renamed, old_format, gone):
        assert await orgs.stores.orgs.create_org(doc, [])
    assert await bare.create(org_doc("Never Indexed"), [])
    await bare.change(renamed["_id"], lambda doc: _renamed(doc, "New Name"))
    await mongo_db["orgs"].delete_one({"_id": gone["_id"]})
    # Old Format's rows as FORMAT 1 wrote them: no version in the rows, one head by its id.
    await mongo_db[ROWS].delete_many({"o": old_format["_id"], "k": HEAD})
    await mongo_db[ROWS].insert_many([
        {"_id": old_format["_id"], "k": HEAD, "o": old_format["_id"], "v": 1, "f": 1},
        {"_id": f"{old_format['_id']}/v:t:zzz/0", "k": "v:t:zzz", "o": old_format["_id"], "p": ""},
    ])  # fmt: skip
    assert await index_problems(mongo_db)
    assert await names(orgs, "lyon") == ["Deleted", "Old Format", "Old Name"]  # the rows' word

    await housekeep(orgs, mongo_db)
    assert await index_problems(mongo_db) == []
    assert await names(orgs, "lyon") == ["Never Indexed", "New Name", "Old Format"]
    assert await orgs.search.repair() == 0  # nothing more to do


async def test_reindex_indexes_organizations_from_before_the_index(
    settings: OrgsSettings, mongo_db: Database
) -> None:
    await mongo_db["orgs"].insert_many([org_doc("Older Than Search"), org_doc("Older Still")])
    assert await run_reindex(settings) == 2  # ``python -m jumo_orgs reindex``, after deploying
    assert await index_problems(mongo_db) == []
    orgs = build_orgs(settings, mongo_db)
    assert await names(orgs, "older") == ["Older Still", "Older Than Search"]
    assert await run_reindex(settings) == 0
