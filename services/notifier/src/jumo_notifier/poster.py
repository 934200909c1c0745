"""The poster: makes the intended Facebook posts (``post_store``), exactly once, as Facebook
really behaves (``page_throttle``).

Every notifier process runs one. It reads the queue when this process queued a post (at most
every ``READ_GAP_S``), when what it read ran out, and every ``posting_poll_s`` (posts queued by
other processes, retries that fell due); as slots free up it starts the next due post of what it
read whose Page (and the app) is not paused, a few per Page at a time. An attempt reads its
queue entry and the pauses afresh (what the round read may be stale), then:

1. claim the attempt (``<key>:<n>``, an exclusive insert: one process per attempt);
2. resolve where it goes (Jumo's Page, or the organization's linked Page and its token) — gone,
   broken or blocked: the post is cancelled;
3. if an earlier attempt may have posted (it got a 500 or a timeout, or its process died
   mid-call), read the Page's recent posts and look for the post's marker (``ref=…`` in its
   message): found, it is posted;
4. post; act on the verdict: posted / retry with backoff (unsure) / pause the Page or the app
   for everyone (``facebook_pages.not_before``) and retry then / mark the Page broken and tell
   its admins / mark it blocked and alert an operator / give up.

An attempt's claim outlives a dead process for ``posting_lease_s`` (longer than Facebook's
call timeout), after which the next attempt goes through step 3.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiohttp
from prometheus_client import CollectorRegistry, Counter

from jumo_common.logging import get_logger
from jumo_common.mongo import Document, as_utc
from jumo_facebook import FacebookClient, FacebookError, FacebookSettings, Usage
from jumo_notifier.page_store import PageStatus, PageStore, fingerprint
from jumo_notifier.page_throttle import APP, Verdict, judge, retry_in_s, slow_down_s
from jumo_notifier.post_store import NOT_POSTED, PostStore
from jumo_notifier.settings import NotifierSettings

log = get_logger(__name__)
# How many recent posts of a Page are searched for a marker.
RECENT_POSTS = 100
# In flight at once in one process, over every Page.
MAX_IN_FLIGHT = 64
BLOCKED_REFRESH_S = 30.0
# Keys this process settled, remembered so that a round's stale list does not start them again.
SETTLED_KEPT = 10_000
# The queue is read at most this often (a burst queues hundreds of posts within a second).
READ_GAP_S = 0.2


@dataclass(frozen=True)
class Target:
    """Where a post goes: a Page and its token (never logged, never answered)."""

    page_id: str
    token: str = field(repr=False)
    org_id: str | None = None


# A post's target (given its Page's state as just read), or the sentence saying why it can no
# longer go anywhere.
Resolve = Callable[[Document, Document | None], Awaitable[Target | str]]
# Called when a Page's link broke (190/102, a missing permission): tell whom it concerns.
OnBroken = Callable[[Document, Target, str], Awaitable[None]]


class GraphSession:
    """Facebook clients on one HTTP session per process, opened when first needed."""

    def __init__(self, settings: FacebookSettings) -> None:
        self.settings = settings
        self._http: aiohttp.ClientSession | None = None

    def client(self) -> FacebookClient:
        """A client of its own (its ``last_usage`` is this call's), on the shared session."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return FacebookClient(self.settings, self._http)

    async def close(self) -> None:
        """Close the session (a later ``client()`` opens another)."""
        if self._http is not None:
            await self._http.close()
            self._http = None


class PostMetrics:
    """The poster's counters in the app's registry (``/metrics``)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.attempts = Counter("jumo_notifier_facebook_attempts",
                                "Facebook post attempts by verdict", ["outcome"],
                                registry=registry)  # fmt: skip
        self.blocked = Counter("jumo_notifier_facebook_blocks",
                               "Times Facebook blocked a Page for abuse (368): look at it",
                               registry=registry)  # fmt: skip


class Poster:
    """The posting loop of one process (see the module doc)."""

    def __init__(self, settings: NotifierSettings, posts: PostStore, pages: PageStore,
                 graph: GraphSession, resolve: Resolve, on_broken: OnBroken) -> None:  # fmt: skip
        self.settings = settings
        self.posts = posts
        self.pages = pages
        self.graph = graph
        self.resolve = resolve
        self.on_broken = on_broken
        self.metrics: PostMetrics | None = None
        self.blocked_pages = 0
        self._wake = asyncio.Event()
        self._in_flight: dict[str, str] = {}  # key -> page id
        self._settled: OrderedDict[str, None] = OrderedDict()  # keys this process settled
        # The queue as last read, and the pauses then: what to start as slots free up.
        self._backlog: list[Document] = []
        self._paused: dict[str, datetime | None] = {}
        self._read_at = -READ_GAP_S
        self._stale = True
        self._tasks: set[asyncio.Task[None]] = set()
        self._blocked_read_at = 0.0

    def wake(self) -> None:
        """Something was queued: read the queue soon (reads are at least ``READ_GAP_S`` apart,
        so a burst of posts queued at once costs a few reads, not one each)."""
        self._stale = True
        self._wake.set()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the loop for the duration of the block; in-flight attempts are cancelled at the
        end (their claims expire and the next process checks the Page before posting)."""
        loop = asyncio.create_task(self._run(), name="facebook-poster")
        try:
            yield
        finally:
            loop.cancel()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(loop, *self._tasks, return_exceptions=True)
            await self.graph.close()

    async def _run(self) -> None:
        while True:
            try:
                wait = await self.round()
            except Exception as exc:  # the store is away: try again soon
                log.warning("facebook poster round failed", error=repr(exc))
                wait = self.settings.posting_poll_s
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wake.wait()
            self._wake.clear()

    # -- one round --------------------------------------------------------------------------

    async def round(self) -> float:
        """Read the queue when it may have changed (something was queued here, the backlog ran
        out, ``posting_poll_s`` passed: other processes queue too), then start what may go;
        seconds until the next round is needed."""
        await self._refresh_blocked(datetime.now(UTC))
        since_read = time.monotonic() - self._read_at
        must_read = self._stale or not self._backlog or since_read >= self.settings.posting_poll_s
        if must_read and since_read >= READ_GAP_S:
            await self._read_queue()
        wait = self._fill(datetime.now(UTC))
        if must_read and since_read < READ_GAP_S:
            wait = min(wait, READ_GAP_S - since_read)
        return wait

    async def _read_queue(self) -> None:
        """The queue, and the pause of each Page in it (and of the app), as they are now."""
        self._stale = False
        self._read_at = time.monotonic()
        items = await self.posts.queued()
        paused: dict[str, datetime | None] = {APP: await self._not_before(APP)}
        for item in items:
            page_id = str(item["page_id"])
            if page_id not in paused:
                paused[page_id] = await self._not_before(page_id)
        self._backlog, self._paused = items, paused

    def _fill(self, now: datetime) -> float:
        """Start what the last read showed due on a Page not paused, while slots are free
        (an attempt reads its entry afresh first: the backlog may be stale)."""
        wait, kept = self.settings.posting_poll_s, []
        for item in self._backlog:
            key, page_id = str(item["_id"]), str(item["page_id"])
            if key in self._settled:
                continue
            pauses = (self._paused.get(APP), self._paused.get(page_id))
            due = max([as_utc(item["due"])] + [t for t in pauses if t])
            if due > now:
                wait = min(wait, (due - now).total_seconds())
            elif self._may_start(key, page_id):
                self._start(item, page_id)
                continue
            kept.append(item)
        self._backlog = kept
        return max(0.01, wait)

    async def _not_before(self, page_id: str) -> datetime | None:
        state = await self.pages.page(page_id)
        return as_utc(state["not_before"]) if state and state.get("not_before") else None

    def _may_start(self, key: str, page_id: str) -> bool:
        if key in self._in_flight or len(self._in_flight) >= MAX_IN_FLIGHT:
            return False
        same_page = sum(1 for page in self._in_flight.values() if page == page_id)
        return same_page < self.settings.posting_page_concurrency

    def _start(self, item: Document, page_id: str) -> None:
        key = str(item["_id"])
        self._in_flight[key] = page_id
        task = asyncio.create_task(self._attempt_logged(item), name=f"facebook-post-{key}")
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._ended(key, done))

    def _ended(self, key: str, task: asyncio.Task[None]) -> None:
        """A slot is free: the next post of the backlog may go (no read needed for that)."""
        self._tasks.discard(task)
        self._in_flight.pop(key, None)
        self._wake.set()

    async def _attempt_logged(self, item: Document) -> None:
        try:
            await self.attempt(item)
        except Exception as exc:  # the store failed mid-attempt: the claim expires, retried
            log.warning("facebook post attempt failed", key=item["_id"], error=repr(exc))

    async def _refresh_blocked(self, now: datetime) -> None:
        if now.timestamp() - self._blocked_read_at >= BLOCKED_REFRESH_S:
            self.blocked_pages = await self.pages.count_blocked()
            self._blocked_read_at = now.timestamp()

    # -- one attempt ------------------------------------------------------------------------

    async def attempt(self, queued: Document) -> None:
        """One attempt at one queued post (steps 1-4 of the module doc)."""
        key, now = str(queued["_id"]), datetime.now(UTC)
        # The round's list may be stale: another attempt may have ended it or put it off.
        item = await self.posts.queued_item(key)
        if item is None:
            self._done(key)
            return
        if as_utc(item["due"]) > now:
            return
        page_id = str(item["page_id"])
        free, _ = await self._page_if_free(page_id)
        if not free:
            return
        lease = timedelta(seconds=self.settings.posting_lease_s)
        claimed = await self.posts.claim_attempt(key, int(item.get("attempt", 1)), now, lease)
        if claimed is None:
            return
        number, unsure = claimed[0], claimed[1] or bool(item.get("check_first"))
        # Read only now, under the claim: a post settled by another process meanwhile shows
        # settled (its claims are deleted after its record is written).
        post = await self.posts.post(key)
        if post is None or post.get("state") != "pending":
            await self.posts.dequeue(key)
            self._done(key)
            return
        # The pauses again, under the claim: the claim may have walked past an attempt that
        # ended since the read above, and the pause that attempt met is written before its
        # end (found in a full run: process B read "no pause", process A was refused, paused
        # the Page and ended attempt 1, B claimed attempt 2 and posted 46 ms into the pause).
        free, state = await self._page_if_free(page_id)
        if not free:
            await self._put_back(key, item, number, unsure)
            return
        target = await self.resolve(post, state)
        if isinstance(target, str):
            await self._end(post, "cancelled", target)
            return
        client = self.graph.client()
        verdict, post_id, unsure = await self._call(client, target, post, unsure)
        await self._pace(target.page_id, client.last_usage, verdict)
        await self._act(post, item, number, target, verdict, post_id, unsure)

    async def _page_if_free(self, page_id: str) -> tuple[bool, Document | None]:
        """Whether the Page and the app may be called now (the pauses as they are now: another
        process may have set one since the last read), and the Page's state."""
        now = datetime.now(UTC)
        state, app = await asyncio.gather(self.pages.page(page_id), self.pages.page(APP))
        free = True
        for scope, paused in ((page_id, state), (APP, app)):
            until = as_utc(paused["not_before"]) if paused and paused.get("not_before") else None
            self._paused[scope] = until
            free = free and (until is None or until <= now)
        return free, state

    async def _put_back(self, key: str, item: Document, number: int, unsure: bool) -> None:
        """Give up a claimed attempt, not made, to a pause: the next one waits for it."""
        await self.posts.requeue(key, due=datetime.now(UTC), failures=int(item.get("failures", 0)),
                                 attempt=number + 1, check_first=unsure)  # fmt: skip
        await self.posts.end_attempt(key, number, NOT_POSTED)

    async def _call(self, client: FacebookClient, target: Target, post: Document,
                    unsure: bool) -> tuple[Verdict, str | None, bool]:  # fmt: skip
        """Look for the marker if unsure, then post: the verdict, the post id, and whether a
        post of this key may now exist."""
        try:
            if unsure:
                found = await self._find_marker(client, target, str(post["ref"]))
                if found is not None:
                    return Verdict("posted", "found on the Page after an unsure try"), found, False
                unsure = False
            message, link = str(post["message"]), post.get("link")
            post_id = await client.post_to_page(target.page_id, target.token, message, link=link)
        except FacebookError as error:
            verdict = judge(error, self.settings.posting_throttle_s)
            return verdict, None, unsure or verdict.outcome == "unknown"
        return Verdict("posted", "posted"), post_id, False

    async def _find_marker(self, client: FacebookClient, target: Target, ref: str) -> str | None:
        marker = f"ref={ref}"
        for found in await client.page_posts(target.page_id, target.token, limit=RECENT_POSTS):
            if marker in (found.message or ""):
                return found.id
        return None

    async def _pace(self, page_id: str, usage: Usage | None, verdict: Verdict) -> None:
        """Slow the Page (or the app) down for every process: usage above 75 %, or a rate
        limit's pause, whichever is longer."""
        pauses = [slow_down_s(usage, page_id)]
        if verdict.pause_s is not None:
            pauses.append((verdict.pause_s, verdict.pause_scope))
        found = [p for p in pauses if p is not None]
        if not found:
            return
        seconds, scope = max(found, key=lambda p: p[0])
        percent = usage.max_percent if usage else 0.0
        why = verdict.why if verdict.pause_s else f"usage at {percent:.0f} %"
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        await self.pages.pause(scope or page_id, until, why)
        self._paused[scope or page_id] = until
        log.info("facebook page slowed down", page_id=page_id, scope=scope or "page",
                 seconds=round(seconds, 1), why=why)  # fmt: skip

    # -- acting on the verdict ---------------------------------------------------------------

    async def _act(self, post: Document, item: Document, number: int, target: Target,
                   verdict: Verdict, post_id: str | None, unsure: bool) -> None:  # fmt: skip
        key = str(post["_id"])
        if self.metrics is not None:
            self.metrics.attempts.labels(verdict.outcome).inc()
        match verdict.outcome:
            case "posted":
                await self._end(post, "posted", verdict.why, post_id)
                log.info("facebook post made", key=key, page_id=target.page_id, attempt=number)
            case "unknown" | "throttled":
                await self._again(key, item, number, verdict, unsure)
                await self.posts.end_attempt(key, number, "unknown" if unsure else NOT_POSTED)
            case "broken":  # whom it concerns hears of it before the post is settled
                await self._stop_page(target, "broken", verdict.why)
                await self.on_broken(post, target, verdict.why)
                await self._end(post, "cancelled", verdict.why)
            case "blocked":
                await self._stop_page(target, "blocked", verdict.why)
                await self._alert_blocked(target, verdict.why)
                await self._end(post, "cancelled", verdict.why)
            case _:
                await self._end(post, "failed", verdict.why)
                log.warning("facebook post failed", key=key, page_id=target.page_id,
                            why=verdict.why)  # fmt: skip

    async def _alert_blocked(self, target: Target, why: str) -> None:
        """368: an operator must look (the metric, and a line at error level)."""
        self.blocked_pages = await self.pages.count_blocked()
        if self.metrics is not None:
            self.metrics.blocked.inc()
        log.error("facebook blocked a page: posting to it stopped, an operator must look",
                  page_id=target.page_id, org_id=target.org_id, why=why)  # fmt: skip

    async def _again(self, key: str, item: Document, number: int, verdict: Verdict,
                     unsure: bool) -> None:  # fmt: skip
        """Try again later: after a backoff (a failure) or a pause (not a failure)."""
        now = datetime.now(UTC)
        failures = int(item.get("failures", 0)) + (verdict.outcome == "unknown")
        if failures >= self.settings.posting_max_attempts:
            why = f"{verdict.why}; gave up after {failures} tries (it may be on the Page)"
            await self.posts.finish(key, "failed", why, now)
            self._done(key)
            log.error("facebook post given up", key=key, why=why)
            return
        # An unsure try waits at least one more call timeout: a call we gave up on may still
        # land on Facebook's side, and the marker must have had time to show.
        # A throttled one is due at once: the pause of its Page (or of the app) holds it, for
        # every process, and ends it early when that pause is lifted.
        unsure_delay = max(retry_in_s(failures), self.settings.facebook.timeout_s)
        delay = unsure_delay if verdict.outcome == "unknown" else 0.0
        await self.posts.requeue(key, due=now + timedelta(seconds=delay), failures=failures,
                                 attempt=number + 1, check_first=unsure)  # fmt: skip
        log.info("facebook post to be tried again", key=key, why=verdict.why,
                 in_s=round(delay, 1), unsure=unsure)  # fmt: skip

    async def _stop_page(self, target: Target, status: PageStatus, why: str) -> None:
        """No more posts to this Page until its token changes (linked again, or a new
        JUMO_PAGE_TOKEN)."""
        await self.pages.set_status(target.page_id, status, why, datetime.now(UTC),
                                    token_fp=fingerprint(target.token))  # fmt: skip

    async def _end(self, post: Document, state: str, why: str, post_id: str | None = None) -> None:
        await self.posts.finish(str(post["_id"]), state, why, datetime.now(UTC), post_id)
        self._done(str(post["_id"]))

    def _done(self, key: str) -> None:
        """This key is settled: later rounds skip it (their list may still show it)."""
        self._settled[key] = None
        while len(self._settled) > SETTLED_KEPT:
            self._settled.popitem(last=False)
