"""``GET /orgs`` through the app on the real store: organizations created, submitted and verified
through the API, then found by words, cause and distance, with why, in stable pages."""

from __future__ import annotations

from typing import Any

from jumo_common.testing.tokens import TestKeys

from .community import answer_of
from .conftest import Client, Person, person


async def verified_org(
    client: Client, owner: Person, moderator: Person, name: str, **fields: Any
) -> dict[str, Any]:
    """An organization created by ``owner`` and verified by ``moderator``, through the API."""
    body = {"name": name, "causes": ["education"], **fields}
    org = await answer_of(await client.post("/orgs", json=body, headers=owner.auth), 201)
    await answer_of(await client.post(f"/orgs/{org['id']}/submit", headers=owner.auth))
    await answer_of(await client.post(f"/orgs/{org['id']}/verify", headers=moderator.auth))
    result: dict[str, Any] = org
    return result


async def search(client: Client, status: int = 200, **params: Any) -> Any:
    query = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()}
    return await answer_of(await client.get("/orgs", params=query), status)


async def test_search_by_words_cause_and_distance(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    mo = await person(client, keys, "Mo", roles=("moderator",))
    lyon = {"city": "Lyon", "country": "FR", "lat": 45.76, "lng": 4.84}
    msf = await verified_org(
        client, ann, mo, "Médecins Solidaires", mission="Soigner ceux qui n'ont rien",
        causes=["public-health"], hq=lyon,
    )  # fmt: skip
    await verified_org(
        client, ann, mo, "Lire Ensemble", description="Ateliers de lecture",
        causes=["literacy"], hq={"city": "Paris", "country": "FR", "lat": 48.86, "lng": 2.35},
    )  # fmt: skip
    draft = {"name": "Médecins en Brouillon", "causes": ["health"], "hq": lyon}
    await answer_of(await client.post("/orgs", json=draft, headers=ann.auth), 201)

    found = await search(client, q="MEDEC")
    assert [h["id"] for h in found["items"]] == [msf["id"]]  # the draft is not public
    hit = found["items"][0]
    assert hit["why"]["words"] == [{"word": "medec", "fields": ["name"], "exact": False}]
    assert (hit["slug"], hit["city"], hit["verified"], found["sort"]) == (
        msf["slug"], "Lyon", True, "relevance",
    )  # fmt: skip

    by_cause = await search(client, cause="education")
    assert [(h["name"], h["why"]["causes"]) for h in by_cause["items"]] == [
        ("Lire Ensemble", ["literacy"]),
    ]  # fmt: skip
    assert [h["name"] for h in (await search(client, cause="health"))["items"]] == [
        "Médecins Solidaires",
    ]  # fmt: skip

    near = await search(client, near="45.75,4.85", radius_km=10)
    assert [(h["name"], h["why"]["distance_km"]) for h in near["items"]] == [
        ("Médecins Solidaires", 1.4),
    ]  # fmt: skip
    assert (await search(client, q="lecture", near="45.75,4.85"))["items"] == []
    everyone = await answer_of(
        await client.get("/orgs", params={"q": "medecins", "verified": "false"}, headers=mo.auth)
    )
    assert sorted(h["name"] for h in everyone["items"]) == [
        "Médecins Solidaires", "Médecins en Brouillon",
    ]  # fmt: skip


async def test_pages_are_stable_for_every_sort(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    mo = await person(client, keys, "Mo", roles=("moderator",))
    made = []
    for n in range(5):
        hq = {"city": "Lyon", "country": "FR", "lat": round(45.70 + n / 50, 2), "lng": 4.84}
        made.append(await verified_org(client, ann, mo, f"Jardin Partagé {n}", hq=hq))
    ids = [o["id"] for o in made]
    for params, expected in (
        ({"q": "jardin"}, sorted(ids)),  # equal scores: by id
        ({"q": "jardin", "sort": "newest"}, ids[::-1]),
        ({"near": "45.69,4.84", "radius_km": 50}, ids),
    ):
        seen, cursor = [], None
        while True:
            page = await search(client, limit=2, **params, **({"cursor": cursor} if cursor else {}))
            seen += [h["id"] for h in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == expected, params


async def test_bad_queries_are_refused(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    for params in (
        {"near": "91,0"}, {"near": "lyon"}, {"radius_km": "5"}, {"sort": "distance"},
        {"near": "45,4", "radius_km": "501"}, {"cause": "no-such-cause"}, {"sort": "best"},
        {"limit": "0"}, {"q": "x" * 201},
    ):  # fmt: skip
        problem = await search(client, 422, **params)
        assert problem["status"] == 422, params
    assert (await search(client, 400, cursor="bm90LW91cnM"))["type"].endswith("invalid-cursor")
    refused = await client.get("/orgs", params={"verified": "false"}, headers=ann.auth)
    assert (await answer_of(refused, 403))["type"].endswith("not-allowed")
    assert (await search(client, 403, verified=False))["status"] == 403  # anonymous too
