"""``make demo``: fill a running stack with demo data a person can explore, through the
gateway's public API and the Facebook sandbox's test-user API only.

    uv run --frozen python deploy/demo/jumo_demo.py [--orgs 50 --volunteers 2000]
    uv run --frozen python deploy/demo/jumo_demo.py token admin-00     # an access token
    uv run --frozen python deploy/demo/jumo_demo.py token volunteer-0001

Idempotent: a second run finds everything in the state file (checked against the API) and
makes nothing. The stack's URLs and the sandbox's app come from the environment
(``deploy/local/stack.env``). For a program: ``demo_tokens(n)`` logs the first ``n`` demo
volunteers in (the normal Facebook login) and returns their access tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from demo_data import ApplicationPlan, make_plan  # noqa: E402
from demo_http import ADDRESSES, DemoError, Endpoints, Limits, Login, Net  # noqa: E402
from demo_run import Demo, catalogue, lost_people  # noqa: E402
from demo_state import State  # noqa: E402

FULL = {"orgs": 50, "volunteers": 2000}
SMALL = {"orgs": 3, "volunteers": 30}


def default_state_path(env: Mapping[str, str]) -> Path:
    """The stack's run folder keeps the demo's state beside its data (make clean drops both)."""
    run_dir = env.get("JUMO_RUN_DIR") or str(HERE.parent / "local" / "run")
    return Path(run_dir) / "demo" / "state.json"


def endpoints(env: Mapping[str, str]) -> Endpoints:
    """The gateway and the sandbox of the stack in ``env``."""
    missing = [
        name
        for name in ("GATEWAY_URL", "FACEBOOK_GRAPH_URL", "FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET")
        if not env.get(name)
    ]
    if missing:
        raise DemoError(
            f"{', '.join(missing)} not set: source the stack's environment first "
            "(set -a; . deploy/local/stack.env; set +a), or run make demo"
        )
    return Endpoints(
        env["GATEWAY_URL"].rstrip("/"),
        env["FACEBOOK_GRAPH_URL"].rstrip("/"),
        env["FACEBOOK_APP_ID"],
        env["FACEBOOK_APP_SECRET"],
    )


async def run(args: argparse.Namespace) -> int:
    """Make (or find) everything, phase by phase; print the logins."""
    env = os.environ
    started = time.monotonic()
    where = endpoints(env)
    state = State.load(Path(args.state), where.app_id, where.gateway)
    net = Net(where, Limits.from_env(env), in_flight=args.concurrency)
    try:
        lost = await lost_people(net, state)
        if lost:
            print(
                f"demo: the Facebook sandbox forgot {lost} of the demo's people (it keeps "
                "nothing across a restart), so they can never log in again: making a new "
                f"population (generation {state.generation + 1}); the old state is kept as "
                f"{state.path.name}.generation-{state.generation}",
                file=sys.stderr,
            )
            state = state.start_over()
        causes = await catalogue(net)
        plan = make_plan(args.orgs, args.volunteers, causes, args.seed, state.generation)
        demo = Demo(net, state, plan, args.identity_database, causes=causes)
        await demo.phase("staff sign up", [plan.moderator, *plan.admins], demo.ensure_person)
        await demo.ensure_moderator()
        await demo.phase("organizations", plan.orgs, demo.ensure_org)
        await demo.phase("volunteers sign up", plan.volunteers, demo.ensure_person)
        await demo.phase("profiles", plan.volunteers, demo.ensure_profile)
        # Each opportunity rewrites ~40 rows of orgs' search index: 8 organizations at a time.
        await demo.phase("listings", plan.orgs, demo.ensure_listing, at_once=8)
        await demo.verify_social()
        await demo.phase("follows and causes", plan.volunteers, demo.ensure_social)
        fresh = [(o, p) for o in plan.orgs for p in o.posts if p["fresh"]]
        await demo.phase("fresh news", fresh, lambda op: demo.ensure_post(*op))
        await demo.verify_applications()
        by_opportunity: dict[str, list[ApplicationPlan]] = {}
        for app in plan.applications:
            by_opportunity.setdefault(app.opportunity, []).append(app)
        await demo.phase("applications", by_opportunity.values(), demo.ensure_applications)
        await demo.phase("rsvps and reviews", plan.volunteers, demo.ensure_engagement)
    finally:
        state.save()
        await net.close()
    elapsed = time.monotonic() - started
    made = ", ".join(f"{n} {what}" for what, n in sorted(demo.counts.made.items())) or "nothing"
    print(f"demo: {elapsed:.1f}s, {net.requests} requests; created: {made}")
    print(f"demo: created {demo.counts.total()} things")
    print_logins(demo, Path(args.state))
    return 0


def print_logins(demo: Demo, state_path: Path) -> None:
    """How a person logs in as a demo volunteer and a demo admin."""
    people = demo.state.section("people")
    org = demo.plan.orgs[0]
    volunteer = demo.plan.volunteers[0]
    script = "uv run --frozen python deploy/demo/jumo_demo.py"
    state = f" --state {state_path}" if state_path != default_state_path(os.environ) else ""
    gateway = demo.net.endpoints.gateway
    for role, key, about in (
        ("volunteer", volunteer.key, f"{volunteer.name}, {volunteer.city.name}"),
        (
            "admin",
            org.admin,
            f"{demo.person(org.admin).name}, owner of {org.body['name']} "
            f"({gateway}/orgs/{org.slug})",
        ),
        ("moderator", demo.plan.moderator.key, demo.plan.moderator.name),
    ):
        record = people[key]
        print(f"demo {role}: {about}")
        print(f"  in a browser: open {record['login_url']}")
        print(f'    then {gateway}/auth/facebook/login (or pick "{record["name"]}" on the')
        print("    sandbox's login page); the callback answers your tokens")
        print(f"  token: {script} token {key}{state}")


async def demo_tokens(
    n: int, *, env: Mapping[str, str] | None = None, state_path: Path | None = None
) -> list[tuple[str, Login]]:
    """The first ``n`` demo volunteers logged in through Facebook: (user id, Jumo login).

    For programs (the whole-platform benchmark): each login is the normal flow, from the
    volunteer's own loopback address, within the gateway's login limit.
    """
    env = os.environ if env is None else env
    where = endpoints(env)
    state = State.load(state_path or default_state_path(env), where.app_id, where.gateway)
    people = state.section("people")
    keys = sorted(k for k, r in people.items() if k.startswith("volunteer-") and r.get("user_id"))
    keys = keys[:n]
    if len(keys) < n:
        raise DemoError(f"the demo has {len(keys)} volunteers, fewer than {n}: run make demo")
    net = Net(where, Limits.from_env(env))
    try:

        async def one(i: int, key: str) -> tuple[str, Login]:
            address = ADDRESSES[i % len(ADDRESSES)]
            return people[key]["user_id"], await net.facebook_login(
                people[key]["login_url"], address
            )

        return list(await asyncio.gather(*(one(i, k) for i, k in enumerate(keys))))
    finally:
        await net.close()


async def token(args: argparse.Namespace) -> int:
    """Print a fresh access token of one demo person (``admin-00``, ``volunteer-0001``…)."""
    where = endpoints(os.environ)
    state = State.load(Path(args.state), where.app_id, where.gateway)
    record = state.section("people").get(args.key)
    if record is None:
        known = ", ".join(sorted(state.section("people"))[:3])
        raise DemoError(f"no demo person {args.key!r} in {args.state} (e.g. {known}…)")
    net = Net(where, Limits.from_env(os.environ))
    try:
        login = await net.facebook_login(record["login_url"], ADDRESSES[0])
    finally:
        await net.close()
    print(login.access_token)
    return 0


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=["run", "token"])
    parser.add_argument("key", nargs="?", help="token: the demo person (admin-00, volunteer-0001)")
    parser.add_argument(
        "--scale",
        choices=["full", "small"],
        default="full",
        help="full: 50 organizations, 2,000 volunteers; small: 3 and 30",
    )
    parser.add_argument("--orgs", type=int, help="organizations (6 opportunities, 2 events each)")
    parser.add_argument("--volunteers", type=int)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--state", default=str(default_state_path(os.environ)))
    parser.add_argument(
        "--identity-database",
        default=os.environ.get("IDENTITY_MONGO_DATABASE", "jumo_identity"),
        help="identity's database, for the operator's moderator grant",
    )
    args = parser.parse_args(argv)
    size = FULL if args.scale == "full" else SMALL
    args.orgs = args.orgs or size["orgs"]
    args.volunteers = args.volunteers or size["volunteers"]
    if args.command == "token" and not args.key:
        parser.error("token needs the demo person's key, e.g. admin-00")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the command; a DemoError is one line on stderr and exit status 1."""
    args = parse(argv)
    try:
        return asyncio.run(token(args) if args.command == "token" else run(args))
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
