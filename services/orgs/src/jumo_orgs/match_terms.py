"""The score of one person for one opportunity, term by term, each with the sentence that says
why. No I/O: the use cases (``matching``) read the inputs, these rules weigh them.

Each term earns ``points = weight x strength`` (strength between 0 and 1); a term that earns
nothing is left out, so what a person reads is only what counted. The total is their sum.

- skills (4): the opportunity's skills the person has, a required one counting twice a wanted
  one (strength = matched / all, so weighted); "matches 3 of your skills (1 required)";
- causes (2): one of its causes (or its cause's family) is one the person joined, or among
  their interests; "in a cause you care about: Climate";
- followed (1.5): its organization is one the person follows; "from an organization you follow";
- distance (2): on-site, ``1 - km / radius`` within the person's radius (beyond it: no match at
  all); remote: 0.75; "4 km" | "remote";
- availability (2): it takes a part of the week the person gave (ongoing: whenever suits
  them); "weekend mornings";
- freshness (1): ``1 - age / 30 days`` since it was published; "published 3 days ago";
- responsiveness (1): its organization's median time to answer an application, full within
  2 days, nothing at 14; "answers applications in 2 days".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jumo_orgs import catalogue, geo
from jumo_orgs.opportunity_availability import fits, parts_of
from jumo_orgs.opportunity_fields import skill_tag

WEIGHTS = {"skills": 4.0, "causes": 2.0, "followed": 1.5, "distance": 2.0, "availability": 2.0,
           "freshness": 1.0, "responsiveness": 1.0}  # fmt: skip
REQUIRED_COUNTS = 2  # a required skill counts as much as two wanted ones
REMOTE_STRENGTH = 0.75
FRESH_DAYS = 30
QUICK_HOURS, SLOW_HOURS = 48.0, 14 * 24.0
PART_WORDS = {"weekday": "weekday", "weekend": "weekend"}


@dataclass(frozen=True)
class Seeker:
    """What matching knows of a person: their profile's parts that match, and (for their own
    recommendations) the causes they joined and the organizations they follow."""

    id: str
    skills: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    point: tuple[float, float] | None = None
    radius_km: float = 25.0
    parts: tuple[str, ...] = ()
    causes: frozenset[str] = frozenset()
    follows: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Term:
    """One reason: its name, weight, measured value, points earned, and the sentence."""

    name: str
    weight: float
    value: Any
    points: float
    sentence: str


@dataclass(frozen=True)
class Match:
    """A scored pair: the terms that counted and their total."""

    terms: tuple[Term, ...] = field(default_factory=tuple)
    km: float | None = None

    @property
    def score(self) -> float:
        """The total of the terms' points."""
        return round(sum(t.points for t in self.terms), 3)


def folded_skills(raw: Iterable[str]) -> frozenset[str]:
    """A profile's skills as opportunities' tags (identity's tags are not accent-folded)."""
    out: set[str] = set()
    for skill in raw:
        try:
            out.add(skill_tag(skill))
        except ValueError:
            continue  # a tag opportunities cannot hold matches none of them
    return frozenset(out)


def seeker_of(profile: dict[str, Any], *, causes: Iterable[str] = (),
              follows: Iterable[str] = ()) -> Seeker:  # fmt: skip
    """The seeker of a projected profile (``people``' document or a candidate row)."""
    place = profile.get("place") or {}
    lat, lng = place.get("lat"), place.get("lng")
    return Seeker(
        id=profile["_id"], skills=folded_skills(profile.get("skills") or ()),
        interests=frozenset(profile.get("interests") or ()),
        point=(lat, lng) if lat is not None and lng is not None else None,
        radius_km=float(profile.get("radius_km") or 25),
        parts=tuple((profile.get("availability") or {}).get("parts") or ()),
        causes=frozenset(causes), follows=frozenset(follows),
    )  # fmt: skip


def _term(name: str, strength: float, value: Any, sentence: str) -> Term | None:
    points = round(WEIGHTS[name] * max(0.0, min(1.0, strength)), 3)
    return Term(name, WEIGHTS[name], value, points, sentence) if points > 0 else None


def skills_term(seeker: Seeker, offer: dict[str, Any]) -> Term | None:
    """Skills overlap, required ones counting more."""
    required = set(offer["skills_required"])
    wanted = set(offer["skills"]) - required
    whole = REQUIRED_COUNTS * len(required) + len(wanted)
    got_required, got_wanted = required & seeker.skills, wanted & seeker.skills
    if not whole or not (got_required or got_wanted):
        return None
    matched = len(got_required) + len(got_wanted)
    strength = (REQUIRED_COUNTS * len(got_required) + len(got_wanted)) / whole
    extra = f" ({len(got_required)} required)" if got_required else ""
    value = sorted(got_required | got_wanted)
    return _term("skills", strength, value, f"matches {matched} of your skills{extra}")


