"""Run notifier: ``python -m jumo_notifier``."""

from __future__ import annotations

from jumo_common.logging import configure_logging
from jumo_common.web import serve
from jumo_notifier.app import create_app
from jumo_notifier.settings import NotifierSettings


def main() -> None:
    """Serve notifier's API and consume its queues."""
    settings = NotifierSettings()
    configure_logging(settings)
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
