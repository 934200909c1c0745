"""The local stack's Facebook app: an id and secret generated once and kept in the run folder."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

APP_FILE = "app.json"


def local_app(folder: Path) -> dict[str, str]:
    """``FACEBOOK_APP_ID`` and ``FACEBOOK_APP_SECRET``, the same for every ``up`` of a folder."""
    path = folder / APP_FILE
    try:
        saved = json.loads(path.read_text())
        return {
            "FACEBOOK_APP_ID": str(saved["app_id"]),
            "FACEBOOK_APP_SECRET": str(saved["app_secret"]),
        }
    except (OSError, ValueError, KeyError, TypeError):
        pass  # first run (or a damaged file): make new ones
    app_id = str(secrets.randbelow(9 * 10**14) + 10**14)
    # Hex only: the stack formats these strings with str.format, so no braces.
    app_secret = secrets.token_hex(16)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"app_id": app_id, "app_secret": app_secret}) + "\n")
    path.chmod(0o600)
    return {"FACEBOOK_APP_ID": app_id, "FACEBOOK_APP_SECRET": app_secret}
