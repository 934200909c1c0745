"""orgs' authorization matrix, generated from its routes: every route is tried as nobody, as a
stranger, as an editor of the organization, as the owner of another organization and as a
platform moderator, and only the actors the matrix names may ever get a 2xx.

A route that neither this matrix nor an area's own (``matrices.py``) names fails the test, so a
new route cannot ship unconsidered.
Within a route the actors who may not act go first, and the routes that change the most
(reject, delete, resolve) come last, so each refusal is tried on the intact organization.
Afterwards, nothing that belongs to the organization or to the reviewer changed but what an
allowed actor did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jumo_common.testing.tokens import TestKeys
from jumo_common.web import ROUTES

from .conftest import Client, Person, person
from .matrices import elsewhere

ANON, STRANGER, EDITOR, OTHER_ADMIN, MODERATOR = (
    "anonymous", "stranger", "editor", "other-admin", "moderator",
)  # fmt: skip
SIGNED_IN = frozenset({STRANGER, EDITOR, OTHER_ADMIN, MODERATOR})
EVERYONE = SIGNED_IN | {ANON}
NOBODY: frozenset[str] = frozenset()
MODERATORS = frozenset({MODERATOR})
EDITORS = frozenset({EDITOR})
# Who may review or vote: anyone signed in but the organization's own people.
OUTSIDERS = frozenset({STRANGER, OTHER_ADMIN, MODERATOR})

# (method, route) → the actors who may get a 2xx. Everyone else must be refused (4xx).
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/readyz"): EVERYONE,
    ("GET", "/orgs"): EVERYONE,
    ("POST", "/orgs"): SIGNED_IN,
    ("GET", "/orgs/{id}"): EVERYONE,
    ("PATCH", "/orgs/{id}"): NOBODY,  # its owners and admins only
    ("POST", "/orgs/{id}/submit"): NOBODY,
    ("POST", "/orgs/{id}/verify"): MODERATORS,
    ("POST", "/orgs/{id}/reject"): MODERATORS,
    ("GET", "/moderation/orgs"): MODERATORS,
    ("GET", "/invitations"): SIGNED_IN,  # one's own
    ("POST", "/orgs/{id}/invitations"): NOBODY,  # admins and owners
    # The invitee only: the editor accepted theirs already, and accepting again changes nothing.
    ("POST", "/orgs/{id}/invitations/accept"): EDITORS,
    ("POST", "/orgs/{id}/invitations/decline"): NOBODY,
    ("GET", "/orgs/{id}/members"): frozenset({EDITOR, MODERATOR}),
    ("PATCH", "/orgs/{id}/members/{user_id}"): NOBODY,
    ("DELETE", "/orgs/{id}/members/{user_id}"): NOBODY,  # someone else: the owner
    ("POST", "/orgs/{id}/transfer"): NOBODY,  # its owners only
    ("GET", "/claims/mine"): SIGNED_IN,
    ("GET", "/moderation/claims"): MODERATORS,
    ("POST", "/orgs/{id}/claims"): NOBODY,  # a claimed organization
    ("POST", "/moderation/claims/{claim_id}/approve"): MODERATORS,
    ("POST", "/moderation/claims/{claim_id}/reject"): MODERATORS,
    ("GET", "/causes"): EVERYONE,
    ("GET", "/causes/{slug}"): EVERYONE,
    ("PUT", "/causes/{slug}/membership"): SIGNED_IN,  # one's own
    ("DELETE", "/causes/{slug}/membership"): SIGNED_IN,
    ("GET", "/users/{id}/causes"): EVERYONE,  # the owner's profile is public
    ("GET", "/users/me/following/orgs"): SIGNED_IN,
    ("GET", "/orgs/{id}/follow"): SIGNED_IN,
    ("PUT", "/orgs/{id}/follow"): SIGNED_IN,
    ("PATCH", "/orgs/{id}/follow"): SIGNED_IN,
    ("DELETE", "/orgs/{id}/follow"): SIGNED_IN,
    ("GET", "/orgs/{id}/followers"): NOBODY,  # its admins and owners
    ("POST", "/orgs/{id}/posts"): EDITORS,
    ("GET", "/orgs/{id}/posts"): EVERYONE,
    ("GET", "/posts/{id}"): EVERYONE,
    ("PATCH", "/posts/{id}"): EDITORS,
    ("DELETE", "/posts/{id}"): EDITORS,
    ("POST", "/orgs/{id}/reviews"): OUTSIDERS,
    ("GET", "/orgs/{id}/reviews/summary"): EVERYONE,
    ("GET", "/orgs/{id}/reviews"): EVERYONE,
    ("GET", "/reviews/{id}"): EVERYONE,
    ("DELETE", "/reviews/{id}"): NOBODY,  # its author only
    ("POST", "/reviews/{id}/answer"): NOBODY,  # the organization's admins and owners
    ("PUT", "/reviews/{id}/helpful"): OUTSIDERS,
    ("DELETE", "/reviews/{id}/helpful"): SIGNED_IN,  # one's own vote, none there: a no-op
    ("POST", "/reports"): SIGNED_IN,
    ("GET", "/reports/mine"): SIGNED_IN,
    ("GET", "/moderation/reports"): MODERATORS,
    ("POST", "/moderation/reports/{id}/resolve"): MODERATORS,
    ("POST", "/moderation/{kind}/{id}/restore"): MODERATORS,
    ("PUT", "/orgs/{id}/blocks/{user_id}"): NOBODY,  # its admins and owners
    ("DELETE", "/orgs/{id}/blocks/{user_id}"): NOBODY,
    ("GET", "/orgs/{id}/blocks"): NOBODY,
}
# These change the most: tried last, after every refusal elsewhere.
LAST = (("DELETE", "/posts/{id}"), ("POST", "/moderation/reports/{id}/resolve"),
        ("POST", "/moderation/{kind}/{id}/restore"), ("POST", "/orgs/{id}/reject"))  # fmt: skip


@dataclass
class World:
    """The organization under test, its people, a post, a review, a report."""

    owner: Person
    editor: Person
    other_admin: Person
    moderator: Person
    stranger: Person
    reviewer: Person
    bystander: Person
    org_id: str
    post_id: str
    review_id: str
    report_id: str

    def actor(self, name: str) -> Person | None:
        return {STRANGER: self.stranger, EDITOR: self.editor, OTHER_ADMIN: self.other_admin,
                MODERATOR: self.moderator}.get(name)  # fmt: skip


async def _json(client: Client, method: str, path: str, who: Person, body: Any = None) -> Any:
    answer = await client.request(method, path, json=body, headers=who.auth)
    assert answer.status < 300, (method, path, answer.status, await answer.text())
    return await answer.json() if answer.status != 204 else None


async def _world(client: Client, keys: TestKeys) -> World:
    people = [await person(client, keys, name) for name in
              ("Olivia", "Ed", "Bea", "Sam", "Rita", "Zed")]  # fmt: skip
    owner, editor, other_admin, stranger, reviewer, bystander = people
    moderator = await person(client, keys, "Mo", roles=("moderator",))
    hq = {"city": "Lyon", "country": "FR", "lat": 45.76, "lng": 4.84}
    org = await _json(client, "POST", "/orgs", owner,
                      {"name": "Water for All", "causes": ["clean-water"], "hq": hq})  # fmt: skip
    await _json(client, "POST", "/orgs", other_admin, {"name": "Other", "causes": ["health"]})
    await _json(client, "POST", f"/orgs/{org['id']}/submit", owner)
    await _json(client, "POST", f"/orgs/{org['id']}/verify", moderator)
    invite = {"user_id": editor.user_id, "role": "editor"}
    await _json(client, "POST", f"/orgs/{org['id']}/invitations", owner, invite)
    await _json(client, "POST", f"/orgs/{org['id']}/invitations/accept", editor)
    news = {"title": "Spring clean-up", "body": "Join us on the river bank."}
    post = await _json(client, "POST", f"/orgs/{org['id']}/posts", editor, news)
    opinion = {"stars": 4, "text": "Well run."}
    review = await _json(client, "POST", f"/orgs/{org['id']}/reviews", reviewer, opinion)
    spam = {"target_kind": "post", "target_id": post["id"], "reason": "spam"}
    report = await _json(client, "POST", "/reports", reviewer, spam)
    return World(owner, editor, other_admin, moderator, stranger, reviewer, bystander,
                 org["id"], post["id"], review["id"], report["id"])  # fmt: skip


def template(path: str) -> str:
    """A route path with its parameters' regexes dropped: ``/posts/{id}``."""
    return re.sub(r"\{(\w+):[^/]*\}", r"{\1}", re.sub(r"\{\d+(,\d+)?\}", "", path))


