"""The documentation site through the gateway: /docs (the API reference), /docs/guide.html and
/docs/events/ (the AsyncAPI document and its page), built by deploy/docs/build.mjs.

The site is built here from the working tree (``node deploy/docs/build.mjs <tmp>``, with the npm
packages ``make up`` installed), and served by a gateway of this test's own whose four services
are one real Jumo service (so every ``/openapi/<service>.json`` the reference loads answers).
Each page, and everything it loads, must come from the gateway itself: no CDN, no font host.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import pytest
from e2e_support import GatewayFactory, ServiceBehindGateway
from jumo_gateway import Gateway

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "deploy" / "docs"
ASYNCAPI = ROOT / "docs" / "events" / "asyncapi.json"
SERVICES = ("identity", "orgs", "feed", "notifier")
PAGES = ("/docs/", "/docs/guide.html", "/docs/events/")
TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".json": "application/json",
    ".png": "image/png",
}
# Hosts named in Swagger UI's bundle (swagger-ui-dist 5.35.0, pinned by package-lock.json) as
# strings it never fetches on its own: XML/JSON Schema namespaces, links in its messages, the
# examples of a URL parser. validator.swagger.io is its badge, turned off with validatorUrl
# null. A new version naming another host fails here until someone reads what it is for.
INERT_HOSTS = {
    "base",
    "datatracker.ietf.org",
    "example.com",
    "fb.me",
    "github.com",
    "instagram.com",
    "json-schema.org",
    "reactjs.org",
    "redux.js.org",
    "soundcloud.com",
    "spdx.org",
    "spec.openapis.org",
    "swagger.io",
    "twitter.com",
    "validator.swagger.io",
    "vladimirgorej.com",
    "www.facebook.com",
    "www.rfc-editor.org",
    "www.tiktok.com",
    "www.w3.org",
}
# Whatever a page might load fonts or code from.
FETCH_HOSTS = re.compile(r"fonts\.(googleapis|gstatic)|cdn|unpkg|jsdelivr|scarf", re.IGNORECASE)
_URL = re.compile(r"https?://([A-Za-z0-9.-]+)")


class _References(HTMLParser):
    """Every URL an HTML page names in an attribute, and every inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag
        for name, value in attrs:
            if name in ("src", "href", "action", "poster", "data", "srcset") and value:
                self.urls.append(value)
            if name == "style" and value and "url(" in value:
                self.inline.append(value)

    def handle_data(self, data: str) -> None:
        if self._tag in ("script", "style") and data.strip():
            self.inline.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._tag = ""


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """The documentation site built from this working tree.

    In a folder of its own under /tmp, readable by everyone: nginx started as root serves files
    as its workers' user (nobody), which pytest's own tmp folders (0700) would keep out.
    """
    node = shutil.which("node")
    if node is None or not (DOCS / "node_modules" / "swagger-ui-dist").is_dir():
        pytest.fail(
            "the docs site needs node and deploy/docs/node_modules: run `make install`",
            pytrace=False,
        )
    folder = Path(tempfile.mkdtemp(prefix="jumo-docs-"))
    folder.chmod(0o755)
    try:
        out = folder / "site"
        subprocess.run([node, str(DOCS / "build.mjs"), str(out)], check=True, timeout=120)
        yield out
    finally:
        shutil.rmtree(folder)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client: no cookies kept."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


@pytest.fixture
def docs_gateway(
    start_gateway: GatewayFactory, service: ServiceBehindGateway, site: Path
) -> Gateway:
    """A gateway serving the built site, every service's path going to one real service."""
    return start_gateway(dict.fromkeys(SERVICES, service.address), docs_root=site)


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, Any, bytes]:
    """Status, headers and body, redirects not followed."""
    async with http.get(url, allow_redirects=False) as response:
        return response.status, response.headers, await response.read()


def media_type(headers: Any) -> str:
    return str(headers["Content-Type"]).split(";")[0].strip()


async def crawl(http: aiohttp.ClientSession, gateway: Gateway) -> dict[str, tuple[Any, bytes]]:
    """Every page and every file a page names (same-origin ones), fetched through the gateway."""
    seen: dict[str, tuple[Any, bytes]] = {}
    queue = [f"{gateway.url}{page}" for page in PAGES]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, headers, body = await get(http, url)
        assert status == 200, f"{url}: {status}"
        seen[url] = (headers, body)
        if media_type(headers) == "text/html":
            parser = _References()
            parser.feed(body.decode())
            for ref in parser.urls:
                target = urljoin(url, ref).split("#", 1)[0]
                if _same_origin(ref) and target.startswith(f"{gateway.url}/docs/"):
                    queue.append(target)
    return seen


