"""Run orgs: ``python -m jumo_orgs [serve]``."""

from __future__ import annotations

import argparse

from jumo_common.logging import configure_logging
from jumo_common.web import serve
from jumo_orgs.app import create_app
from jumo_orgs.settings import OrgsSettings


def main(argv: list[str] | None = None) -> None:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m jumo_orgs")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"])
    parser.parse_args(argv)
    settings = OrgsSettings()
    configure_logging(settings)
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
