"""Run identity: ``python -m jumo_identity [serve|rotate-keys|gen-key|roles …]``.

``serve`` (the default) runs the HTTP service; ``rotate-keys`` makes a fresh signing key
current (running processes pick it up; nobody is logged out); ``gen-key`` prints a new
ENCRYPTION_KEY value; ``roles grant|revoke <role> <user id>`` changes a person's platform roles
(``roles show <user id>`` prints them), needing only ``MONGO_URL`` (and ``MONGO_DATABASE``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import secrets

from jumo_common.logging import configure_logging, get_logger
from jumo_common.mongo import create_mongo_client
from jumo_common.outbox import Outbox
from jumo_common.settings import ServiceSettings
from jumo_common.web import serve
from jumo_identity.app import create_app
from jumo_identity.crypto import Sealer
from jumo_identity.errors import UserNotFound
from jumo_identity.roles import Action, UnknownRole, set_role
from jumo_identity.settings import KEY_BYTES, IdentitySettings
from jumo_identity.signing import keyring_for
from jumo_identity.store import OUTBOX_COLLECTIONS, MongoStore
from jumo_identity.store_auth import MongoAuthStore

log = get_logger("jumo_identity")


async def rotate_keys(settings: IdentitySettings) -> str:
    """Rotate the signing key in the database; the new kid."""
    client = create_mongo_client(settings)
    try:
        auth = MongoAuthStore(client[settings.mongo_database])
        keyring = keyring_for(settings, auth, Sealer(settings.encryption_key_bytes()))
        ring = await keyring.rotate()
    finally:
        await client.close()
    return ring.current.kid


async def change_roles(settings: ServiceSettings, words: list[str]) -> list[str]:
    """``grant|revoke <role> <user id>`` or ``show <user id>``: the person's roles afterwards."""
    client = create_mongo_client(settings)
    try:
        db = client[settings.mongo_database]
        store = MongoStore(db, Outbox(db, OUTBOX_COLLECTIONS))
        if words[:1] == ["show"] and len(words) == 2:
            user = await store.user(words[1])
            if user is None:
                raise UserNotFound(f"no live user {words[1]}")
            return user.roles
        if len(words) != 3 or words[0] not in ("grant", "revoke"):
            raise SystemExit("usage: roles grant|revoke <role> <user id>, or roles show <user id>")
        action: Action = "grant" if words[0] == "grant" else "revoke"
        return await set_role(store, words[2], action, words[1])
    finally:
        await client.close()


def _roles_command(words: list[str]) -> None:
    settings = ServiceSettings(service_name="identity")  # only MONGO_URL / MONGO_DATABASE
    try:
        roles = asyncio.run(change_roles(settings, words))
    except (UnknownRole, UserNotFound) as exc:
        raise SystemExit(str(exc)) from None
    print(f"roles of {words[-1]}: {', '.join(roles) or '(none)'}")


def main(argv: list[str] | None = None) -> None:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m jumo_identity")
    parser.add_argument("command", nargs="?", default="serve",
                        choices=["serve", "rotate-keys", "gen-key", "roles"])  # fmt: skip
    parser.add_argument("words", nargs="*", help="for roles: grant|revoke <role> <user id>")
    args = parser.parse_args(argv)
    command = args.command
    if command == "roles":
        _roles_command(args.words)
        return
    if command == "gen-key":
        print(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode())
        return
    # Required values (ENCRYPTION_KEY, FACEBOOK_APP_ID, …) come from the environment.
    settings = IdentitySettings()
    configure_logging(settings)
    if command == "rotate-keys":
        kid = asyncio.run(rotate_keys(settings))
        log.info("signing key rotated; the previous key still verifies", kid=kid)
        return
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