async def test_the_pages_and_their_files_are_served_with_their_types(
    http: aiohttp.ClientSession, docs_gateway: Gateway
) -> None:
    base = docs_gateway.url
    for bare, slashed in (("/docs", "/docs/"), ("/docs/events", "/docs/events/")):
        status, headers, _ = await get(http, base + bare)
        assert (status, headers["Location"]) == (301, slashed)
    files = await crawl(http, docs_gateway)
    suffixes = {Path(urlsplit(url).path).suffix or ".html" for url in files}
    assert {".html", ".css", ".js", ".png"} <= suffixes
    for url, (headers, body) in files.items():
        suffix = Path(urlsplit(url).path).suffix or ".html"
        assert media_type(headers) == TYPES[suffix], url
        assert body, url
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, headers, body = await get(http, f"{base}/docs/events/asyncapi.json")
    assert (status, media_type(headers)) == (200, "application/json")
    assert json.loads(body) == json.loads(ASYNCAPI.read_text())
    status, headers, body = await get(http, f"{base}/docs/no-such-page.html")
    assert (status, media_type(headers)) == (404, "application/problem+json")
    assert json.loads(body)["type"].endswith("/not-found")
    status, headers, body = await get(http, f"{base}/docs/vendor/")  # a folder, no index
    assert (status, media_type(headers)) == (403, "application/problem+json")
    assert json.loads(body)["type"].endswith("/forbidden")


async def test_nothing_a_page_loads_comes_from_another_origin(
    http: aiohttp.ClientSession, docs_gateway: Gateway
) -> None:
    files = await crawl(http, docs_gateway)
    for url, (headers, body) in files.items():
        kind = media_type(headers)
        text = body.decode() if kind.startswith("text/") else ""
        policy = headers["Content-Security-Policy"]
        assert "http" not in policy, policy
        assert "*" not in policy, policy
        if kind == "text/html":
            parser = _References()
            parser.feed(text)
            assert parser.urls, url
            foreign = [ref for ref in parser.urls if not _same_origin(ref)]
            assert not foreign, f"{url} names other origins: {foreign}"
            assert not parser.inline, f"{url} has inline scripts or styles (the policy bars them)"
        elif kind == "text/css":
            assert "@import" not in text, url
            for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
                assert ref.startswith("data:") or _same_origin(ref), f"{url}: url({ref})"
            assert "@font-face" not in text or "url(http" not in text, url
        elif kind == "text/javascript":
            assert not FETCH_HOSTS.search(text), url
            hosts = set(_URL.findall(text))
            if "/vendor/" in url:
                assert hosts <= INERT_HOSTS, f"{url} names new hosts: {hosts - INERT_HOSTS}"
            else:
                assert not hosts, f"{url}: our own script names {hosts}"


async def test_the_reference_loads_every_service_s_openapi_document_from_the_gateway(
    http: aiohttp.ClientSession, docs_gateway: Gateway
) -> None:
    _, _, script = await get(http, f"{docs_gateway.url}/docs/api-reference.js")
    text = script.decode()
    assert "validatorUrl: null" in text
    urls = json.loads(re.search(r"urls: (\[.*?\])", text).group(1))  # type: ignore[union-attr]
    assert [u["url"] for u in urls] == [f"/openapi/{name}.json" for name in SERVICES]
    for entry in urls:
        status, headers, body = await get(http, docs_gateway.url + entry["url"])
        assert (status, media_type(headers)) == (200, "application/json"), entry
        assert json.loads(body)["openapi"].startswith("3.")


async def test_the_guide_and_the_events_page_say_what_they_must(
    http: aiohttp.ClientSession, docs_gateway: Gateway
) -> None:
    _, _, guide = await get(http, f"{docs_gateway.url}/docs/guide.html")
    html = guide.decode()
    for heading in ("authentication", "pagination", "errors", "rate-limits"):
        assert f'id="{heading}"' in html
    for words in ("PKCE", "/.well-known/jwks.json", "next_cursor", "application/problem+json"):
        assert words in html
    _, _, page = await get(http, f"{docs_gateway.url}/docs/events/")
    events = page.decode()
    document = json.loads(ASYNCAPI.read_text())
    for key in document["channels"]:
        assert f'id="channel-{key}"' in events, key
    for operation in document["operations"].values():
        if operation["action"] == "receive":
            assert f"<code>{operation['x-queue']}</code>" in events
