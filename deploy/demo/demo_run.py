"""The demo's phases, in order: people sign up with Facebook, organizations are created,
submitted and verified, they publish, people follow, join and apply, organizations answer.

Every step looks in the state file (demo key → id) first, and trusts an id only once the API
has shown it; what is missing is made, what is there is left alone. Writes go out with each
person's own token and within the gateway's limits (see ``demo_http``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from demo_data import ApplicationPlan, OrgPlan, PersonPlan, Plan
from demo_http import ADDRESSES, Answer, DemoError, Login, Net
from demo_http import UNAVAILABLE as UNAVAILABLE_STATUSES
from demo_state import State

T = TypeVar("T")
MODERATOR_ROLE = "moderator"


class Progress:
    """A progress bar per phase on stderr: ``label [####····] done/total seconds``."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.count = label, total, 0
        self.started = self.shown = time.monotonic()
        self.tty = sys.stderr.isatty()
        self._show(force=True)

    def step(self, n: int = 1) -> None:
        """``n`` more done."""
        self.count += n
        self._show()

    def _show(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.shown < (0.2 if self.tty else 5.0):
            return
        self.shown = now
        width = 30
        filled = width * self.count // self.total if self.total else width
        bar = "#" * filled + "." * (width - filled)
        line = f"{self.label:<22} [{bar}] {self.count}/{self.total} {now - self.started:6.1f}s"
        sys.stderr.write(("\r" + line) if self.tty else line + "\n")
        sys.stderr.flush()

    def close(self) -> float:
        """The phase is over: the last line, and how long it took."""
        self.count = self.total
        self._show(force=True)
        if self.tty:
            sys.stderr.write("\n")
        return time.monotonic() - self.started


@dataclass
class Counts:
    """What this run created (a second run over a complete demo creates nothing)."""

    made: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        """``n`` more of ``what`` created."""
        self.made[what] = self.made.get(what, 0) + n

    def total(self) -> int:
        """Everything created."""
        return sum(self.made.values())


@dataclass
class Demo:
    """One run of the demo against one stack."""

    net: Net
    state: State
    plan: Plan
    identity_database: str
    causes: list[str] = field(default_factory=list)
    logins: dict[str, Login] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    timings: dict[str, float] = field(default_factory=dict)

    # ---- helpers ---------------------------------------------------------------------------

    async def phase(
        self,
        label: str,
        items: Iterable[T],
        work: Callable[[T], Awaitable[None]],
        at_once: int = 1000,
    ) -> None:
        """Run ``work`` over ``items`` concurrently (``at_once`` items at a time, and bounded
        by the network's gate), with a bar."""
        todo = list(items)
        bar = Progress(label, len(todo))
        slots = asyncio.Semaphore(at_once)

        async def one(item: T) -> None:
            async with slots:
                await work(item)
            bar.step()

        await asyncio.gather(*(one(item) for item in todo))
        self.timings[label] = bar.close()
        self.state.save()

    def person(self, key: str) -> PersonPlan:
        """A person of the plan by key."""
        return self._people[key]

    def __post_init__(self) -> None:
        self._people = {p.key: p for p in self.plan.people()}
        for n, person in enumerate(self.plan.people()):
            person.address = ADDRESSES[n % len(ADDRESSES)]
        self._orgs = {o.key: o for o in self.plan.orgs}

    async def login(self, key: str) -> Login:
        """``key``'s Jumo tokens: from this run's sign-up, else a login through Facebook."""
        if key not in self.logins:
            record = self.state.section("people")[key]
            self.logins[key] = await self.net.facebook_login(
                record["login_url"], self.person(key).address
            )
        return self.logins[key]

    async def call(self, key: str | None, method: str, path: str, body: Any = None) -> Answer:
        """An API call as person ``key`` (None: anonymous), from their address."""
        login = await self.login(key) if key else None
        address = self.person(key).address if key else ADDRESSES[0]
        return await self.net.api(login, address, method, path, body)

    async def must(self, key: str | None, method: str, path: str, body: Any = None) -> Any:
        """The JSON of a call that must succeed."""
        answer = await self.call(key, method, path, body)
        if not answer.ok():
            raise DemoError(f"{method} {path} as {key}: {answer.status} {answer.body}")
        return answer.body

    async def eventually(self, key: str, method: str, path: str, body: Any = None) -> Answer:
        """A call that may need orgs to have heard of a new person first (events travel
        through the bus): a 403/404/409/422 naming an unknown person is tried again."""
        answer = await self.call(key, method, path, body)
        for attempt in range(12):
            if answer.ok() or answer.status not in (403, 404, 409, 422):
                return answer
            if "person" not in str(answer.body).lower() and "unknown" not in str(answer.body):
                return answer
            await asyncio.sleep(0.5 * (attempt + 1))
            answer = await self.call(key, method, path, body)
        return answer

    # ---- phase 0: the state against the stack ---------------------------------------------

    # ---- phase 1: people -------------------------------------------------------------------

    async def ensure_person(self, person: PersonPlan) -> None:
        """A Facebook test user who has signed up with Jumo (verified: identity shows them)."""
        people = self.state.section("people")
        record = people.get(person.key)
        if record and record.get("user_id"):
            seen = await self.call(None, "GET", f"/users/{record['user_id']}")
            if seen.ok():
                return
        if not record:
            user = await self.net.create_test_user(person.name)
            record = {"fb_id": str(user["id"]), "login_url": user["login_url"], "name": person.name}
            people[person.key] = record
            self.counts.add("facebook test users")
        login = await self.net.facebook_login(
            record["login_url"], person.address, share_joins=person.share_joins
        )
        self.logins[person.key] = login
        record["user_id"] = login.user["id"]
        self.counts.add("people signed up" if login.created else "people logged in again")
        self.state.save_soon()

    async def ensure_profile(self, person: PersonPlan) -> None:
        """The volunteer's profile: skills, interests, availability, location."""
        if person.key in self.state.done("profiles") or not person.profile:
            return
        await self.must(person.key, "PATCH", "/users/me", person.profile)
        self.counts.add("profiles")
        self.state.mark("profiles", person.key)

    async def ensure_moderator(self) -> None:
        """The operator's command grants the role (no API does); the next login carries it."""
        key = self.plan.moderator.key
        login = await self.login(key)
        if MODERATOR_ROLE in login.user.get("roles", []):
            return
        env = {**os.environ, "MONGO_DATABASE": self.identity_database}
        command = [
            sys.executable,
            "-m",
            "jumo_identity",
            "roles",
            "grant",
            MODERATOR_ROLE,
            login.user["id"],
        ]
        done = await asyncio.to_thread(
            subprocess.run, command, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise DemoError(f"granting the moderator role failed: {done.stdout}{done.stderr}")
        del self.logins[key]
        login = await self.login(key)
        if MODERATOR_ROLE not in login.user.get("roles", []):
            raise DemoError("the moderator's new login does not carry the moderator role")
        self.counts.add("moderators")

    # ---- phase 2: organizations -------------------------------------------------------------

    async def ensure_org(self, org: OrgPlan) -> None:
        """Created by its admin (natural key: its slug), submitted, verified by the moderator."""
        page = await self.call(org.admin, "GET", f"/orgs/{org.slug}")
        if page.status == 404:
            page = await self.eventually(org.admin, "POST", "/orgs", org.body)
            if not page.ok():
                raise DemoError(f"POST /orgs {org.slug}: {page.status} {page.body}")
            self.counts.add("organizations")
        elif not page.ok():
            raise DemoError(f"GET /orgs/{org.slug}: {page.status} {page.body}")
        body = page.body
        self.state.section("orgs")[org.key] = {"id": body["id"], "slug": org.slug}
        if body["status"] in ("draft", "rejected"):
            await self.must(org.admin, "POST", f"/orgs/{body['id']}/submit")
            body["status"] = "pending"
        if body["status"] == "pending" and not body.get("verified"):
            await self.must(self.plan.moderator.key, "POST", f"/orgs/{body['id']}/verify")
            self.counts.add("verifications")

    def org_id(self, key: str) -> str:
        """The stack's id of a demo organization."""
        org_id: str = self.state.section("orgs")[key]["id"]
        return org_id

    async def ensure_listing(self, org: OrgPlan) -> None:
        """Its opportunities, events and older news (ids verified by a GET each)."""
        for opp in org.opportunities:
            await self._ensure_opportunity(org, opp)
        for event in org.events:
            await self._ensure_item(
                org,
                "events",
                event["key"],
                f"/orgs/{self.org_id(org.key)}/events",
                "/events/",
                event["body"],
            )
        for post in org.posts:
            if not post["fresh"]:
                await self.ensure_post(org, post)

    async def _ensure_opportunity(self, org: OrgPlan, opp: dict[str, Any]) -> None:
        path = f"/orgs/{self.org_id(org.key)}/opportunities"
        made = await self._find_or_make(org, "opportunities", opp["key"], path,
                                        "/opportunities/", opp["body"])  # fmt: skip
        if made is not None:
            self.state.section("opportunities")[opp["key"]] = {
                "id": made["id"],
                "slots": [slot["id"] for slot in made["slots"]],
                "questions": [q["id"] for q in made["questions"]],
            }

    async def _ensure_item(
        self, org: OrgPlan, section: str, key: str, create: str, read: str, body: Any
    ) -> None:
        made = await self._find_or_make(org, section, key, create, read, body)
        if made is not None:
            self.state.section(section)[key] = made["id"]

    async def _find_or_make(
        self, org: OrgPlan, section: str, key: str, listing: str, read: str, body: Any
    ) -> dict[str, Any] | None:
        """The item as the stack has it (None: the state's id is good). Its natural key is its
        title within its organization (the plan never gives one organization two items of the
        same title), so an item made by a run that was cut short, or by a POST whose answer
        was lost (a 504), is found in the organization's list instead of made twice."""
        record = self.state.section(section).get(key)
        known_id = record["id"] if isinstance(record, dict) else record
        if known_id and (await self.call(org.admin, "GET", f"{read}{known_id}")).ok():
            return None
        found = await self._titled(org, listing, body["title"])
        if found is None:
            answer = await self.call(org.admin, "POST", listing, body)
            if answer.ok():
                found = answer.body
                self.counts.add(section)
            elif answer.status in UNAVAILABLE_STATUSES:
                found = await self._titled(org, listing, body["title"], wait=True)
            if found is None:
                raise DemoError(f"POST {listing} as {org.admin}: {answer.status} {answer.body}")
        self.state.save_soon()
        return found

    async def _titled(
        self, org: OrgPlan, listing: str, title: str, wait: bool = False
    ) -> dict[str, Any] | None:
        """The organization's item of that title (its own people see drafts too)."""
        for attempt in range(12 if wait else 1):
            if attempt:
                await asyncio.sleep(5)
            page = await self.must(org.admin, "GET", f"{listing}?limit=100")
            for item in page["items"]:
                if item.get("title") == title:
                    full: dict[str, Any] = item
                    return full
        return None

    async def ensure_post(self, org: OrgPlan, post: dict[str, Any]) -> None:
        """One news post, linking to one of its opportunities when the plan says so."""
        body = dict(post["body"])
        if post.get("link_to"):
            opp_id = self.state.section("opportunities")[post["link_to"]]["id"]
            body["link"] = {"kind": "opportunity", "id": opp_id}
        await self._ensure_item(
            org, "posts", post["key"], f"/orgs/{self.org_id(org.key)}/posts", "/posts/", body
        )

    # ---- phase 3: the social graph ----------------------------------------------------------

    async def ensure_social(self, person: PersonPlan) -> None:
        """The volunteer's follows (organizations, people) and causes."""
        key, done = person.key, self.state.done("social")
        if key in done:
            return
        for org in self.plan.org_follows[key]:
            await self.must(key, "PUT", f"/orgs/{self.org_id(org)}/follow", {})
        people = self.state.section("people")
        for other in self.plan.user_follows[key]:
            await self.must(key, "PUT", f"/users/{people[other]['user_id']}/follow")
        for cause in self.plan.causes[key]:
            await self.must(key, "PUT", f"/causes/{cause}/membership")
        self.counts.add("org follows", len(self.plan.org_follows[key]))
        self.counts.add("people follows", len(self.plan.user_follows[key]))
        self.counts.add("cause memberships", len(self.plan.causes[key]))
        self.state.mark("social", key)

    async def verify_social(self) -> None:
        """Each organization's follower count must be at least what the plan gave it; when
        not, its followers' follows are done again (PUT is idempotent)."""
        expected: dict[str, int] = {}
        for followed in self.plan.org_follows.values():
            for org_key in followed:
                expected[org_key] = expected.get(org_key, 0) + 1
        redo: set[str] = set()
        for org in self.plan.orgs:
            page = await self.must(None, "GET", f"/orgs/{self.org_id(org.key)}")
            if _followers(page) < expected.get(org.key, 0):
                redo |= {k for k, orgs in self.plan.org_follows.items() if org.key in orgs}
        self.state.forget("social", redo)

    # ---- phase 4: volunteering --------------------------------------------------------------

    async def ensure_applications(self, apps: list[ApplicationPlan]) -> None:
        """One opportunity's applications: all applied, then the accepted ones accepted, then
        the rest decided (a waiting list only forms once the places are taken)."""
        await asyncio.gather(*(self._apply(app) for app in apps))
        first = [a for a in apps if a.final in ("accepted", "cancelled")]
        await asyncio.gather(*(self.ensure_application(app) for app in first))
        rest = [a for a in apps if a.final not in ("accepted", "cancelled")]
        await asyncio.gather(*(self.ensure_application(app) for app in rest))

    async def _apply(self, app: ApplicationPlan) -> None:
        if app.key in self.state.section("applications"):
            return
        opp = self.state.section("opportunities")[app.opportunity]
        body: dict[str, Any] = {"message": "I would love to help."}
        if len(opp["slots"]) > 1:
            body["slot_id"] = opp["slots"][0]
        if app.answer and opp["questions"]:
            body["answers"] = [{"question_id": opp["questions"][0], "text": "I care about this."}]
        answer = await self.eventually(
            app.volunteer, "POST", f"/opportunities/{opp['id']}/applications", body
        )
        made = answer.body if answer.ok() else None
        if made is None and answer.status == 409 and "already-applied" in str(answer.body):
            # Applied in a run that stopped before its state file was saved.
            made = await self._my_application(app.volunteer, opp["id"])
        if made is None:
            raise DemoError(f"applying {app.key}: {answer.status} {answer.body}")
        self.state.section("applications")[app.key] = {"id": made["id"], "status": made["status"]}
        if answer.ok():
            self.counts.add("applications")

    async def _my_application(self, volunteer: str, opportunity_id: str) -> Any:
        """The volunteer's application to that opportunity (None: none found)."""
        cursor: str | None = None
        while True:
            query = "/applications?limit=100" + (f"&cursor={cursor}" if cursor else "")
            page = await self.must(volunteer, "GET", query)
            for item in page["items"]:
                if item["opportunity_id"] == opportunity_id:
                    return item
            cursor = page.get("next_cursor")
            if not cursor:
                return None

    async def ensure_application(self, app: ApplicationPlan) -> None:
        """Take an application to its planned state (accept, waitlist, decline, withdraw…)."""
        known = self.state.section("applications")
        record = known.get(app.key)
        if record and record.get("status") == app.final:
            return
        if not record:
            await self._apply(app)
            record = known[app.key]
        org = self._orgs[app.org]
        await self._decide(org, app, record)
        self.state.save_soon()

    async def _decide(self, org: OrgPlan, app: ApplicationPlan, record: dict[str, Any]) -> None:
        path = f"/applications/{record['id']}"
        plans: dict[str, list[tuple[str, str, dict[str, str] | None]]] = {
            "accepted": [(org.admin, "accept", None)],
            "waitlisted": [(org.admin, "waitlist", None)],
            "declined": [
                (
                    org.admin,
                    "decline",
                    {"reason": "not_a_fit", "text": "Thank you: we have enough help."},
                )
            ],
            "withdrawn": [(app.volunteer, "withdraw", None)],
            "cancelled": [
                (org.admin, "accept", None),
                (org.admin, "cancel", {"reason": "other", "text": "The session was moved: sorry."}),
            ],
            "pending": [],
        }
        for who, action, body in plans[app.final]:
            if record["status"] == app.final:
                return
            if record["status"] != ("accepted" if action == "cancel" else "pending"):
                continue  # it moved on its own since (promoted, expired): leave it so
            changed = await self.must(who, "POST", f"{path}/{action}", body)
            record["status"] = changed["status"]
            self.counts.add(f"applications {changed['status']}")

    async def verify_applications(self) -> None:
        """Each organization's list of applications (its admin's view) against the state."""
        known = self.state.section("applications")
        by_id = {rec["id"]: key for key, rec in known.items()}
        seen: dict[str, str] = {}
        for org in self.plan.orgs:
            cursor = ""
            while True:
                query = f"?limit=100{cursor and '&cursor=' + cursor}"
                page = await self.must(
                    org.admin, "GET", f"/orgs/{self.org_id(org.key)}/applications{query}"
                )
                for item in page["items"]:
                    seen[item["id"]] = item["status"]
                cursor = page.get("next_cursor") or ""
                if not cursor:
                    break
        for app_id, key in by_id.items():
            if app_id not in seen:
                del known[key]
            else:
                known[key]["status"] = seen[app_id]

    async def ensure_engagement(self, person: PersonPlan) -> None:
        """The volunteer's RSVPs to events and reviews of organizations."""
        key = person.key
        if key in self.state.done("engagement"):
            return
        events = self.state.section("events")
        for event, answer in self.plan.rsvps[key]:
            await self.must(key, "PUT", f"/events/{events[event]}/rsvp", {"answer": answer})
        for org, stars, text in self.plan.reviews[key]:
            await self.must(
                key, "POST", f"/orgs/{self.org_id(org)}/reviews", {"stars": stars, "text": text}
            )
        self.counts.add("rsvps", len(self.plan.rsvps[key]))
        self.counts.add("reviews", len(self.plan.reviews[key]))
        self.state.mark("engagement", key)


async def lost_people(net: Net, state: State) -> int:
    """How many people of the state file the sandbox no longer knows (it keeps nothing across
    a restart: they can never log in again)."""
    people = state.section("people")
    if not people:
        return 0
    known = await net.test_user_ids()
    return sum(1 for record in people.values() if record.get("fb_id") not in known)


async def catalogue(net: Net) -> list[str]:
    """The cause catalogue's slugs: orgs keeps the catalogue itself (no API creates causes)."""
    answer = await net.api(None, ADDRESSES[0], "GET", "/causes")
    if not answer.ok():
        raise DemoError(f"GET /causes: {answer.status} {answer.body}")
    slugs: list[str] = []
    for cause in answer.body["items"]:
        slugs.append(cause["slug"])
        slugs += [child["slug"] for child in cause.get("children", [])]
    if not slugs:
        raise DemoError("GET /causes answered an empty catalogue")
    return slugs


def _followers(page: dict[str, Any]) -> int:
    """An organization page's follower count, wherever the page keeps it."""
    for name in ("followers_count", "follower_count", "followers"):
        value = page.get(name)
        if isinstance(value, int):
            return value
    counts = page.get("counts") or {}
    value = counts.get("followers", 0) if isinstance(counts, dict) else 0
    return int(value)
