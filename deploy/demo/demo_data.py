"""The demo's people, organizations and what they do, made from small tables of our own and one
seeded random generator: the same sizes and seed always give the same plan, key for key.

No realistic-data library: names per country, real city coordinates and organization names
are short tables here (a few hundred lines at most), which keeps the demo deterministic across
library versions and adds no dependency to the workspace.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from demo_tables import (
    AVAILABILITY,
    BIOS,
    CITIES,
    EVENT_KINDS,
    FIRST_NAMES,
    LANGUAGES,
    LAST_NAMES,
    OPPORTUNITY_KINDS,
    ORG_KINDS,
    POST_TITLES,
    REVIEW_TEXTS,
    SKILLS,
    City,
)


@dataclass
class PersonPlan:
    """One demo person: a Facebook test user who signs up with Jumo."""

    key: str
    name: str
    city: City
    address: str = ""
    profile: dict[str, Any] = field(default_factory=dict)
    share_joins: bool = False


@dataclass
class OrgPlan:
    """One organization, its owner (an admin person) and what it publishes."""

    key: str
    slug: str
    admin: str
    body: dict[str, Any]
    city: City
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ApplicationPlan:
    """A volunteer's application to an opportunity, and the state it ends in."""

    key: str
    volunteer: str
    opportunity: str
    org: str
    final: str
    answer: bool


@dataclass
class Plan:
    """Everything the demo makes, keyed by natural demo keys."""

    moderator: PersonPlan
    admins: list[PersonPlan]
    volunteers: list[PersonPlan]
    orgs: list[OrgPlan]
    org_follows: dict[str, list[str]]  # volunteer -> org keys
    user_follows: dict[str, list[str]]  # volunteer -> volunteer keys
    causes: dict[str, list[str]]  # volunteer -> cause slugs
    applications: list[ApplicationPlan]
    rsvps: dict[str, list[tuple[str, str]]]  # volunteer -> (event key, answer)
    reviews: dict[str, list[tuple[str, int, str]]]  # volunteer -> (org key, stars, text)

    def people(self) -> list[PersonPlan]:
        """Everyone, staff first."""
        return [self.moderator, *self.admins, *self.volunteers]


def _name(rng: random.Random, city: City) -> str:
    return f"{rng.choice(FIRST_NAMES[city.lang])} {rng.choice(LAST_NAMES[city.lang])}"


def _near(rng: random.Random, city: City) -> tuple[float, float]:
    """A point within ~10 km of the city centre."""
    return round(city.lat + rng.uniform(-0.08, 0.08), 2), round(
        city.lng + rng.uniform(-0.1, 0.1), 2
    )


def _volunteer(rng: random.Random, n: int, causes: list[str]) -> PersonPlan:
    city = rng.choices(
        CITIES, weights=[5 if c.name in ("Paris", "London", "New York") else 2 for c in CITIES]
    )[0]
    lat, lng = _near(rng, city)
    parts = sorted(rng.sample(AVAILABILITY, rng.randint(1, 3)), key=AVAILABILITY.index)
    visibility = rng.choices(["public", "followers", "private"], weights=[90, 7, 3])[0]
    profile = {
        "bio": rng.choice(BIOS),
        "skills": rng.sample(SKILLS, rng.randint(1, 5)),
        "interests": rng.sample(causes, rng.randint(1, 4)),
        "languages": sorted({LANGUAGES[city.lang], "en"}),
        "location": {"city": city.name, "lat": lat, "lng": lng},
        "availability": {"parts": parts, "hours_per_month": rng.choice([4, 8, 10, 16, 20, 30])},
        "visibility": visibility,
        "findable": rng.random() < 0.6,
        "radius_km": rng.choice([10, 25, 25, 50, 100]),
    }
    return PersonPlan(
        f"volunteer-{n:04d}",
        _name(rng, city),
        city,
        profile=profile,
        share_joins=rng.random() < 0.03,
    )


