"""Who may apply to what, and the errors of applications. No I/O.

Rules where the issue is silent:
- An opportunity takes applications while ``open`` and before its deadline; a dated slot
  takes them until it starts.
- One live (pending, waitlisted, accepted) application per person and slot; after a
  withdrawal or an expiry they may apply again, after a decline or a cancellation they may not
  (the organization has answered) — ``application_store``'s claims.
- The minimum age is only declared: no birth date is stored; the applicant confirms
  ``meets_minimum_age``.
- Every required question is answered, and only the opportunity's questions are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from jumo_orgs.errors import Conflict, Invalid, NotAllowed, NotFoundError
from jumo_orgs.opportunity_model import Opportunity, Slot
from jumo_orgs.schemas.applications import AnswerIn, ApplicationDraft


class ApplicationNotFound(NotFoundError):
    """No such application (or not one the caller may see)."""

    slug = "application-not-found"


class OpportunityNotFound(NotFoundError):
    """No such opportunity (or not one the caller may see)."""

    slug = "opportunity-not-found"


class NotOpen(Conflict):
    """The opportunity does not take applications now (not open, or past its deadline)."""

    slug = "opportunity-not-open"


class SlotUnavailable(Invalid):
    """No such slot, none chosen where several exist, or it has started."""

    slug = "slot-unavailable"


class AnswersInvalid(Invalid):
    """A required question is unanswered, or an answer is to no question of this opportunity."""

    slug = "answers-invalid"


class MinimumAgeNotConfirmed(Invalid):
    """The opportunity has a minimum age and the applicant did not confirm meeting it."""

    slug = "minimum-age-not-confirmed"


class AlreadyApplied(Conflict):
    """The person has an application on this slot already (or was declined on it)."""

    slug = "already-applied"


class OwnOrganization(NotAllowed):
    """An organization's own people do not apply to its opportunities."""

    slug = "own-organization"


class NotTheApplicant(NotAllowed):
    """Only the volunteer withdraws their application."""

    slug = "not-the-applicant"


class NotActionable(Conflict):
    """The application is not in a state this step applies to (it may have changed)."""

    slug = "application-not-actionable"


class NoPlacesLeft(Conflict):
    """Every place of the slot is taken (waitlist the application instead)."""

    slug = "no-places-left"


class PlacesRemain(Conflict):
    """The slot still has places: accept the application rather than waitlist it."""

    slug = "places-remain"


def check_open(opp: Opportunity, now: datetime) -> None:
    """NotOpen unless the opportunity takes applications at ``now``."""
    if opp.status != "open":
        raise NotOpen("This opportunity does not take applications now.")
    if opp.deadline is not None and now >= opp.deadline:
        raise NotOpen("The deadline to apply has passed.")


def chosen_slot(opp: Opportunity, slot_id: str | None, now: datetime) -> Slot:
    """The slot applied for: the one named, or the only one."""
    if slot_id is None:
        if len(opp.slots) != 1:
            raise SlotUnavailable("Choose one of this opportunity's slots (slot_id).")
        slot = opp.slots[0]
    else:
        found = opp.slot(slot_id)
        if found is None:
            raise SlotUnavailable("This opportunity has no such slot.")
        slot = found
    if slot.starts_at is not None and now >= slot.starts_at:
        raise SlotUnavailable("This slot has started.")
    return slot


def check_answers(opp: Opportunity, answers: Sequence[AnswerIn]) -> None:
    """AnswersInvalid unless the answers are to this opportunity's questions, each once, and
    every required question is answered."""
    asked = {q.id for q in opp.questions}
    given = [a.question_id for a in answers]
    if len(set(given)) != len(given) or not set(given) <= asked:
        raise AnswersInvalid("Answer each of this opportunity's questions once, and only those.")
    missing = [q.id for q in opp.questions if q.required and q.id not in given]
    if missing:
        raise AnswersInvalid(f"These questions need an answer: {', '.join(missing)}.")


def check_draft(opp: Opportunity, draft: ApplicationDraft, now: datetime) -> Slot:
    """Every rule of applying that the opportunity decides; the slot applied for."""
    check_open(opp, now)
    slot = chosen_slot(opp, draft.slot_id, now)
    check_answers(opp, draft.answers)
    if opp.minimum_age is not None and not draft.meets_minimum_age:
        raise MinimumAgeNotConfirmed(
            f"Volunteers must be at least {opp.minimum_age}: confirm meets_minimum_age."
        )
    return slot
