"""``python -m jumo_facebook.sandbox``: run the Facebook sandbox until interrupted."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from jumo_facebook.sandbox.app import create_sandbox_app
from jumo_facebook.sandbox.config import SandboxConfig


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Method, path and status, never the query: it carries tokens and the app secret."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """One line per request."""
        self.logger.info(
            "%s %s -> %s (%.0f ms)", request.method, request.path, response.status, time * 1000
        )


def _arguments() -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m jumo_facebook.sandbox",
        description="Facebook, offline. Flags override FACEBOOK_SANDBOX_* / FACEBOOK_APP_* env.",
    )
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--app-id")
    parser.add_argument("--app-secret")
    parser.add_argument(
        "--redirect-uri", action="append", dest="redirect_uris", help="repeat for several"
    )
    parser.add_argument("--allow-localhost-redirects", action="store_true", default=None)
    parser.add_argument("--require-proof", action="store_true", default=None)
    parser.add_argument("--public-url")
    return {k: v for k, v in vars(parser.parse_args()).items() if v is not None}


def main() -> None:
    """Parse flags over the environment and serve."""
    config = SandboxConfig(**_arguments())
    print(f"Facebook sandbox for app {config.app_id} on {config.base_url()}", flush=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    web.run_app(
        create_sandbox_app(config),
        host=config.host,
        port=config.port,
        print=None,
        access_log_class=PathOnlyAccessLogger,
    )


if __name__ == "__main__":
    main()