def _org(rng: random.Random, n: int, admin: str, generation: int) -> OrgPlan:
    pattern, causes, mission, size = ORG_KINDS[n % len(ORG_KINDS)]
    city = CITIES[(n * 7 + n // len(ORG_KINDS)) % len(CITIES)]
    name = pattern.format(city=city.name)
    base = "".join(c if c.isalnum() else "-" for c in _ascii(name).lower()).strip("-")
    base = "-".join(part for part in base.split("-") if part)
    # A later population (the sandbox forgot the earlier one) cannot take the earlier slugs.
    slug = f"demo-{base}" if generation == 1 else f"demo{generation}-{base}"
    lat, lng = _near(rng, city)
    body: dict[str, Any] = {
        "name": name,
        "slug": slug[:60].rstrip("-"),
        "mission": mission.format(city=city.name),
        "description": (
            f"{name} was founded by neighbours who wanted to do something together. "
            f"{mission.format(city=city.name)} Everything we do is run by volunteers, "
            "and there is a place for every skill and every schedule."
        ),
        "website": f"https://{base}.example.org",
        "hq": {"city": city.name, "country": city.country, "lat": lat, "lng": lng},
        "areas_served": [city.country],
        "causes": causes,
        "size": size,
        "contact_email": f"hello@{base}.example.org",
        "languages": sorted({LANGUAGES[city.lang], "en"}),
    }
    registration = _registration(rng, city.country)
    if registration:
        body["registration"] = registration
    return OrgPlan(f"org-{n:02d}", body["slug"], admin, body, city)


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _registration(rng: random.Random, country: str) -> dict[str, str] | None:
    if country == "US":
        number = f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"
        return {"country": "US", "kind": "us-ein", "number": number}
    if country == "GB":
        return {"country": "GB", "kind": "uk-charity", "number": str(rng.randint(1000000, 1199999))}
    if country == "FR":
        return {
            "country": "FR",
            "kind": "fr-rna",
            "number": f"W{rng.randint(100000000, 999999999)}",
        }
    return None


def _opportunity(rng: random.Random, org: OrgPlan, n: int, when: datetime) -> dict[str, Any]:
    title, skills, description = OPPORTUNITY_KINDS[(n + len(org.key)) % len(OPPORTUNITY_KINDS)]
    full = n % 5 == 0  # a small one that fills up: its later applicants wait
    places = 2 if full else rng.choice([5, 8, 10, 15, 20, 40])
    kind = rng.choice(["one_off", "recurring", "ongoing"])
    start = (when + timedelta(days=rng.randint(7, 60))).replace(minute=0, second=0, microsecond=0)
    commitment: dict[str, Any]
    if kind == "one_off":
        commitment = {
            "kind": "one_off",
            "slots": [
                {
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=3)).isoformat(),
                    "places": places,
                }
            ],
        }
    elif kind == "recurring":
        commitment = {
            "kind": "recurring",
            "days": sorted(rng.sample(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], 2)),
            "start_time": "18:00:00",
            "end_time": "20:00:00",
            "hours_per_session": 2,
            "starts_on": start.date().isoformat(),
            "ends_on": (start + timedelta(days=180)).date().isoformat(),
            "places": places,
        }
    else:
        commitment = {"kind": "ongoing", "places": places}
    remote = "web-development" in skills or "data-analysis" in skills
    body: dict[str, Any] = {
        "title": title.format(org=org.body["name"])[:150],
        "description": description,
        "causes": org.body["causes"][:2],
        "skills_wanted": skills,
        "skills_required": skills[:1] if n % 3 == 0 else [],
        "commitment": commitment,
        "time_zone": org.city.zone,
        "remote": remote,
        "publish": True,
    }
    if not remote or n % 2:
        body["place"] = {
            "city": org.city.name,
            "country": org.city.country,
            "lat": org.body["hq"]["lat"],
            "lng": org.body["hq"]["lng"],
        }
    if n % 3 == 1:
        body["questions"] = [
            {"text": "Why would you like to volunteer with us?", "required": False}
        ]
    return {"key": f"{org.key}-opp-{n}", "body": body, "places": places, "full": full}


def _event(rng: random.Random, org: OrgPlan, n: int, when: datetime) -> dict[str, Any]:
    start = (when + timedelta(days=rng.randint(3, 45))).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    title = EVENT_KINDS[(n + len(org.slug)) % len(EVENT_KINDS)]
    body = {
        "title": title,
        "description": f"{title} with {org.body['name']}: come and meet the team.",
        "starts_at": start.replace(tzinfo=None).isoformat(),
        "ends_at": (start + timedelta(hours=2)).replace(tzinfo=None).isoformat(),
        "time_zone": org.city.zone,
        "place": {
            "address": f"{rng.randint(1, 120)} Main Street",
            "city": org.city.name,
            "lat": org.body["hq"]["lat"],
            "lng": org.body["hq"]["lng"],
        },
        "capacity": rng.choice([20, 30, 50, 100]),
    }
    return {"key": f"{org.key}-event-{n}", "body": body}


def _posts(rng: random.Random, org: OrgPlan, count: int) -> list[dict[str, Any]]:
    posts = []
    for n in range(count):
        title = POST_TITLES[(n + len(org.slug)) % len(POST_TITLES)]
        body = (
            f"{title}. Here is what has been happening at {org.body['name']}: "
            f"{org.body['mission']} Thank you to everyone who gave their time."
        )
        post: dict[str, Any] = {
            "key": f"{org.key}-post-{n}",
            "body": {"title": title, "body": body},
        }
        post["fresh"] = n % 2 == 1  # published after people follow: it fans out
        post["link_to"] = org.opportunities[n % len(org.opportunities)]["key"] if n == 0 else None
        posts.append(post)
    return posts


