"""Organizations through the HTTP API on the real stack: the lifecycle, visibility, validation of
every field and registration kind, mass assignment, and every org.* event published once."""

from __future__ import annotations

from typing import Any

import pytest

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys

from .conftest import Client, Person, person

EIN = {"country": "US", "kind": "us-ein", "number": "12-3456789"}


async def ok(response: Any, status: int = 200) -> Any:
    body = await response.json() if response.status != 204 else None
    assert response.status == status, body
    return body


async def create(client: Client, who: Person, **fields: Any) -> Any:
    body = {"name": "Water for All", "causes": ["clean-water"], **fields}
    return await ok(await client.post("/orgs", json=body, headers=who.auth), 201)


async def test_the_lifecycle_create_submit_reject_resubmit_verify(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    mod = await person(client, keys, "Mod", roles=("moderator",))
    org = await create(client, ann, registration=EIN, hq={"city": "Lyon", "country": "fr",
                       "lat": 45.764043, "lng": 4.835659})  # fmt: skip
    assert (org["status"], org["your_role"], org["hq"]["lat"], org["hq"]["lng"]) == (
        "draft", "owner", 45.76, 4.84,
    )  # fmt: skip
    [created] = await tap.wait_for("org.created")
    assert created["data"]["org"]["slug"] == "water-for-all"
    assert (await client.get(f"/orgs/{org['slug']}", headers=bob.auth)).status == 404
    assert (await client.get(f"/orgs/{org['id']}")).status == 404
    assert (await client.post(f"/orgs/{org['id']}/submit", headers=bob.auth)).status == 403

    await ok(await client.post(f"/orgs/{org['id']}/submit", headers=ann.auth))
    queue = await ok(await client.get("/moderation/orgs", headers=mod.auth))
    assert [o["id"] for o in queue["items"]] == [org["id"]]
    assert (await client.get("/moderation/orgs", headers=ann.auth)).status == 403
    assert (await client.post(f"/orgs/{org['id']}/verify", headers=ann.auth)).status == 403
    reason = {"reason": "We could not find this EIN."}
    rejected = await ok(await client.post(f"/orgs/{org['id']}/reject", json=reason,
                                          headers=mod.auth))  # fmt: skip
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", reason["reason"])
    mine = await ok(await client.get(f"/orgs/{org['id']}", headers=ann.auth))
    assert mine["rejection_reason"] == reason["reason"]

    fixed = {"registration": {**EIN, "number": "987654321"}}
    patched = await ok(await client.patch(f"/orgs/{org['id']}", json=fixed, headers=ann.auth))
    assert patched["registration"]["number"] == "98-7654321"
    await ok(await client.post(f"/orgs/{org['id']}/submit", headers=ann.auth))
    verified = await ok(await client.post(f"/orgs/{org['id']}/verify", headers=mod.auth))
    assert (verified["status"], verified["verified"]) == ("verified", True)
    public = await ok(await client.get(f"/orgs/{org['slug']}"))
    assert (public["verified"], public["rejection_reason"], public["your_role"]) == (
        True, None, None,
    )  # fmt: skip

    again = {"registration": {**EIN, "number": "11-1111111"}}
    back = await ok(await client.patch(f"/orgs/{org['id']}", json=again, headers=ann.auth))
    assert back["status"] == "pending"
    [_, updated] = await tap.wait_for("org.updated", 2)
    assert (updated["data"]["status"], updated["data"]["changed"]) == ("pending", ["registration"])
    assert (await ok(await client.get(f"/orgs/{org['slug']}")))["verified"] is False
    for kind in ("org.submitted", "org.rejected", "org.verified"):
        await tap.wait_for(kind, 2 if kind == "org.submitted" else 1)


async def test_editors_and_strangers_do_not_edit_the_page(client: Client, keys: TestKeys) -> None:
    ann, eve = await person(client, keys, "Ann"), await person(client, keys, "Eve")
    org = await create(client, ann)
    invite = {"user_id": eve.user_id, "role": "editor"}
    await ok(await client.post(f"/orgs/{org['id']}/invitations", json=invite, headers=ann.auth),
             201)  # fmt: skip
    await ok(await client.post(f"/orgs/{org['id']}/invitations/accept", headers=eve.auth))
    edit = {"mission": "Editors' mission"}
    assert (await client.patch(f"/orgs/{org['id']}", json=edit, headers=eve.auth)).status == 403
    assert (await client.patch(f"/orgs/{org['id']}", json=edit)).status == 401
    page = await ok(await client.get(f"/orgs/{org['id']}", headers=eve.auth))
    assert (page["mission"], page["your_role"]) == (None, "editor")


async def test_slugs_derived_numbered_or_taken(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    assert (await create(client, ann, name="Médecins du Lac"))["slug"] == "medecins-du-lac"
    assert (await create(client, ann, name="Médecins du Lac"))["slug"] == "medecins-du-lac-2"
    taken = await client.post("/orgs", headers=ann.auth, json={
        "name": "Another", "slug": "medecins-du-lac", "causes": ["health"]})  # fmt: skip
    assert taken.status == 409
    assert (await taken.json())["type"].endswith("/slug-taken")


PROTECTED = {
    "status": "verified", "verified": True, "owner_id": "f" * 32, "owners": ["f" * 32],
    "_id": "f" * 32, "id": "f" * 32, "version": 99, "created_at": "2020-01-01T00:00:00Z",
    "created_by": "f" * 32, "hidden": False, "followers_count": 1000, "members_count": 50,
    "reviews_count": 7, "rating": 5, "counts": {"followers": 1000},
}  # fmt: skip


@pytest.mark.parametrize("field", sorted(PROTECTED))
async def test_protected_fields_are_read_only_in_post_and_patch(
    client: Client, keys: TestKeys, field: str
) -> None:
    ann = await person(client, keys, "Ann")
    sneaky = {"name": "Sneaky", "causes": ["health"], field: PROTECTED[field]}
    refused = await client.post("/orgs", json=sneaky, headers=ann.auth)
    assert refused.status == 422
    [error] = (await refused.json())["errors"]
    assert (error["field"], error["type"]) == (field, "read_only")
    org = await create(client, ann)
    patch = {"mission": "changed?", field: PROTECTED[field]}
    answer = await client.patch(f"/orgs/{org['id']}", json=patch, headers=ann.auth)
    assert answer.status == 422
    after = await ok(await client.get(f"/orgs/{org['id']}", headers=ann.auth))
    page = {k: v for k, v in after.items() if k not in ("followers", "reviews", "volunteering")}
    assert page == org  # nothing changed, not even the mission sent alongside


async def test_the_slug_is_read_only_after_creation(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    org = await create(client, ann)
    answer = await client.patch(f"/orgs/{org['id']}", json={"slug": "x-y"}, headers=ann.auth)
    assert answer.status == 422
    assert (await answer.json())["errors"][0]["type"] == "read_only"


REGISTRATIONS = [
    ("US", "us-ein", "12-3456789", "12-3456789"),
    ("US", "us-ein", "123456789", "12-3456789"),
    ("US", "us-ein", "12-345678", None),
    ("US", "us-ein", "AB-CDEFGHI", None),
    ("FR", "fr-rna", "w751234567", "W751234567"),
    ("FR", "fr-rna", "W75123456", None),
    ("FR", "fr-rna", "X751234567", None),
    ("FR", "fr-siren", "732 829 320", "732829320"),
    ("FR", "fr-siren", "732829321", None),  # Luhn fails
    ("FR", "fr-siret", "732 829 320 00074", "73282932000074"),
    ("FR", "fr-siret", "73282932000075", None),
    ("FR", "fr-siret", "35600000000048", "35600000000048"),  # La Poste's head office: Luhn
    ("FR", "fr-siret", "35600000000001", "35600000000001"),  # La Poste: digit sum % 5
    ("FR", "fr-siret", "35600000000002", None),
    ("FR", "fr-siret", "7328293200007", None),
    ("GB", "uk-charity", "1089464", "1089464"),
    ("UK", "uk-charity", "202918", "202918"),
    ("GB", "uk-charity", "12345", None),
    ("GB", "uk-charity", "123456789", None),
    ("FR", "us-ein", "12-3456789", None),  # a known kind in the wrong country
    ("DE", "de-vr", "VR 12345 b", "VR 12345 B"),
    ("DE", "de-vr", "x" * 41, None),
    ("DE", "de-vr", "VR <script>", None),
    ("ZZ", "other", "123", None),  # no such country
]


@pytest.mark.parametrize(("country", "kind", "number", "stored"), REGISTRATIONS)
async def test_registration_numbers_are_validated_per_kind(
    client: Client, keys: TestKeys, country: str, kind: str, number: str, stored: str | None
) -> None:
    ann = await person(client, keys, "Ann")
    body = {"name": "Registered", "causes": ["health"],
            "registration": {"country": country, "kind": kind, "number": number}}  # fmt: skip
    answer = await client.post("/orgs", json=body, headers=ann.auth)
    if stored is None:
        assert answer.status == 422, await answer.text()
        assert (await answer.json())["errors"][0]["field"].startswith("registration")
        return
    assert answer.status == 201, await answer.text()
    assert (await answer.json())["registration"]["number"] == stored


INVALID = [
    ({"causes": ["clean-water", "no-such-cause"]}, "causes.1", "no-such-cause"),
    ({"causes": []}, "causes", None),
    ({"causes": ["health"] * 1 + ["literacy", "music", "sport", "wildlife", "heritage"]},
     "causes", None),
    ({"mission": "x" * 201}, "mission", None),
    ({"mission": "two\nlines"}, "mission", None),
    ({"description": "x" * 5001}, "description", None),
    ({"website": "javascript:alert(1)"}, "website", None),
    ({"links": ["ftp://example.org/"]}, "links.0", None),
    ({"hq": {"city": "Lyon", "country": "XX"}}, "hq.country", None),
    ({"hq": {"city": "Lyon", "country": "FR", "lat": 45.0}}, "hq", None),
    ({"areas_served": ["QQ"]}, "areas_served.0", None),
    ({"size": "huge"}, "size", None),
    ({"contact_email": "not-an-email"}, "contact_email", None),
    ({"languages": ["not a language"]}, "languages.0", None),
    ({"name": "bad\u0000name"}, "name", None),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "where", "named"), INVALID)
async def test_invalid_fields_are_named(
    client: Client, keys: TestKeys, fields: dict[str, Any], where: str, named: str | None
) -> None:
    ann = await person(client, keys, "Ann")
    body = {"name": "Valid Name", "causes": ["health"], **fields}
    answer = await client.post("/orgs", json=body, headers=ann.auth)
    assert answer.status == 422, await answer.text()
    errors = (await answer.json())["errors"]
    assert any(e["field"] == where for e in errors), errors
    if named:
        assert any(named in e["message"] for e in errors), errors


async def test_a_full_page_is_stored_as_normalised(client: Client, keys: TestKeys) -> None:
    ann = await person(client, keys, "Ann")
    org = await create(
        client, ann, mission="  Clean water for every village  ", website="https://water.example",
        links=["https://facebook.com/water", "https://facebook.com/water"],
        areas_served=["fr", "Lyon"], size="11-50", contact_email="Hello@Water.EXAMPLE",
        languages=["FR", "en"], description="Line one.\nLine two.",
    )  # fmt: skip
    assert (org["mission"], org["links"], org["areas_served"], org["contact_email"],
            org["languages"]) == (
        "Clean water for every village", ["https://facebook.com/water"], ["FR", "Lyon"],
        "Hello@water.example", ["fr", "en"],
    )  # fmt: skip
    cleared = await ok(await client.patch(f"/orgs/{org['id']}", headers=ann.auth,
                                          json={"website": None, "links": None}))  # fmt: skip
    assert (cleared["website"], cleared["links"]) == (None, [])
    refused = await client.patch(f"/orgs/{org['id']}", json={"name": None}, headers=ann.auth)
    assert refused.status == 422


async def test_each_org_event_is_published_once_per_change(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    ann = await person(client, keys, "Ann")
    mod = await person(client, keys, "Mod", roles=("moderator",))
    org = await create(client, ann)
    base = f"/orgs/{org['id']}"
    await ok(await client.patch(base, json={"mission": "Wells"}, headers=ann.auth))
    await ok(await client.patch(base, json={"mission": "Wells"}, headers=ann.auth))  # no change
    for _ in range(2):  # the same step again changes nothing
        await ok(await client.post(f"{base}/submit", headers=ann.auth))
    for _ in range(2):
        await ok(await client.post(f"{base}/verify", headers=mod.auth))
    assert (await client.post(f"{base}/submit", headers=ann.auth)).status == 409  # verified
    await ok(await client.patch(base, json={"mission": "Wells and pumps"}, headers=ann.auth))
    # One document's events go out in order: once the last is here, every earlier one is too.
    await tap.wait_for("org.updated", 2)
    counts = {kind: len(tap.of_type(kind)) for kind in
              ("org.created", "org.updated", "org.submitted", "org.verified",
               "org.member_added")}  # fmt: skip
    assert counts == {"org.created": 1, "org.updated": 2, "org.submitted": 1, "org.verified": 1,
                      "org.member_added": 1}  # fmt: skip
    versions = [e["data"]["version"] for e in tap.received if e["type"].startswith("org.")
                and "version" in e["data"]]  # fmt: skip
    assert versions == sorted(set(versions))


async def test_the_page_counts_followers_and_reviews(client: Client, keys: TestKeys) -> None:
    ann, ben = await person(client, keys, "Ann"), await person(client, keys, "Ben")
    mo = await person(client, keys, "Mo", roles=("moderator",))
    org = await create(client, ann)
    await ok(await client.post(f"/orgs/{org['id']}/submit", headers=ann.auth))
    await ok(await client.post(f"/orgs/{org['id']}/verify", headers=mo.auth))
    await ok(await client.put(f"/orgs/{org['id']}/follow", headers=ben.auth))
    review = {"stars": 4, "text": "Good."}
    await ok(await client.post(f"/orgs/{org['id']}/reviews", json=review, headers=ben.auth))
    page = await ok(await client.get(f"/orgs/{org['id']}"))
    assert page["followers"] == 1
    assert (page["reviews"]["count"], page["reviews"]["average"]) == (1, 4.0)
    assert page["reviews"]["volunteered"]["count"] == 0  # verified volunteers' shown apart
