"""The events feed consumes, and which handler reacts to each: the one place that subscribes.

Queues (``<prefix>feed.<name>``, each with its dead-letter queue):

    feed.events      the projections: people (user.*) and the follow graph (user.followed,
                     org.followed/follow_changed/unfollowed, cause.joined/left)
    feed.activities  activities from orgs' and people's events; each is stored, then spread
                     (small audiences at once, large ones as batches on feed.fanout)
    feed.fanout      feed's own work queue: one batch of one fan-out per message, shared by
                     every feed process; no claims (a batch done twice leaves one entry)
    feed.erasure     user.deleted, so that an erasure never waits behind a fan-out
"""

from __future__ import annotations

from typing import TypeVar

from jumo_common.bus import EventHandler, Subscription, Subscriptions, on
from jumo_common.events import EventData
from jumo_common.events.calendar import EventCancelled, EventScheduled, EventUpdated
from jumo_common.events.feed import FanoutBatch
from jumo_common.events.identity import (
    UserDeleted,
    UserFollowed,
    UserRegistered,
    UserUnfollowed,
    UserUpdated,
)
from jumo_common.events.opportunities import (
    OpportunityClosed,
    OpportunityPublished,
    OpportunityUpdated,
)
from jumo_common.events.orgs import (
    CauseJoined,
    CauseLeft,
    OrgCreated,
    OrgFollowChanged,
    OrgFollowed,
    OrgHidden,
    OrgUnfollowed,
    OrgUpdated,
    PostDeleted,
    PostHidden,
    PostPublished,
    PostUpdated,
    ReviewDeleted,
    ReviewHidden,
    ReviewPosted,
    ReviewUpdated,
)
from jumo_common.events.record import VolunteeringAttested, VolunteeringDisputed
from jumo_feed.typedefs import Feed

E = TypeVar("E", bound=EventData)


def versioned(model: type[E], handler: EventHandler[E], name: str) -> Subscription[E]:
    """A handler that applies a versioned state (a person's profile by its ``version``, a
    follow edge by its ``seq``): a duplicate applies nothing, claimed or not, so it runs
    without the consumer's claim (two database writes fewer per event: the claim and its
    "done")."""
    return on(model, handler, name=name, claimed=False)


def activity(model: type[E], handler: EventHandler[E]) -> Subscription[E]:
    """A handler on the activities queue."""
    return on(model, handler, name="activities", isolated=True)


def handlers(feed: Feed) -> Subscriptions:
    """feed's subscriptions, built from its service objects."""
    people, graph, acts = feed.people, feed.graph, feed.activities
    return Subscriptions(
        versioned(UserRegistered, people.on_registered, "people"),
        versioned(UserUpdated, people.on_updated, "people"),
        versioned(UserFollowed, graph.on_user_followed, "graph"),
        versioned(UserUnfollowed, graph.on_user_unfollowed, "graph"),
        versioned(OrgFollowed, graph.on_org_followed, "graph"),
        versioned(OrgFollowChanged, graph.on_org_follow_changed, "graph"),
        versioned(OrgUnfollowed, graph.on_org_unfollowed, "graph"),
        versioned(CauseJoined, graph.on_cause_joined, "graph"),
        versioned(CauseLeft, graph.on_cause_left, "graph"),
        activity(PostPublished, acts.on_post_published),
        activity(PostUpdated, acts.on_post_updated),
        activity(PostDeleted, acts.on_post_deleted),
        activity(PostHidden, acts.on_post_hidden),
        activity(OpportunityPublished, acts.on_opportunity_published),
        activity(OpportunityUpdated, acts.on_opportunity_updated),
        activity(OpportunityClosed, acts.on_opportunity_closed),
        activity(EventScheduled, acts.on_event_scheduled),
        activity(EventUpdated, acts.on_event_updated),
        activity(EventCancelled, acts.on_event_cancelled),
        activity(OrgCreated, acts.on_org_created),
        activity(OrgUpdated, acts.on_org_updated),
        activity(OrgHidden, acts.on_org_hidden),
        activity(CauseJoined, acts.on_cause_joined),
        activity(CauseLeft, acts.on_cause_left),
        activity(OrgFollowed, acts.on_org_followed),
        activity(VolunteeringAttested, acts.on_volunteering_attested),
        activity(VolunteeringDisputed, acts.on_volunteering_disputed),
        activity(ReviewPosted, acts.on_review_posted),
        activity(ReviewUpdated, acts.on_review_updated),
        activity(ReviewDeleted, acts.on_review_deleted),
        activity(ReviewHidden, acts.on_review_hidden),
        on(FanoutBatch, feed.fanout.deliver, name="fanout", isolated=True, claimed=False),
        on(UserDeleted, people.forget, name="erasure", isolated=True),
    )
