"""The Share dialog links of the join notifications (the one way to one's own timeline that
Facebook still allows): each points at the public page of what was joined, on the platform's
public address, through Facebook's Share dialog for our app."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from jumo_common.events.identity import UserFollowed
from jumo_common.events.orgs import CauseJoined
from jumo_common.testing.tokens import TestKeys
from jumo_facebook import FacebookSettings

from .conftest import Client, new_org, notifications, person, publish
from .facebook_support import (
    PUBLIC,
    accepted,
    facebook_settings_fixture,  # noqa: F401  (fixtures)
    jumo_page_fixture,  # noqa: F401
    overrides_fixture,  # noqa: F401
    sandbox_config_fixture,  # noqa: F401
    sandbox_fixture,  # noqa: F401
)


def shared(item: dict[str, object], facebook: FacebookSettings) -> str:
    """The page a notification's share link shares (asserting it is the Share dialog)."""
    data = item["data"]
    assert isinstance(data, dict)
    url = urlsplit(str(data["share_url"]))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{facebook.www_url}/dialog/share"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (query["app_id"], query["display"], query["hashtag"]) == (facebook.app_id, "page",
                                                                     "#Jumo")  # fmt: skip
    return query["href"]


async def test_each_join_notification_shares_the_public_page_of_what_was_joined(
    client: Client, keys: TestKeys, facebook_settings: FacebookSettings
) -> None:
    ann = await person(client, keys, "Ann")
    [welcome] = (await notifications(client, ann))["items"]
    assert shared(welcome, facebook_settings) == f"{PUBLIC}/"

    await publish(client, CauseJoined(cause="clean-water", user_id=ann.user_id, seq=1))
    joined = (await notifications(client, ann))["items"][0]
    assert joined["kind"] == "joined_cause"
    assert shared(joined, facebook_settings) == f"{PUBLIC}/causes/clean-water"

    admin = await person(client, keys, "Ada")
    org = await new_org(client, admin)
    await publish(client, accepted(org, ann, "b" * 32))
    answer = (await notifications(client, ann))["items"][0]
    assert answer["kind"] == "application_accepted"
    assert shared(answer, facebook_settings) == f"{PUBLIC}/opportunities/{'b' * 32}"


async def test_other_notifications_carry_no_share_link(client: Client, keys: TestKeys) -> None:
    ann, bob = await person(client, keys, "Ann"), await person(client, keys, "Bob")
    await publish(client, UserFollowed(follower_id=bob.user_id, followee_id=ann.user_id, seq=1),
                  producer="identity")  # fmt: skip
    followed = (await notifications(client, ann))["items"][0]
    assert followed["kind"] == "followed"
    assert "share_url" not in followed["data"]