def concrete(method: str, route: str, world: World) -> str:
    """The route with the world's ids in it."""
    by_area = {
        "/posts/": world.post_id,
        "/reviews/": world.review_id,
        "/moderation/reports/": world.report_id,
        "/moderation/{kind}/": world.post_id,
    }
    thing = next((v for k, v in by_area.items() if route.startswith(k)), world.org_id)
    user = world.owner.user_id if "/members/" in route else world.bystander.user_id
    if route == "/users/{id}/causes":
        thing = world.owner.user_id
    return (route.replace("{id}", thing).replace("{user_id}", user)
            .replace("{slug}", "clean-water").replace("{kind}", "post")
            .replace("{claim_id}", f"{world.org_id}:{world.stranger.user_id}"))  # fmt: skip


def body(method: str, route: str, actor: str, world: World) -> Any:
    """A valid body for the route, so that a refusal is about who asks, not what."""
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/orgs"): {"name": f"Started by {actor}", "causes": ["health"]},
        ("PATCH", "/orgs/{id}"): {"mission": f"changed by {actor}"},
        ("POST", "/orgs/{id}/reject"): {"reason": "Not a charity."},
        ("POST", "/orgs/{id}/invitations"): {"user_id": world.bystander.user_id, "role": "editor"},
        ("PATCH", "/orgs/{id}/members/{user_id}"): {"role": "editor"},
        ("POST", "/orgs/{id}/transfer"): {"user_id": world.editor.user_id},
        ("POST", "/orgs/{id}/claims"): {"evidence": "I run it."},
        ("POST", "/moderation/claims/{claim_id}/reject"): {"reason": "No proof."},
        ("PATCH", "/orgs/{id}/follow"): {"notify": "all"},
        ("POST", "/orgs/{id}/posts"): {"title": f"By {actor}", "body": "Hello."},
        ("PATCH", "/posts/{id}"): {"title": f"Edited by {actor}"},
        ("POST", "/orgs/{id}/reviews"): {"stars": 5, "text": f"Review by {actor}"},
        ("POST", "/reviews/{id}/answer"): {"text": "Thank you."},
        ("POST", "/reports"): {"target_kind": "org", "target_id": world.org_id, "reason": "spam"},
        ("POST", "/moderation/reports/{id}/resolve"): {"outcome": "dismiss"},
    }
    return bodies.get((method, route))


