"""A volunteer's record: every session an organization attested, and its export — JSON, and
a compact JWS (EdDSA) anyone verifies offline with ``GET /.well-known/orgs-jwks.json``.

- An engagement is a check-in whose hours the organization recorded. ``GET
  /users/me/volunteering`` lists them all, newest first; a disputed one is marked and left out
  of the totals; the export holds only attested ones (hours recorded, not disputed) — what
  the organization vouches for and the volunteer does not contest.
- Totals: hours and sessions, by cause (an engagement of two causes counts in both) and by
  year (of the session's date, in the opportunity's time zone).
- The signed export's claims: ``iss`` (orgs' public URL), ``sub`` (the volunteer), ``iat``, the
  engagements and totals; header ``alg: EdDSA``, ``kid``, ``typ: jumo-volunteering+jws``.
- Only the volunteer reads their record (there is no route to anyone else's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from jumo_common.jwt import Principal
from jumo_common.mongo import Document, as_utc
from jumo_orgs.attendance_rules import is_attested
from jumo_orgs.deps import Deps
from jumo_orgs.schemas.record import Attester, EngagementOut, RecordExport, RecordOut, Totals
from jumo_orgs.signing import RecordKeys

JWS_TYPE = "jumo-volunteering+jws"
JWKS_PATH = "/.well-known/orgs-jwks.json"


def session_date(doc: Document) -> str:
    """The date of a session (YYYY-MM-DD): the session itself, or its start in its zone."""
    if doc.get("starts_at") is None:
        return str(doc["session"])
    zone = ZoneInfo((doc.get("snapshot") or {}).get("time_zone") or "UTC")
    return as_utc(doc["starts_at"]).astimezone(zone).date().isoformat()


def totals_of(engagements: Iterable[EngagementOut]) -> Totals:
    """Hours and sessions of the attested, undisputed engagements, by cause and by year."""
    by_cause: dict[str, float] = defaultdict(float)
    by_year: dict[str, float] = defaultdict(float)
    hours, sessions = 0.0, 0
    for item in engagements:
        if item.answer == "disputed":
            continue
        hours, sessions = hours + item.hours, sessions + 1
        by_year[item.date[:4]] += item.hours
        for cause in item.causes:
            by_cause[cause] += item.hours
    return Totals(hours=hours, sessions=sessions, by_cause=dict(by_cause), by_year=dict(by_year))


class VolunteeringRecord:
    """The volunteer's record, its export, and the reviews' "volunteered here" badge."""

    def __init__(self, deps: Deps, keys: RecordKeys) -> None:
        self._deps = deps
        self._store = deps.stores.attendance
        self.keys = keys

    async def mine(self, caller: Principal) -> RecordOut:
        """Every engagement of the caller with recorded hours, newest first, and totals."""
        items = await self._engagements(caller.user_id)
        return RecordOut(volunteer_id=caller.user_id, engagements=items, totals=totals_of(items))

    async def export(self, caller: Principal, now: datetime) -> RecordExport:
        """The attested record, as the signed export holds it."""
        items = [e for e in await self._engagements(caller.user_id) if e.answer != "disputed"]
        return RecordExport(iss=self._deps.settings.public_base_url, sub=caller.user_id,
                            iat=int(now.timestamp()), engagements=items,
                            totals=totals_of(items))  # fmt: skip

    async def export_jws(self, caller: Principal, now: datetime) -> str:
        """The attested record as a compact JWS signed with orgs' current record key."""
        claims = (await self.export(caller, now)).model_dump(mode="json")
        return await self.keys.sign(claims, typ=JWS_TYPE)

    async def volunteered(self, user_id: str, org_id: str) -> bool:
        """Whether the organization attested at least one session of the person (reviews'
        ``VolunteerRecord``)."""
        found = await self._store.check_ins_of("volunteer_id", user_id)
        return any(doc["org_id"] == org_id and is_attested(doc) for doc in found)

    async def _engagements(self, user_id: str) -> list[EngagementOut]:
        found = [d for d in await self._store.check_ins_of("volunteer_id", user_id)
                 if d.get("hours") is not None]  # fmt: skip
        attesters = await self._deps.people.people([d["attested_by"] for d in found])
        items = []
        for doc in found:
            who = attesters.get(doc["attested_by"])
            name = who.display_name if who else None
            attester = Attester(org_id=doc["org_id"], org_name=doc["snapshot"]["org_name"],
                                user_id=doc["attested_by"], name=name)  # fmt: skip
            items.append(engagement_out(doc, attester))
        return sorted(items, key=lambda e: (e.date, e.id), reverse=True)


def engagement_out(doc: Document, attester: Attester) -> EngagementOut:
    """One engagement of the record."""
    snapshot = doc["snapshot"]
    return EngagementOut(
        id=doc["_id"], org_id=doc["org_id"], org_name=snapshot["org_name"],
        opportunity_id=doc["opportunity_id"], opportunity_title=snapshot["title"],
        causes=list(snapshot["causes"]), session=doc["session"], date=session_date(doc),
        starts_at=doc.get("starts_at"), ends_at=doc.get("ends_at"), hours=doc["hours"],
        attested_by=attester, attested_at=doc["attested_at"], answer=doc.get("answer"),
        dispute_reason=doc.get("dispute_reason"),
    )  # fmt: skip
