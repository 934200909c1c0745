"""All of orgs' stores in one place: their indexes, the collections that carry events, and the
``Stores`` a use case is built from (MongoDB here; ``tests/orgs_service/memory.py`` in memory).

Each area keeps its own store module (a Protocol, the MongoDB implementation, its indexes):
``people_store``, ``org_store``, ``cause_store``, ``follow_store``, ``post_store``,
``review_store``, ``moderation_store``.
"""

from __future__ import annotations

from dataclasses import dataclass

from jumo_common.mongo import WRITE_CLAIMS, Database, IndexSpec
from jumo_common.outbox import Outbox
from jumo_orgs import (
    application_store,
    attendance_store,
    calendar_store,
    candidate_store,
    cause_store,
    follow_store,
    moderation_store,
    opportunity_invitations_store,
    opportunity_store,
    org_store,
    people_store,
    places_store,
    post_store,
    review_store,
    search_store,
    signing_store,
)

AREAS = (calendar_store, people_store, org_store, cause_store, follow_store, post_store,
         review_store, moderation_store, search_store, opportunity_store, application_store,
         places_store, attendance_store, signing_store, candidate_store,
         opportunity_invitations_store)  # fmt: skip
INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(WRITE_CLAIMS, (("at", 1),)),  # housekeeping deletes old claims by it
    *(spec for area in AREAS for spec in area.INDEXES),
)
OUTBOX_COLLECTIONS: tuple[str, ...] = tuple(c for area in AREAS for c in area.OUTBOX_COLLECTIONS)


@dataclass
class Stores:
    """One store per area."""

    people: people_store.PeopleStore
    calendar: calendar_store.CalendarStore
    orgs: org_store.OrgStore
    causes: cause_store.CauseStore
    follows: follow_store.FollowStore
    posts: post_store.PostStore
    reviews: review_store.ReviewStore
    moderation: moderation_store.ModerationStore
    search: search_store.SearchStore
    opportunities: opportunity_store.OpportunityStore
    applications: application_store.ApplicationStore
    seats: places_store.SeatStore
    attendance: attendance_store.AttendanceStore
    signing: signing_store.SigningKeyStore
    candidates: candidate_store.CandidateStore
    invitations: opportunity_invitations_store.InvitationStore


def mongo_stores(db: Database, outbox: Outbox) -> Stores:
    """Every store on ``db``, writing its events through ``outbox``."""
    claims = db[WRITE_CLAIMS]
    return Stores(
        people=people_store.MongoPeopleStore(db, outbox, claims),
        calendar=calendar_store.MongoCalendarStore(db, outbox, claims),
        orgs=org_store.MongoOrgStore(db, outbox, claims),
        causes=cause_store.MongoCauseStore(db, outbox, claims),
        follows=follow_store.MongoFollowStore(db, outbox, claims),
        posts=post_store.MongoPostStore(db, outbox, claims),
        reviews=review_store.MongoReviewStore(db, outbox, claims),
        moderation=moderation_store.MongoModerationStore(db, outbox, claims),
        search=search_store.MongoSearchStore(db, outbox, claims),
        opportunities=opportunity_store.MongoOpportunityStore(db, outbox, claims),
        applications=application_store.MongoApplicationStore(db, outbox, claims),
        seats=places_store.MongoSeatStore(db, outbox, claims),
        attendance=attendance_store.MongoAttendanceStore(db, outbox, claims),
        signing=signing_store.MongoSigningKeyStore(db),
        candidates=candidate_store.MongoCandidateStore(db),
        invitations=opportunity_invitations_store.MongoInvitationStore(db, outbox, claims),
    )
