"""The cause catalogue, kept in the repository: 12 top-level causes and their children.

A cause has a slug (its id, forever), a name, a parent (None at the top) and a one-line
description. Organizations choose 1 to 5 causes from it; people join causes; a search for a cause
matches its children too. No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    """One cause of the catalogue."""

    slug: str
    name: str
    description: str
    parent: str | None = None


def _family(parent: Cause, *children: tuple[str, str, str]) -> list[Cause]:
    return [parent, *(Cause(slug, name, text, parent.slug) for slug, name, text in children)]


CAUSES: tuple[Cause, ...] = tuple(
    _family(
        Cause("education", "Education", "Learning for everyone, at every age."),
        ("literacy", "Literacy", "Reading and writing for children and adults."),
        ("tutoring", "Tutoring and mentoring", "One-to-one help with school and study."),
        ("digital-skills", "Digital skills", "Using computers and the internet with confidence."),
        ("adult-learning", "Adult learning", "Second chances and lifelong learning."),
        ("school-access", "Access to school", "Getting every child into a classroom."),
    )
    + _family(
        Cause("health", "Health", "Care, prevention and well-being."),
        ("mental-health", "Mental health", "Support, listening and fighting stigma."),
        ("disability", "Disability", "Inclusion and independence for disabled people."),
        ("public-health", "Public health", "Prevention, vaccination and health information."),
        ("rare-diseases", "Rare diseases", "Research and support for patients and families."),
        ("first-aid", "First aid", "Teaching and giving first aid."),
    )
    + _family(
        Cause("environment", "Environment and climate", "A livable planet for all."),
        ("climate-action", "Climate action", "Cutting emissions and adapting to change."),
        ("biodiversity", "Biodiversity", "Protecting species and their habitats."),
        ("clean-water", "Clean water", "Safe drinking water and sanitation."),
        ("waste-reduction", "Waste reduction", "Reuse, repair and recycling."),
        ("urban-nature", "Nature in cities", "Parks, gardens and trees where people live."),
    )
    + _family(
        Cause("human-rights", "Human rights", "Dignity, freedom and justice."),
        ("gender-equality", "Gender equality", "Equal rights and safety for all genders."),
        ("lgbtq-rights", "LGBTQ+ rights", "Equality and safety for LGBTQ+ people."),
        ("legal-aid", "Legal aid", "Free advice and representation."),
        ("anti-discrimination", "Fighting discrimination", "Against racism and exclusion."),
        ("civic-participation", "Civic participation", "Voting, voice and open government."),
        ("press-freedom", "Press freedom", "Free, independent and safe journalism."),
    )
    + _family(
        Cause("poverty-hunger", "Poverty and hunger", "Food, income and a way out of poverty."),
        ("food-banks", "Food banks", "Collecting and sharing food."),
        ("homelessness", "Homelessness", "Shelter, housing and a way home."),
        ("employment", "Employment", "Finding work and decent jobs."),
        ("financial-inclusion", "Financial inclusion", "Budgets, banking and fair credit."),
        ("nutrition", "Nutrition", "Healthy food for children and families."),
    )
    + _family(
        Cause("disaster-relief", "Disaster relief", "Help when catastrophe strikes."),
        ("emergency-response", "Emergency response", "The first hours and days after a disaster."),
        ("reconstruction", "Reconstruction", "Rebuilding homes and lives."),
        ("preparedness", "Preparedness", "Getting ready before disaster comes."),
        ("humanitarian-logistics", "Humanitarian logistics", "Getting aid where it is needed."),
        ("conflict-relief", "Conflict relief", "Aid for people caught in war and violence."),
    )
    + _family(
        Cause("animals", "Animals", "Welfare and protection of animals."),
        ("animal-shelters", "Animal shelters", "Rescue, care and adoption."),
        ("wildlife", "Wildlife", "Protecting wild animals and their homes."),
        ("animal-welfare", "Animal welfare", "Against cruelty, for better lives."),
        ("farm-animals", "Farm animals", "Better lives for animals raised for food."),
    )
    + _family(
        Cause("arts-culture", "Arts and culture", "Creativity and heritage for all."),
        ("music", "Music", "Playing, teaching and sharing music."),
        ("heritage", "Heritage", "Caring for monuments, archives and traditions."),
        ("libraries", "Libraries and reading", "Books and culture within everyone's reach."),
        ("performing-arts", "Performing arts", "Theatre, dance and the stage."),
        ("visual-arts", "Visual arts", "Painting, photography and making art together."),
    )
    + _family(
        Cause("community", "Community development", "Stronger neighbourhoods and villages."),
        ("neighbourhoods", "Neighbourhoods", "Local life, solidarity and shared spaces."),
        ("rural-development", "Rural development", "Services and life in the countryside."),
        ("sport", "Sport for all", "Sport as a way to meet and grow."),
        ("social-enterprise", "Social enterprise", "Businesses with a social purpose."),
        ("volunteering", "Volunteering", "Helping people give their time."),
    )
    + _family(
        Cause("refugees-migrants", "Refugees and migrants", "Welcome, rights and a new start."),
        ("asylum-support", "Asylum support", "Help through the asylum process."),
        ("language-learning", "Language learning", "Learning the language of a new country."),
        ("integration", "Integration", "Work, school and friends in a new home."),
        ("family-reunion", "Family reunion", "Bringing families back together."),
        ("unaccompanied-minors", "Unaccompanied minors", "Care for children who travel alone."),
    )
    + _family(
        Cause("elderly", "Elderly people", "Dignity and company in old age."),
        ("loneliness", "Loneliness", "Visits, calls and company for isolated people."),
        ("care-homes", "Care homes", "Life and activities in care homes."),
        ("caregivers", "Caregivers", "Support for those who care for a relative."),
        ("dementia", "Dementia", "Support for people with dementia and their families."),
        ("active-ageing", "Active ageing", "Staying healthy and active as the years pass."),
    )
    + _family(
        Cause("children-youth", "Children and youth", "Every child safe, healthy and heard."),
        ("child-protection", "Child protection", "Against abuse, neglect and exploitation."),
        ("youth-leadership", "Youth leadership", "Young people leading change."),
        ("early-childhood", "Early childhood", "The first years of life."),
        ("after-school", "After school", "Clubs, homework help and play."),
        ("foster-care", "Foster care", "Families for children who need one."),
    )
)
BY_SLUG: dict[str, Cause] = {cause.slug: cause for cause in CAUSES}


def cause(slug: str) -> Cause | None:
    """The cause with this slug, if the catalogue has it."""
    return BY_SLUG.get(slug)


def children(slug: str) -> list[Cause]:
    """The causes directly under ``slug``."""
    return [c for c in CAUSES if c.parent == slug]


def with_children(slug: str) -> list[str]:
    """``slug`` and every cause under it (a search for a cause matches its children)."""
    return [slug, *(c.slug for c in children(slug))]


def top_level() -> list[Cause]:
    """The causes at the top of the tree."""
    return [c for c in CAUSES if c.parent is None]