def order(routes: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every route, the ones that change the most last."""
    return sorted(routes - set(LAST)) + list(LAST)


async def test_only_the_matrix_may_succeed(client: Client, keys: TestKeys) -> None:
    world = await _world(client, keys)
    routes = {(r.method, template(r.path)) for r in client.app[ROUTES].routes} - elsewhere()
    assert routes == set(MATRIX), "every route must be in an authorization matrix"
    unexpected = []
    for method, route in order(routes):
        may = MATRIX[(method, route)]
        for actor in sorted(EVERYONE - may) + sorted(may):  # refusals first
            who = world.actor(actor)
            answer = await client.request(
                method, concrete(method, route, world), json=body(method, route, actor, world),
                headers=who.auth if who else {},
            )  # fmt: skip
            allowed = actor in may
            if (answer.status < 300) != allowed and not (allowed and 400 <= answer.status < 500):
                unexpected.append(f"{method} {route} as {actor}: {answer.status}")
            if answer.status >= 500:
                unexpected.append(f"{method} {route} as {actor}: {answer.status}")
    assert unexpected == [], "\n".join(unexpected)
    await _nothing_else_changed(client, world)


async def _nothing_else_changed(client: Client, world: World) -> None:
    page = await (await client.get(f"/orgs/{world.org_id}", headers=world.owner.auth)).json()
    assert page["name"] == "Water for All"
    assert page.get("mission") is None  # nobody of the matrix may edit the page
    members = await (await client.get(f"/orgs/{world.org_id}/members",
                                      headers=world.owner.auth)).json()  # fmt: skip
    roles = {m["user_id"]: m["role"] for m in members["items"]}
    assert roles == {world.owner.user_id: "owner", world.editor.user_id: "editor"}
    review = await (await client.get(f"/reviews/{world.review_id}")).json()
    assert (review["stars"], review["text"]) == (4, "Well run.")
    blocks = await client.get(f"/orgs/{world.org_id}/blocks", headers=world.owner.auth)
    assert (await blocks.json())["items"] == []