def followers_wanted(rank: int, volunteers: int) -> int:
    """A power law: the first few organizations have (nearly) everyone, most have tens."""
    if rank < 4:
        wanted = 0.97 * volunteers * (rank + 1) ** -0.8
    else:
        wanted = 0.97 * volunteers * 4**-0.8 * ((rank + 1) / 4) ** -1.5
    return int(max(min(volunteers, 3), min(volunteers, round(wanted))))


def _weighted_sample(
    rng: random.Random, keys: list[str], weights: list[float], k: int
) -> list[str]:
    """``k`` distinct keys, drawn with the given weights."""
    chosen: dict[str, None] = {}
    while len(chosen) < min(k, len(keys)):
        chosen[rng.choices(keys, weights=weights)[0]] = None
    return list(chosen)


def make_plan(
    orgs: int, volunteers: int, causes: list[str], seed: int = 12, generation: int = 1
) -> Plan:
    """The whole demo for ``orgs`` organizations and ``volunteers`` people."""
    rng = random.Random(seed)
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    moderator = PersonPlan("moderator", "Morgan Moderator", CITIES[0])
    admins = [
        PersonPlan(f"admin-{n:02d}", _name(rng, CITIES[n % len(CITIES)]), CITIES[n % len(CITIES)])
        for n in range(orgs)
    ]
    people = [_volunteer(rng, n, causes) for n in range(volunteers)]
    org_plans = [_org(rng, n, admins[n].key, generation) for n in range(orgs)]
    for n, org in enumerate(org_plans):
        # 300 opportunities and 100 events for 50 organizations: 6 and 2 each.
        org.opportunities = [_opportunity(rng, org, k, today) for k in range(6)]
        org.events = [_event(rng, org, k, today) for k in range(2)]
        org.posts = _posts(rng, org, 2 + (n % 5))
    keys = [p.key for p in people]
    org_follows: dict[str, list[str]] = {k: [] for k in keys}
    for rank, org in enumerate(org_plans):
        for volunteer in rng.sample(keys, followers_wanted(rank, volunteers)):
            org_follows[volunteer].append(org.key)
    popularity = [1.0 / (i + 1) ** 1.1 for i in range(len(keys))]
    user_follows = {}
    for i, key in enumerate(keys):
        others = keys[:i] + keys[i + 1 :]
        weights = popularity[:i] + popularity[i + 1 :]
        k = min(len(others), int(rng.paretovariate(2.0)))
        user_follows[key] = _weighted_sample(rng, others, weights, k) if others else []
    joined = {
        p.key: rng.sample(
            p.profile["interests"], min(len(p.profile["interests"]), rng.choice([0, 0, 1, 1, 2]))
        )
        for p in people
    }
    applications = _applications(rng, org_plans, keys)
    rsvps: dict[str, list[tuple[str, str]]] = {k: [] for k in keys}
    for org in org_plans:
        for event in org.events:
            for volunteer in rng.sample(keys, min(len(keys), rng.randint(2, 6))):
                rsvps[volunteer].append((event["key"], rng.choice(["going", "going", "maybe"])))
    reviews: dict[str, list[tuple[str, int, str]]] = {k: [] for k in keys}
    for rank, org in enumerate(org_plans):
        count = max(1, followers_wanted(rank, volunteers) // 15)
        for volunteer in rng.sample(keys, min(len(keys), count)):
            stars = rng.choices([5, 4, 3, 2, 1], weights=[45, 30, 13, 7, 5])[0]
            reviews[volunteer].append((org.key, stars, rng.choice(REVIEW_TEXTS)))
    return Plan(
        moderator,
        admins,
        people,
        org_plans,
        org_follows,
        user_follows,
        joined,
        applications,
        rsvps,
        reviews,
    )


def _applications(
    rng: random.Random, orgs: list[OrgPlan], keys: list[str]
) -> list[ApplicationPlan]:
    """Five applications per opportunity on average, in every state the API can reach: pending,
    accepted, declined, withdrawn and cancelled; waitlisted where the opportunity is full."""
    plans = []
    for org in orgs:
        for opp in org.opportunities:
            count = min(len(keys), rng.randint(2, 5) if not opp["full"] else 5)
            applicants = rng.sample(keys, count)
            if opp["full"]:
                finals = ["accepted", "accepted", "waitlisted", "waitlisted", "pending"]
            else:
                finals = rng.choices(
                    ["pending", "accepted", "declined", "withdrawn", "cancelled"],
                    weights=[35, 35, 12, 10, 8],
                    k=count,
                )
                accepted = [i for i, f in enumerate(finals) if f in ("accepted", "cancelled")]
                for i in accepted[opp["places"] :]:
                    finals[i] = "pending"
            for volunteer, final in zip(applicants, finals, strict=False):
                key = f"{opp['key']}-{volunteer}"
                answer = "questions" in opp["body"]
                plans.append(ApplicationPlan(key, volunteer, opp["key"], org.key, final, answer))
    return plans
