"""The settings area in the browser (/settings) against the real services: a person changes
their profile, their privacy, notification preferences (a channel of two kinds, the digest,
quiet hours) and sharing joins on Facebook (off by default); identity's GET /users/me and the
notifier's preferences then hold exactly that, and a reload shows it; in French too. Their data
downloads as a JSON file holding their profile; deleting the account asks first (keeping it
deletes nothing), then signs them out onto the sign-in page, and their old token is refused."""

from __future__ import annotations

from typing import Any

from browser_support import DESKTOP, PHONE
from settings_support import (
    SIGNED_OUT_REFRESH,
    applied,
    expect,
    main_fits,
    me,
    me_status,
    person,
    preferences,
    read_json,
    saved,
    section,
    serious_violations,
    sign_in_again,
)

BIO = "Weekend cyclist, first-aid trained, happy to help near Lyon."


def test_a_person_changes_their_settings_and_the_api_holds_exactly_that(
    open_page: Any, system: Any, curl: Any
) -> None:
    user, login = person(curl, system)
    opened = open_page(bypass_csp=True)  # axe is injected below
    page = opened.page
    sign_in_again(opened, user, "/settings")
    profile_before = me(curl, system, login)  # as the browser's login left it
    prefs_before = preferences(curl, system, login)
    followed = prefs_before["kinds"]["followed"]
    assert (followed["in_app"], followed["email"]) == (True, False)
    assert prefs_before["kinds"]["org_post"]["in_app"] is True
    assert prefs_before["digest"] == "weekly"
    assert prefs_before["quiet_hours"] is None

    expect(page.get_by_role("heading", level=1)).to_have_text("Your settings")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Settings", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    profile = section(page, "Profile")
    name = profile.get_by_label("Your name as others see it")
    expect(name).to_have_value(profile_before["display_name"])
    sharing = page.get_by_label("Show the causes and organizations I join on Facebook")
    expect(sharing).not_to_be_checked()  # off by default
    assert serious_violations(page) == []

    # The profile.
    name.fill("Ann Settings")
    profile.get_by_label("About you").fill(BIO)
    profile.get_by_label("Your skills").fill("First aid, bike repair")
    profile.get_by_label("Your interests").fill("rivers, birds")
    profile.get_by_label("Languages you speak").fill("fr, en")
    profile.get_by_label("City", exact=True).fill("Lyon")
    profile.get_by_label("Latitude").fill("45.7485")
    profile.get_by_label("Longitude").fill("4.8357")
    profile.get_by_label("How far you would travel (km)").fill("12")
    profile.get_by_label("Weekend mornings").check()
    profile.get_by_label("Hours a month you could give").fill("6")
    profile.get_by_role("button", name="Save my profile").click()
    saved(profile)

    # Privacy.
    privacy = section(page, "Privacy")
    expect(privacy.get_by_label("Everyone", exact=True)).to_be_checked()
    privacy.get_by_label("The people who follow you", exact=True).check()
    privacy.get_by_label("Organizations may find me and invite me to opportunities").check()
    privacy.get_by_role("button", name="Save my privacy settings").click()
    saved(privacy)

    # Notifications: a new follower by email too, an organization's news no longer in the
    # app, the digest daily, quiet hours for email.
    notifications = section(page, "Notifications")
    followed_email = notifications.get_by_role(
        "checkbox", name="Someone follows you or your organization By email"
    )
    news_in_app = notifications.get_by_role(
        "checkbox", name="An organization you follow posts news In the app"
    )
    expect(followed_email).not_to_be_checked()
    expect(news_in_app).to_be_checked()
    followed_email.check()
    news_in_app.uncheck()
    notifications.get_by_label("Email digest").select_option("daily")
    notifications.get_by_label("Hold emails during quiet hours").check()
    notifications.get_by_label("From", exact=True).fill("22:00")
    notifications.get_by_label("Until", exact=True).fill("07:00")
    notifications.get_by_label("Time zone", exact=True).select_option("Europe/Paris")
    notifications.get_by_role("button", name="Save my notification settings").click()
    saved(notifications)

    # Facebook.
    facebook = section(page, "Facebook")
    sharing.check()
    facebook.get_by_role("button", name="Save my Facebook setting").click()
    saved(facebook)

    # What the API holds: exactly these changes, nothing else.
    assert me(curl, system, login) == {
        **profile_before,
        "display_name": "Ann Settings",
        "bio": BIO,
        "skills": ["first-aid", "bike-repair"],  # identity keeps tags as slugs
        "interests": ["rivers", "birds"],
        "languages": ["fr", "en"],
        "location": {"city": "Lyon", "lat": 45.75, "lng": 4.84},  # coarse
        "radius_km": 12,
        "availability": {"parts": ["weekend_mornings"], "hours_per_month": 6},
        "visibility": "followers",
        "findable": True,
    }
    joins = {"facebook": True}
    assert preferences(curl, system, login) == applied(
        prefs_before,
        kinds={
            "followed": {"email": True},
            "org_post": {"in_app": False},
            "welcome": joins,
            "joined_cause": joins,
            "application_accepted": joins,
        },
        digest="daily",
        quiet_hours={"start": "22:00:00", "end": "07:00:00", "time_zone": "Europe/Paris"},
    )
    # Saving again without a change sends nothing.
    profile.get_by_role("button", name="Save my profile").click()
    saved(profile, "Nothing changed, nothing to save.")
    assert serious_violations(page) == []
    assert main_fits(page)
    opened.screenshot("settings-desktop")

    # A reload shows what was saved.
    opened.open("/settings")
    expect(name).to_have_value("Ann Settings")
    expect(profile.get_by_label("About you")).to_have_value(BIO)
    expect(profile.get_by_label("Your skills")).to_have_value("first aid, bike repair")
    expect(profile.get_by_label("Your interests")).to_have_value("rivers, birds")
    expect(profile.get_by_label("Languages you speak")).to_have_value("fr, en")
    expect(profile.get_by_label("City", exact=True)).to_have_value("Lyon")
    expect(profile.get_by_label("Latitude")).to_have_value("45.75")
    expect(profile.get_by_label("Longitude")).to_have_value("4.84")
    expect(profile.get_by_label("How far you would travel (km)")).to_have_value("12")
    expect(profile.get_by_label("Weekend mornings")).to_be_checked()
    expect(profile.get_by_label("Weekday mornings")).not_to_be_checked()
    expect(profile.get_by_label("Hours a month you could give")).to_have_value("6")
    expect(privacy.get_by_label("The people who follow you", exact=True)).to_be_checked()
    expect(privacy.get_by_label("Everyone", exact=True)).not_to_be_checked()
    expect(
        privacy.get_by_label("Organizations may find me and invite me to opportunities")
    ).to_be_checked()
    expect(followed_email).to_be_checked()
    expect(news_in_app).not_to_be_checked()
    expect(notifications.get_by_label("Email digest")).to_have_value("daily")
    expect(notifications.get_by_label("From", exact=True)).to_have_value("22:00")
    expect(notifications.get_by_label("Until", exact=True)).to_have_value("07:00")
    expect(notifications.get_by_label("Time zone", exact=True)).to_have_value("Europe/Paris")
    expect(sharing).to_be_checked()

    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("settings-phone")

    page.set_viewport_size(DESKTOP)
    page.locator("header").get_by_label("Language").select_option("fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos réglages")
    expect(page.get_by_role("heading", name="Confidentialité")).to_be_visible()
    expect(
        page.get_by_label("Montrer sur Facebook les causes et organisations que je rejoins")
    ).to_be_checked()
    assert serious_violations(page) == []
    opened.screenshot("settings-desktop-fr")
    page.locator("header").get_by_label("Langue").select_option("en")
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []


def test_my_data_downloads_and_deleting_the_account_asks_then_signs_out(
    open_page: Any, system: Any, curl: Any
) -> None:
    user, login = person(curl, system)
    profile = me(curl, system, login)
    opened = open_page(bypass_csp=True)
    page = opened.page
    sign_in_again(opened, user, "/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your settings")

    data = section(page, "Your data")
    with page.expect_download() as downloading:
        data.get_by_role("button", name="Download my data (JSON)").click()
    download = downloading.value
    assert download.suggested_filename.startswith("jumo-my-data-")
    assert download.suggested_filename.endswith(".json")
    exported = read_json(download.path())
    assert exported["profile"]["id"] == login["user"]["id"]
    assert exported["profile"]["display_name"] == profile["display_name"]
    assert exported["profile"]["email"] == user["email"]
    assert {"following", "followers", "logins", "facebook"} <= exported.keys()
    expect(data.get_by_role("status")).to_have_text(f"Downloaded: {download.suggested_filename}")

    # Deleting asks first; keeping the account deletes nothing.
    deletion = section(page, "Delete your account")
    deletion.get_by_role("button", name="Delete my account…").click()
    confirm_title = deletion.get_by_role("heading", name="Delete your account for good?")
    expect(confirm_title).to_be_focused()
    for_good = deletion.get_by_role("button", name="Delete my account for good")
    expect(for_good).to_be_disabled()
    assert serious_violations(page) == []
    deletion.get_by_role("button", name="Keep my account").click()
    expect(confirm_title).to_have_count(0)
    expect(deletion.get_by_role("button", name="Delete my account…")).to_be_focused()
    assert me_status(curl, system, login) == 200

    deletion.get_by_role("button", name="Delete my account…").click()
    deletion.get_by_label("I understand that this cannot be undone").check()
    page.set_viewport_size(PHONE)
    assert main_fits(page)
    opened.screenshot("settings-delete-phone")
    with page.expect_response(
        lambda r: r.url.endswith("/users/me") and r.request.method == "DELETE"
    ) as deleted:
        for_good.click()
    assert deleted.value.status == 204
    page.wait_for_url(opened.url("/signin"))
    expect(page.get_by_role("link", name="Continue with Facebook")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    assert me_status(curl, system, login) in (401, 404)  # the old token is refused

    opened.open("/settings")  # a reload: no login any more, the sign-in page
    expect(page.get_by_role("link", name="Continue with Facebook")).to_be_visible()
    assert opened.watched.problems(SIGNED_OUT_REFRESH) == []
