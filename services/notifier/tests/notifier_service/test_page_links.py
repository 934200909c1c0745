"""Linking an organization's Facebook Page, against a real Facebook sandbox: the Login dialog
with the Page permissions, PKCE and a one-time state bound to the admin, the organization and
the browser; the callback; several Pages to choose from; the token sealed at rest and never
answered; what the organization wants posted; unlinking; who may do any of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jumo_common.events.identity import UserDeleted
from jumo_common.events.orgs import OrgMemberAdded
from jumo_common.sealing import Sealer, SealError
from jumo_common.testing.tokens import TestKeys
from jumo_common.web import problem_type
from jumo_facebook.sandbox.testing import SandboxControl
from jumo_notifier.page_links import PAGE_SCOPES

from .conftest import Client, new_org, person, publish, service
from .facebook_support import (
    CALLBACK,
    callback,
    facebook_code,
    facebook_settings_fixture,  # noqa: F401  (fixtures)
    jumo_page_fixture,  # noqa: F401
    link_page,
    overrides_fixture,  # noqa: F401
    sandbox_config_fixture,  # noqa: F401
    sandbox_fixture,  # noqa: F401
    start_login,
)


async def problem(answer: Any, status: int, slug: str) -> dict[str, Any]:
    """A problem+json answer of ``status`` and ``type`` slug."""
    body: dict[str, Any] = await answer.json()
    assert answer.status == status, body
    assert body["type"] == problem_type(slug), body
    return body


async def test_an_admin_links_the_only_page_they_manage(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    ann = await person(client, keys, "Ann")
    org = await new_org(client, ann)
    fb_ann = await sandbox.create_test_user("Ann Example")
    page = await sandbox.create_page(fb_ann.id, "Water for All")

    dialog = await start_login(client, ann, org)
    assert dialog["url"].startswith(f"{sandbox.url}/v26.0/dialog/oauth?")
    assert dialog["redirect_uri"] == CALLBACK
    assert dialog["scope"] == ",".join(PAGE_SCOPES)
    assert dialog["code_challenge_method"] == "S256"
    assert dialog["code_challenge"]
    assert dialog["auth_type"] == "rerequest"
    code = await facebook_code(sandbox, fb_ann, dialog)
    status, linked = await callback(client, code=code, state=dialog["state"])

    assert status == 200, linked
    assert linked["linked"] is True
    assert (linked["page_id"], linked["page_name"]) == (page.id, "Water for All")
    assert linked["status"] == "ok"
    assert (linked["post_opportunities"], linked["post_news"]) == (False, False)
    shown = await client.get(f"/facebook-pages/{org.org_id}", headers=ann.auth)
    assert (await shown.json())["page_id"] == page.id


async def test_the_page_token_is_sealed_at_rest_and_never_answered(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    ann = await person(client, keys, "Ann")
    org = await new_org(client, ann)
    fb_ann = await sandbox.create_test_user("Ann Example")
    await sandbox.create_page(fb_ann.id, "Water for All")
    dialog = await start_login(client, ann, org)
    code = await facebook_code(sandbox, fb_ann, dialog)
    answer = await client.get("/facebook-pages/callback",
                              params={"code": code, "state": dialog["state"]})  # fmt: skip
    answered = await answer.text()

    # The token Facebook gives for this Page to this login (the sandbox's own record).
    tokens = [t.value for t in sandbox.state.tokens.values() if t.kind == "page"]
    stored = await service(client).facebook.pages.link(org.org_id)
    assert stored is not None
    sealer = Sealer(service(client).settings.page_token_key_bytes())
    token = sealer.open(stored["token"], f"page-token:{org.org_id}")
    assert token in tokens
    assert token not in answered
    assert token not in repr(stored)
    with pytest.raises(SealError):
        sealer.open(stored["token"], "page-token:" + "0" * 32)  # copied to another org
    shown = await client.get(f"/facebook-pages/{org.org_id}", headers=ann.auth)
    assert token not in await shown.text()
    # Neither the login's state nor its PKCE verifier is kept in the clear.
    logins = [doc async for doc in service(client).facebook.pages.logins.find({})]
    assert all(dialog["state"] not in repr(doc) for doc in logins)


async def test_the_page_named_at_login_is_linked_and_several_pages_are_offered(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    ann = await person(client, keys, "Ann")
    org = await new_org(client, ann)
    fb_ann = await sandbox.create_test_user("Ann Example")
    first = await sandbox.create_page(fb_ann.id, "Water for All")
    second = await sandbox.create_page(fb_ann.id, "Water for All — Lyon")

    named = await link_page(client, sandbox, ann, org, fb_ann, page_id=second.id)
    assert named["page_id"] == second.id

    dialog = await start_login(client, ann, org)
    status, offered = await callback(client, code=await facebook_code(sandbox, fb_ann, dialog),
                                     state=dialog["state"])  # fmt: skip
    assert status == 200, offered
    assert {(c["id"], c["name"]) for c in offered["choices"]} == {
        (first.id, "Water for All"), (second.id, "Water for All — Lyon")}  # fmt: skip
    assert offered["choose_until"] is not None
    assert offered["page_id"] == second.id  # still the link made before

    wrong = await client.post(f"/facebook-pages/{org.org_id}", json={"page_id": "999"},
                              headers=ann.auth)  # fmt: skip
    await problem(wrong, 422, "no-such-page")
    chosen = await client.post(f"/facebook-pages/{org.org_id}", json={"page_id": first.id},
                               headers=ann.auth)  # fmt: skip
    body = await chosen.json()
    assert chosen.status == 200, body
    assert (body["page_id"], body["choices"]) == (first.id, [])
    again = await client.post(f"/facebook-pages/{org.org_id}", json={"page_id": first.id},
                              headers=ann.auth)  # fmt: skip
    await problem(again, 404, "page-not-linked")  # the choice was used


async def test_a_state_works_once_in_the_browser_that_started_it_and_not_after_it_expires(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    ann = await person(client, keys, "Ann")
    org = await new_org(client, ann)
    fb_ann = await sandbox.create_test_user("Ann Example")
    await sandbox.create_page(fb_ann.id, "Water for All")

    dialog = await start_login(client, ann, org)
    code = await facebook_code(sandbox, fb_ann, dialog)
    assert (await callback(client, code=code, state=dialog["state"]))[0] == 200
    status, used = await callback(client, code=code, state=dialog["state"])
    assert (status, used["type"]) == (400, problem_type("page-login-refused"))

    # A dialog URL sent to someone else: their browser lacks the login cookie.
    dialog = await start_login(client, ann, org)
    client.session.cookie_jar.clear()
    status, elsewhere = await callback(client, code=await facebook_code(sandbox, fb_ann, dialog),
                                       state=dialog["state"])  # fmt: skip
    assert status == 400
    assert "another browser" in elsewhere["detail"]

    dialog = await start_login(client, ann, org)
    logins = service(client).facebook.pages.logins
    past = datetime.now(UTC) - timedelta(seconds=1)
    await logins.update_many({"org_id": org.org_id}, {"$set": {"expires_at": past}})
    status, expired = await callback(client, code=await facebook_code(sandbox, fb_ann, dialog),
                                     state=dialog["state"])  # fmt: skip
    assert status == 400
    assert "expired" in expired["detail"]
    status, unknown = await callback(client, code="x", state="not-a-state-we-gave")
    assert status == 400
    assert "unknown" in unknown["detail"]

    # Expired logins and the marks of used states go at the next login's start.
    await logins.update_many({}, {"$set": {"expires_at": past}})
    await start_login(client, ann, org)
    left = [doc async for doc in logins.find({})]
    assert len(left) == 1
    assert left[0]["expires_at"].replace(tzinfo=UTC) > datetime.now(UTC)


async def test_a_cancelled_login_or_a_declined_permission_links_nothing(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    ann = await person(client, keys, "Ann")
    org = await new_org(client, ann)
    fb_ann = await sandbox.create_test_user("Ann Example")
    await sandbox.create_page(fb_ann.id, "Water for All")

    dialog = await start_login(client, ann, org)
    status, cancelled = await callback(client, error="access_denied", error_reason="user_denied",
                                       error_description="Permissions error",
                                       state=dialog["state"])  # fmt: skip
    assert (status, cancelled["type"]) == (400, problem_type("page-login-refused"))

    dialog = await start_login(client, ann, org)
    only_list = await facebook_code(sandbox, fb_ann, dialog, scope=("pages_show_list",))
    status, declined = await callback(client, code=only_list, state=dialog["state"])
    assert (status, declined["type"]) == (422, problem_type("no-such-page"))
    assert "pages_manage_posts" in declined["detail"]

    fb_bob = await sandbox.create_test_user("Bob Example")  # manages no Page
    dialog = await start_login(client, ann, org)
    status, none = await callback(client, code=await facebook_code(sandbox, fb_bob, dialog),
                                  state=dialog["state"])  # fmt: skip
    assert (status, none["type"]) == (422, problem_type("no-such-page"))
    shown = await client.get(f"/facebook-pages/{org.org_id}", headers=ann.auth)
    assert (await shown.json())["linked"] is False


async def test_what_is_posted_is_chosen_and_unlinking_deletes_the_token(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    ann = await person(client, keys, "Ann")
    org = await new_org(client, ann)
    fb_ann = await sandbox.create_test_user("Ann Example")
    await sandbox.create_page(fb_ann.id, "Water for All")
    await link_page(client, sandbox, ann, org, fb_ann)

    changed = await client.patch(f"/facebook-pages/{org.org_id}",
                                 json={"post_opportunities": True}, headers=ann.auth)  # fmt: skip
    body = await changed.json()
    assert (body["post_opportunities"], body["post_news"]) == (True, False)
    changed = await client.patch(f"/facebook-pages/{org.org_id}", json={"post_news": True},
                                 headers=ann.auth)  # fmt: skip
    assert (await changed.json())["post_opportunities"] is True
    bad = await client.patch(f"/facebook-pages/{org.org_id}", json={"post_everything": True},
                             headers=ann.auth)  # fmt: skip
    assert bad.status == 422

    gone = await client.delete(f"/facebook-pages/{org.org_id}", headers=ann.auth)
    assert gone.status == 204
    assert await service(client).facebook.pages.link(org.org_id) is None
    shown = await client.get(f"/facebook-pages/{org.org_id}", headers=ann.auth)
    assert (await shown.json())["linked"] is False
    again = await client.delete(f"/facebook-pages/{org.org_id}", headers=ann.auth)
    await problem(again, 404, "page-not-linked")
    patch = await client.patch(f"/facebook-pages/{org.org_id}", json={"post_news": True},
                               headers=ann.auth)  # fmt: skip
    await problem(patch, 404, "page-not-linked")


async def test_only_the_organizations_owners_and_admins_manage_its_page(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    ann = await person(client, keys, "Ann")
    org = await new_org(client, ann)
    eve = await person(client, keys, "Eve")  # not one of its people
    ed = await person(client, keys, "Ed")  # an editor
    await publish(client, OrgMemberAdded(org_id=org.org_id, user_id=ed.user_id, role="editor",
                                         seq=1))  # fmt: skip
    ada = await person(client, keys, "Ada")
    await publish(client, OrgMemberAdded(org_id=org.org_id, user_id=ada.user_id, role="admin",
                                         seq=1))  # fmt: skip
    base = f"/facebook-pages/{org.org_id}"
    calls = [("POST", f"{base}/login", None), ("GET", base, None),
             ("PATCH", base, {"post_news": True}), ("DELETE", base, None),
             ("POST", base, {"page_id": "1"})]  # fmt: skip
    for method, path, body in calls:
        anonymous = await client.request(method, path, json=body)
        assert anonymous.status == 401, (method, path)
        for outsider in (eve, ed):
            answer = await client.request(method, path, json=body, headers=outsider.auth)
            await problem(answer, 403, "not-an-admin")
        unknown = await client.request(method, path.replace(org.org_id, "f" * 32), json=body,
                                       headers=ann.auth)  # fmt: skip
        await problem(unknown, 404, "unknown-organization")
    fb_ada = await sandbox.create_test_user("Ada Example")
    page = await sandbox.create_page(fb_ada.id, "Water for All")
    assert (await link_page(client, sandbox, ada, org, fb_ada))["page_id"] == page.id
    shown = await client.get(base, headers=ann.auth)  # the owner sees the admin's link
    assert (await shown.json())["page_id"] == page.id


async def test_an_admin_who_is_erased_leaves_the_link_to_the_organization(
    client: Client, keys: TestKeys, sandbox: SandboxControl
) -> None:
    ann = await person(client, keys, "Ann")
    org = await new_org(client, ann)
    fb_ann = await sandbox.create_test_user("Ann Example")
    await sandbox.create_page(fb_ann.id, "Water for All")
    await link_page(client, sandbox, ann, org, fb_ann)
    await start_login(client, ann, org)  # a login under way

    await publish(client, UserDeleted(user_id=ann.user_id), producer="identity")

    pages = service(client).facebook.pages
    link = await pages.link(org.org_id)
    assert link is not None
    assert link["linked_by"] is None
    assert [doc async for doc in pages.logins.find({"admin": ann.user_id})] == []
