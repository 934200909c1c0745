"""Run identity: ``python -m jumo_identity [serve|rotate-keys|gen-key]``.

``serve`` (the default) runs the HTTP service; ``rotate-keys`` makes a fresh signing key
current (running processes pick it up; nobody is logged out); ``gen-key`` prints a new
ENCRYPTION_KEY value.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import secrets

from jumo_common.logging import configure_logging, get_logger
from jumo_common.mongo import create_mongo_client
from jumo_common.web import serve
from jumo_identity.app import create_app
from jumo_identity.crypto import Sealer
from jumo_identity.settings import KEY_BYTES, IdentitySettings
from jumo_identity.signing import keyring_for
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


def main(argv: list[str] | None = None) -> None:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m jumo_identity")
    parser.add_argument("command", nargs="?", default="serve",
                        choices=["serve", "rotate-keys", "gen-key"])  # fmt: skip
    command = parser.parse_args(argv).command
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
