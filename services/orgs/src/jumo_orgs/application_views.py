"""How an application shows over HTTP (``ApplicationOut``)."""

from __future__ import annotations

from jumo_common.mongo import Document
from jumo_orgs.news import author_of
from jumo_orgs.opportunity_model import Opportunity
from jumo_orgs.people import Person
from jumo_orgs.schemas.applications import AnswerOut, ApplicationOut, DeclineOut

TIMES = ("submitted_at", "expires_at", "answered_at", "waitlisted_at", "accepted_at",
         "withdrawn_at", "cancelled_at", "expired_at")  # fmt: skip


def view(
    doc: Document, opp: Opportunity | None, people: dict[str, Person], waiting: int | None
) -> ApplicationOut:
    """The application as its volunteer and the organization's admins see it."""
    questions = {q.id: q.text for q in opp.questions} if opp else {}
    answers = [AnswerOut(question_id=a["question_id"], question=questions.get(a["question_id"]),
                         text=a["text"]) for a in doc.get("answers", ())]  # fmt: skip
    decline = doc.get("decline")
    fields = {
        "id": doc["_id"], "opportunity_id": doc["opportunity_id"],
        "opportunity_title": opp.title if opp else None, "org_id": doc["org_id"],
        "slot_id": doc["slot_id"], "volunteer": author_of(doc.get("volunteer_id"), people),
        "status": doc["status"], "answers": answers, "message": doc.get("message"),
        "meets_minimum_age": bool(doc.get("meets_minimum_age")),
        "decline": DeclineOut(**decline) if decline else None,
        "promoted": bool(doc.get("promoted")), "waitlist_position": waiting,
        "version": doc["version"], **{name: doc.get(name) for name in TIMES},
    }  # fmt: skip
    return ApplicationOut.model_validate(fields)
