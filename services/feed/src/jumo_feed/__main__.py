"""Run feed: ``python -m jumo_feed``."""

from __future__ import annotations

from jumo_common.logging import configure_logging
from jumo_common.web import serve
from jumo_feed.app import create_app
from jumo_feed.settings import FeedSettings


def main() -> None:
    """Serve feed's API and consume its queues."""
    settings = FeedSettings()
    configure_logging(settings)
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
