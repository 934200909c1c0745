"""orgs' event contracts (``org.*``, ``cause.*``, ``post.*``, ``review.*``, ``report.*``);
edited by orgs' owners.

Order: an event about one pair (a person and an organization, a person and a cause) carries
``seq``, the version of that pair's document, so a consumer keeps the state of the highest it
has seen and a late ``followed`` cannot undo a later ``unfollowed``. An event about one thing
(an organization, a post, a review) carries ``version``, that thing's document version, for the
same reason. Snapshots (``OrgCard``) let a consumer render without calling orgs back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime

from jumo_common.events.envelope import EventData, event_type

OrgStatus = Literal["draft", "pending", "verified", "rejected"]
OrgRole = Literal["owner", "admin", "editor"]
Notify = Literal["all", "important", "none"]
Digest = Literal["daily", "weekly", "never"]


class OrgCard(EventData):
    """How an organization shows in someone else's page: enough to render, no call back."""

    org_id: str
    slug: str
    name: str
    initials: str
    colour: str
    verified: bool = False


# ---- organizations ------------------------------------------------------------------------------


@event_type("org.created", 1)
class OrgCreated(EventData):
    """An organization was created (by a person, or imported unclaimed by an operator)."""

    org: OrgCard
    status: OrgStatus
    created_by: str | None = None
    causes: tuple[str, ...] = ()
    city: str | None = None
    country: str | None = None
    version: int


@event_type("org.updated", 1)
class OrgUpdated(EventData):
    """An organization's public page changed; ``changed`` names the fields that did."""

    org: OrgCard
    status: OrgStatus
    changed: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    city: str | None = None
    country: str | None = None
    version: int


@event_type("org.submitted", 1)
class OrgSubmitted(EventData):
    """An organization asked to be verified (a moderator will look at it)."""

    org: OrgCard
    by: str
    version: int


@event_type("org.verified", 1)
class OrgVerified(EventData):
    """A moderator verified an organization."""

    org: OrgCard
    by: str
    version: int


@event_type("org.rejected", 1)
class OrgRejected(EventData):
    """A moderator turned an organization's verification down, saying why."""

    org: OrgCard
    by: str
    reason: str
    version: int


@event_type("org.member_added", 1)
class OrgMemberAdded(EventData):
    """A person became an owner, admin or editor of an organization (or changed role)."""

    org_id: str
    user_id: str
    role: OrgRole
    seq: int


@event_type("org.member_removed", 1)
class OrgMemberRemoved(EventData):
    """A person is no longer one of an organization's people."""

    org_id: str
    user_id: str
    seq: int


@event_type("org.hidden", 1)
class OrgHidden(EventData):
    """A moderator hid an organization (``hidden``) or showed it again (``hidden=False``)."""

    org_id: str
    hidden: bool = True


# ---- following ----------------------------------------------------------------------------------


class FollowSettings(EventData):
    """What a follower wants of an organization: in the feed, notifications, digest."""

    in_feed: bool = True
    notify: Notify = "important"
    digest: Digest = "weekly"


@event_type("org.followed", 1)
class OrgFollowed(EventData):
    """A person follows an organization, with these settings."""

    org_id: str
    user_id: str
    settings: FollowSettings
    seq: int


@event_type("org.follow_changed", 1)
class OrgFollowChanged(EventData):
    """A follower changed what they want of an organization."""

    org_id: str
    user_id: str
    settings: FollowSettings
    seq: int


@event_type("org.unfollowed", 1)
class OrgUnfollowed(EventData):
    """A person no longer follows an organization."""

    org_id: str
    user_id: str
    seq: int


# ---- causes -------------------------------------------------------------------------------------


@event_type("cause.joined", 1)
class CauseJoined(EventData):
    """A person joined a cause (``cause``: its slug)."""

    cause: str
    user_id: str
    seq: int


@event_type("cause.left", 1)
class CauseLeft(EventData):
    """A person left a cause."""

    cause: str
    user_id: str
    seq: int


# ---- news ---------------------------------------------------------------------------------------


class PostLink(EventData):
    """What a post points at: one of its organization's opportunities or events."""

    kind: Literal["opportunity", "event"]
    id: str


@event_type("post.published", 1)
class PostPublished(EventData):
    """An organization posted news: everything a feed needs to render it."""

    post_id: str
    org: OrgCard
    author_id: str
    title: str
    excerpt: str
    important: bool = False
    link: PostLink | None = None
    published_at: AwareDatetime
    version: int


@event_type("post.updated", 1)
class PostUpdated(EventData):
    """A post was edited: its new snapshot."""

    post_id: str
    org: OrgCard
    title: str
    excerpt: str
    important: bool = False
    link: PostLink | None = None
    version: int


@event_type("post.deleted", 1)
class PostDeleted(EventData):
    """A post is gone: remove it everywhere."""

    post_id: str
    org_id: str


@event_type("post.hidden", 1)
class PostHidden(EventData):
    """A moderator hid a post (``hidden``) or showed it again (``hidden=False``)."""

    post_id: str
    org_id: str
    hidden: bool = True


# ---- reviews ------------------------------------------------------------------------------------


@event_type("review.posted", 1)
class ReviewPosted(EventData):
    """A person reviewed an organization (one review per person and organization)."""

    review_id: str
    org: OrgCard
    author_id: str
    stars: int
    excerpt: str
    volunteered: bool = False
    version: int


@event_type("review.updated", 1)
class ReviewUpdated(EventData):
    """A person changed their review."""

    review_id: str
    org: OrgCard
    author_id: str
    stars: int
    excerpt: str
    volunteered: bool = False
    version: int


@event_type("review.deleted", 1)
class ReviewDeleted(EventData):
    """A review is gone (its author deleted it, or left Jumo)."""

    review_id: str
    org_id: str
    author_id: str


@event_type("review.hidden", 1)
class ReviewHidden(EventData):
    """A moderator hid a review (``hidden``) or showed it again (``hidden=False``)."""

    review_id: str
    org_id: str
    hidden: bool = True


# ---- moderation ---------------------------------------------------------------------------------


@event_type("report.resolved", 1)
class ReportResolved(EventData):
    """A moderator decided on a report: the reporter learns the outcome."""

    report_id: str
    reporter_id: str
    target_kind: Literal["org", "post", "review"]
    target_id: str
    outcome: Literal["hidden", "dismissed"]
