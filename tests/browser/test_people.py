"""The people area in the browser: a person's page shows what identity's GET /users/{id}
shares (everything of a public profile, only the name of a private one); following from it is
what GET /users/me/following then answers, and a reload keeps it; a Facebook friend is
suggested on /people. A private person's follow is a request ("Requested", kept over a
reload); that person accepts it on /people (in French once) and the API then holds the follow,
declines another and the API holds no request."""

from __future__ import annotations

from typing import Any

from browser_support import PHONE
from community_support import (
    SIGNED_OUT_REFRESH,
    expect,
    main_fits,
    serious_violations,
    sign_in_again,
)

# tests/e2e's helpers (on the path: conftest.py loads tests/e2e's conftest).
from e2e_orgs import ok  # type: ignore[import-not-found]
from people_support import facebook_friends, ids, named_person

BIO = "Nurse in Lyon. Saturday mornings at the food bank, and anything with first aid."
SECRET = "My private notes: only I may read this."


def test_following_a_public_person_from_their_page_is_what_the_api_then_holds(
    open_page: Any, system: Any, curl: Any, other_curl: Any
) -> None:
    gw = system.gateway.url
    ann_user, ann = named_person(curl, system, "Ann Martin")
    bo_user, bo = named_person(other_curl, system, "Bo Leroy", bio=BIO,
        skills=["first aid", "cooking"], languages=["fr", "en"], location={"city": "Lyon"},
        availability={"parts": ["weekend_mornings", "weekday_evenings"], "hours_per_month": 8},
    )  # fmt: skip
    bo_id = bo["user"]["id"]
    facebook_friends(curl, system, ann_user, bo_user)  # read at Ann's next login: the browser's
    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, ann_user, "/people")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert ids(curl, system, ann, "/users/me/suggestions") == [bo_id]
    suggested = page.get_by_role("list", name="People you may know")
    expect(suggested.get_by_role("link", name="Bo Leroy")).to_have_attribute(
        "href", f"/people/{bo_id}"
    )
    expect(page.get_by_text("You do not follow anyone yet.")).to_be_visible()
    expect(page.get_by_text("No one is waiting for your answer.")).to_be_visible()
    assert serious_violations(page) == []

    suggested.get_by_role("link", name="Bo Leroy").click()
    page.wait_for_url(opened.url(f"/people/{bo_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bo Leroy")
    shared = ok(curl, "GET", f"{gw}/users/{bo_id}", ann)
    assert (shared["limited"], shared["bio"]) == (False, BIO)
    expect(page.get_by_text(BIO)).to_be_visible()
    expect(page.get_by_text("Public profile")).to_be_visible()
    facts = page.locator(".people-facts")
    expect(facts).to_contain_text("Lyon")
    expect(facts).to_contain_text("French, English")
    expect(facts).to_contain_text("weekday evenings, weekend mornings · 8 hours a month")
    for skill in shared["skills"]:  # as identity wrote them: "first-aid"
        expect(page.get_by_role("listitem").filter(has_text=skill)).to_be_visible()
    expect(page.get_by_text("No one follows Bo Leroy yet.")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="You follow Bo Leroy.")).to_be_visible()
    expect(page.get_by_text("Following", exact=True)).to_be_visible()
    assert ids(curl, system, ann, "/users/me/following") == [bo_id]
    assert ids(other_curl, system, bo, "/users/me/followers") == [ann["user"]["id"]]
    followers = page.get_by_role("list", name="Who follows Bo Leroy")
    expect(followers.get_by_role("link", name="Ann Martin")).to_be_visible()
    assert serious_violations(page) == []
    assert main_fits(page)
    opened.screenshot("people-profile-desktop")
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("people-profile-phone")

    opened.open(f"/people/{bo_id}")  # a reload (a deep link): still following, from the API
    expect(page.get_by_role("heading", level=1)).to_have_text("Bo Leroy")
    expect(page.get_by_text("Following", exact=True)).to_be_visible()
    page.get_by_role("button", name="Unfollow").click()
    expect(
        page.get_by_role("status").filter(has_text="You no longer follow Bo Leroy.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_focused()
    assert ids(curl, system, ann, "/users/me/following") == []
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []


def test_a_private_person_accepts_one_follow_request_and_declines_another(
    open_page: Any, system: Any, curl: Any, other_curl: Any
) -> None:
    gw = system.gateway.url
    ann_user, ann = named_person(curl, system, "Ann Martin")
    _, dan = named_person(curl, system, "Dan Petit")
    cat_user, cat = named_person(other_curl, system, "Cat Moreau", visibility="private", bio=SECRET)
    ann_id, dan_id, cat_id = ann["user"]["id"], dan["user"]["id"], cat["user"]["id"]
    asked = ok(curl, "PUT", f"{gw}/users/{cat_id}/follow", dan)
    assert (asked["following"], asked["requested"]) == (False, True)

    # Ann, in a browser of her own: Cat's page shows her name only, and takes a request.
    annes = open_page(bypass_csp=True)
    page = annes.page
    sign_in_again(annes, ann_user, f"/people/{cat_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cat Moreau")
    shared = ok(curl, "GET", f"{gw}/users/{cat_id}", ann)
    assert (shared["limited"], shared["bio"]) == (True, None)
    expect(page.get_by_test_id("people-limited")).to_have_text(
        "Cat Moreau keeps their profile private."
    )
    expect(page.get_by_text("Private profile")).to_be_visible()
    assert page.get_by_text(SECRET).count() == 0
    assert serious_violations(page) == []
    page.get_by_role("button", name="Ask to follow").click()
    expect(page.get_by_text("Requested", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw my request")).to_be_visible()
    assert ids(curl, system, ann, "/users/me/following") == []
    assert set(ids(other_curl, system, cat, "/users/me/follow-requests")) == {ann_id, dan_id}
    annes.open(f"/people/{cat_id}")  # a reload: still requested
    expect(page.get_by_text("Requested", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw my request")).to_be_visible()
    annes.open("/people")  # what this browser sent, waiting
    sent = page.get_by_role("list", name="Requests I sent")
    expect(sent.get_by_role("link", name="Cat Moreau")).to_be_visible()
    expect(sent.get_by_text("Requested", exact=True)).to_be_visible()

    # Cat, in another browser: the two requests on /people; French once.
    cats = open_page(bypass_csp=True)
    them = cats.page
    sign_in_again(cats, cat_user, "/people")
    requests = them.get_by_role("list", name="Follow requests")
    expect(requests.get_by_role("link", name="Ann Martin")).to_be_visible()
    expect(requests.get_by_role("link", name="Dan Petit")).to_be_visible()
    them.get_by_label("Language").select_option("fr")
    expect(them.get_by_role("heading", name="Demandes d\u2019abonnement")).to_be_visible()
    expect(them.get_by_role("button", name="Accepter Ann Martin")).to_be_visible()
    assert serious_violations(them) == []
    assert main_fits(them)
    cats.screenshot("people-requests-desktop-fr")
    them.get_by_label("Langue").select_option("en")

    them.get_by_role("button", name="Accept Ann Martin").click()
    expect(them.get_by_text("You accepted: Ann Martin follows you now.")).to_be_focused()
    assert ids(other_curl, system, cat, "/users/me/followers") == [ann_id]
    assert ids(curl, system, ann, "/users/me/following") == [cat_id]
    mine = them.get_by_role("list", name="My followers")
    expect(mine.get_by_role("link", name="Ann Martin")).to_be_visible()
    them.get_by_role("button", name="Decline Dan Petit").click()
    expect(them.get_by_text("You declined Dan Petit\u2019s request.")).to_be_visible()
    assert ids(other_curl, system, cat, "/users/me/follow-requests") == []
    assert ids(curl, system, dan, "/users/me/following") == []
    cats.open("/people")  # a reload: no request left, Ann a follower
    expect(them.get_by_text("No one is waiting for your answer.")).to_be_visible()
    expect(mine.get_by_role("link", name="Ann Martin")).to_be_visible()
    assert serious_violations(them) == []

    # Ann again: following now (the API's list), Cat's profile still private to her.
    annes.open(f"/people/{cat_id}")
    expect(page.get_by_text("Following", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(page.get_by_test_id("people-limited")).to_be_visible()
    annes.open("/people")  # nothing waiting any more: Cat among whom Ann follows
    following = page.get_by_role("list", name="People I follow")
    expect(following.get_by_role("link", name="Cat Moreau")).to_be_visible()
    expect(page.get_by_role("heading", name="Requests I sent")).to_have_count(0)
    assert annes.watched.problems(SIGNED_OUT_REFRESH) == []
    assert cats.watched.problems(SIGNED_OUT_REFRESH) == []
