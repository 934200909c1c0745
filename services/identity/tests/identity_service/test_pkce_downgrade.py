"""The PKCE downgrade (RFC 9700 §2.1.1) against identity's login.

The attacker crafts a Login dialog URL for Jumo's app with NO code_challenge and gets the
victim's browser through it; the code it yields leaks (a log, a Referer, a history). The
attacker then starts a login of their own at identity — own state, own cookie, and a PKCE
verifier identity keeps for that login — and presents the victim's code. identity sends its
verifier with the code; Facebook (the sandbox) must refuse it because the code was issued
without a challenge, or PKCE protects nothing.
"""

from __future__ import annotations

from jumo_facebook.sandbox.testing import SandboxControl
from jumo_identity.typedefs import IDENTITY

from .conftest import CALLBACK, AiohttpClient, Client, login, start_login


async def test_a_code_issued_without_a_challenge_is_refused_in_a_pkce_login(
    aiohttp_client: AiohttpClient, client: Client, sandbox: SandboxControl
) -> None:
    fb_victim = await sandbox.create_test_user("Victim")
    member = await login(client, sandbox, fb_victim)
    crafted = await sandbox.login(fb_victim.id, redirect_uri=CALLBACK)  # no code_challenge
    leaked = str(crafted["code"])

    attacker: Client = await aiohttp_client(client.server)  # same app, another cookie jar
    own = await start_login(attacker)
    assert "code_challenge" in own  # identity's own login does use PKCE
    answer = await attacker.get(
        "/auth/facebook/callback", params={"code": leaked, "state": own["state"]}
    )
    body = await answer.json()

    assert answer.status == 401, body
    assert body["type"].endswith("/login-failed")
    assert "access_token" not in body
    families = await client.app[IDENTITY].auth.families_of(member.user_id)
    assert len(families) == 1, "only the victim's own earlier login exists"
