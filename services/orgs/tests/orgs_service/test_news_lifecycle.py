"""News and reviews on an organization made through the organizations area's own routes:
created (a draft cannot post), submitted, verified by a moderator, an editor invited and
accepted; then news, a review, the answer, a helpful vote and the summary."""

from __future__ import annotations

from jumo_common.testing.bus import EventTap
from jumo_common.testing.tokens import TestKeys

from .community import answer_of
from .conftest import Client, person

POST = {"title": "We are verified", "body": "Thanks to everyone who helped."}


async def test_a_real_organization_posts_news_and_answers_its_reviews(
    client: Client, keys: TestKeys, tap: EventTap
) -> None:
    owner, editor = await person(client, keys, "Olga Owner"), await person(client, keys, "Ed")
    moderator = await person(client, keys, "Mo", roles=("moderator",))
    reviewer, reader = await person(client, keys, "Rita"), await person(client, keys, "Reed")
    org = await answer_of(await client.post(
        "/orgs", json={"name": "Lifecycle Helpers", "causes": ["education"]}, headers=owner.auth
    ), 201)  # fmt: skip
    posts = f"/orgs/{org['id']}/posts"
    draft_post = await client.post(posts, json=POST, headers=owner.auth)
    assert (await answer_of(draft_post, 409))["type"].endswith("org-not-verified")
    await answer_of(await client.post(f"/orgs/{org['id']}/submit", headers=owner.auth))
    await answer_of(await client.post(f"/orgs/{org['id']}/verify", headers=moderator.auth))
    invite = {"user_id": editor.user_id, "role": "editor"}
    await answer_of(await client.post(f"/orgs/{org['id']}/invitations", json=invite,
                                      headers=owner.auth), 201)  # fmt: skip
    await answer_of(await client.post(f"/orgs/{org['id']}/invitations/accept",
                                      headers=editor.auth))  # fmt: skip

    post = await answer_of(await client.post(posts, json=POST, headers=editor.auth), 201)
    [published] = await tap.wait_for("post.published")
    assert published["data"]["org"]["verified"] is True
    assert published["data"]["post_id"] == post["id"]
    listed = await answer_of(await client.get(f"/orgs/{org['slug']}/posts"))
    assert [p["author"]["display_name"] for p in listed["items"]] == ["Ed"]

    review_body = {"stars": 4, "text": "Patient tutors."}
    review = await answer_of(await client.post(f"/orgs/{org['slug']}/reviews", json=review_body,
                                               headers=reviewer.auth))  # fmt: skip
    own = await client.post(f"/orgs/{org['id']}/reviews", json=review_body, headers=editor.auth)
    assert (await answer_of(own, 403))["type"].endswith("own-organization")
    await answer_of(await client.post(f"/reviews/{review['id']}/answer",
                                      json={"text": "Thank you!"}, headers=owner.auth))  # fmt: skip
    await answer_of(await client.put(f"/reviews/{review['id']}/helpful", headers=reader.auth))
    [shown] = (await answer_of(await client.get(f"/orgs/{org['id']}/reviews")))["items"]
    assert (shown["answer"]["text"], shown["helpful"]) == ("Thank you!", 1)
    summary = await answer_of(await client.get(f"/orgs/{org['id']}/reviews/summary"))
    assert (summary["count"], summary["average"], summary["histogram"]["4"]) == (1, 4.0, 1)