def _families(cause: str) -> set[str]:
    found = catalogue.cause(cause)
    return {cause, found.parent} if found is not None and found.parent else {cause}


def causes_term(seeker: Seeker, offer: dict[str, Any]) -> Term | None:
    """One of its causes is one the person joined or is interested in."""
    cared = seeker.causes | seeker.interests
    matched = [c for c in offer["causes"] if _families(c) & cared]
    if not matched:
        return None
    found = catalogue.cause(matched[0])
    name = found.name if found is not None else matched[0]
    how = "you joined" if any(_families(c) & seeker.causes for c in matched) else "you care about"
    return _term("causes", 1.0, matched, f"in a cause {how}: {name}")


def followed_term(seeker: Seeker, offer: dict[str, Any]) -> Term | None:
    """Its organization is one the person follows."""
    if offer["org_id"] not in seeker.follows:
        return None
    return _term("followed", 1.0, True, "from an organization you follow")


def distance_km(seeker: Seeker, offer: dict[str, Any]) -> float | None:
    """How far the person is from its place (None: either has no point)."""
    if seeker.point is None or offer.get("lat") is None or offer.get("lng") is None:
        return None
    return geo.distance_km(*seeker.point, offer["lat"], offer["lng"])


def within_reach(seeker: Seeker, offer: dict[str, Any]) -> bool:
    """Remote, or on-site within the person's radius (a person without a point: anywhere)."""
    km = distance_km(seeker, offer)
    return bool(offer["remote"]) or km is None or km <= seeker.radius_km


def distance_term(seeker: Seeker, offer: dict[str, Any], km: float | None) -> Term | None:
    """Closer earns more; remote earns a fixed share."""
    if km is not None and km <= seeker.radius_km:
        words = "under 1 km" if km < 1 else f"{km:.0f} km"
        return _term("distance", 1 - km / seeker.radius_km, round(km, 1), words)
    if offer["remote"]:
        return _term("distance", REMOTE_STRENGTH, 0, "remote")
    return None


def part_words(part: str) -> str:
    """``weekend_mornings`` → ``weekend mornings``."""
    return part.replace("_", " ")


def availability_term(seeker: Seeker, offer: dict[str, Any]) -> Term | None:
    """It takes a part of the week the person gave."""
    taken = parts_of(offer)
    fit = fits(taken, seeker.parts)
    if not fit:
        return None
    words = "whenever suits you" if taken is None else ", ".join(map(part_words, fit))
    return _term("availability", 1.0, fit, words)


def freshness_term(offer: dict[str, Any], now: datetime) -> Term | None:
    """Newly published earns more."""
    if not offer.get("published_at"):
        return None
    days = max(0.0, (now - datetime.fromisoformat(offer["published_at"])).total_seconds() / 86400)
    whole = int(days)
    words = "published today" if whole == 0 else f"published {whole} day{'s' * (whole > 1)} ago"
    return _term("freshness", 1 - days / FRESH_DAYS, whole, words)


def answer_words(hours: float) -> str:
    """``answers applications in 2 days`` (or hours, under a day)."""
    if hours < 24:
        whole = max(1, round(hours))
        return f"answers applications in {whole} hour{'s' * (whole > 1)}"
    days = round(hours / 24)
    return f"answers applications in {days} day{'s' * (days > 1)}"


def responsiveness_term(median_hours: float | None) -> Term | None:
    """A quick organization earns more."""
    if median_hours is None:
        return None
    strength = 1.0 if median_hours <= QUICK_HOURS else (
        1 - (median_hours - QUICK_HOURS) / (SLOW_HOURS - QUICK_HOURS))  # fmt: skip
    return _term("responsiveness", strength, round(median_hours, 1), answer_words(median_hours))


def match(
    seeker: Seeker, offer: dict[str, Any], now: datetime | None = None,
    median_answer_hours: float | None = None,
) -> Match | None:  # fmt: skip
    """The terms of a pair; None when the opportunity is out of the person's reach.
    ``now`` None leaves freshness out (the organization's side: one opportunity)."""
    if not within_reach(seeker, offer):
        return None
    km = distance_km(seeker, offer)
    terms = (
        skills_term(seeker, offer), causes_term(seeker, offer), followed_term(seeker, offer),
        distance_term(seeker, offer, km), availability_term(seeker, offer),
        freshness_term(offer, now) if now is not None else None,
        responsiveness_term(median_answer_hours),
    )  # fmt: skip
    return Match(tuple(t for t in terms if t is not None), km)


def with_responsiveness(found: Match, median_hours: float | None) -> Match:
    """``found`` with its organization's responsiveness added (read for the first ones only)."""
    term = responsiveness_term(median_hours)
    return found if term is None else Match((*found.terms, term), found.km)
