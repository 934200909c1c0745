"""Make Jumo's own Page in a running Facebook sandbox and print the lines that hand it to notifier.

    FACEBOOK_GRAPH_URL=http://127.0.0.1:8090 FACEBOOK_APP_SECRET=… \\
        uv run python -m jumo_devstack.jumo_page

prints ``export JUMO_PAGE_ID=…`` and ``export JUMO_PAGE_TOKEN=…`` (docker-compose's notifier
reads both from the environment). The local stack and the end-to-end tests make theirs
themselves (``jumo_devstack.provision_page``). The sandbox keeps nothing across a restart: run
this again after one.
"""

from __future__ import annotations

import os
import shlex

from jumo_devstack.sandbox_page import provision_page


def main() -> None:
    """Make the Page in the sandbox at $FACEBOOK_GRAPH_URL; print its two export lines."""
    page = provision_page(
        os.environ.get("FACEBOOK_GRAPH_URL") or "http://127.0.0.1:8090",
        os.environ["FACEBOOK_APP_SECRET"],
        version=os.environ.get("FACEBOOK_GRAPH_VERSION") or "v26.0",
    )
    for key, value in page.env().items():
        print(f"export {key}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
