// The community area's API: the shapes it reads (services' OpenAPI documents: orgs, identity,
// notifier) and the calls it makes, all through `api` (the gateway, the token in memory).
import { api, type Page } from "../../api";
import type { OrgCard, Slot } from "../../shapes";

export interface Ratings {
  count: number;
  average: number | null;
  histogram: Record<string, number>;
}

export interface ReviewSummary extends Ratings {
  org_id: string;
  volunteered: Ratings;
}

export interface Post {
  id: string;
  org: OrgCard;
  author?: { id: string; display_name: string } | null;
  title?: string | null;
  body: string;
  excerpt: string;
  important?: boolean;
  published_at: string;
}

export interface Opportunity {
  id: string;
  org: OrgCard;
  title: string;
  description?: string | null;
  status: "draft" | "open" | "paused" | "filled" | "closed";
  commitment: "one_off" | "recurring" | "ongoing";
  remote: boolean;
  place?: { city?: string | null } | null;
  slots: Slot[];
  remaining: number;
  deadline?: string | null;
}

export type RsvpAnswer = "going" | "maybe" | "declined";

export interface Rsvp {
  event_id: string;
  answer?: RsvpAnswer | null;
  status: "going" | "waiting" | "maybe" | "declined" | "removed";
  guests?: number;
  waiting_position?: number | null;
}

export interface CalendarEvent {
  id: string;
  org: OrgCard;
  title: string;
  description?: string | null;
  starts_at: string;
  ends_at: string;
  time_zone: string;
  place?: { address: string; city: string } | null;
  online_url?: string | null;
  capacity: number;
  going: number;
  waiting: number;
  opportunity_id?: string | null;
  status: "scheduled" | "cancelled";
  my_rsvp?: Rsvp | null;
}

export interface Review {
  id: string;
  org_id: string;
  author: { id: string; display_name: string };
  stars: number;
  text: string;
  volunteered?: boolean;
  helpful?: number;
  voted?: boolean | null;
  answer?: { text: string; answered_at: string } | null;
  created_at: string;
}

export type NotifyLevel = "all" | "important" | "none";
export type Digest = "daily" | "weekly" | "never";

export interface FollowSettings {
  in_feed: boolean;
  notify: NotifyLevel;
  digest: Digest;
}

export interface OrgFollow {
  org_id: string;
  following: boolean;
  settings?: FollowSettings | null;
}

export interface Engagement {
  id: string;
  org_id: string;
  org_name: string;
  opportunity_id: string;
  opportunity_title: string;
  causes: string[];
  session: string;
  date: string;
  hours: number;
  attested_by: { org_id: string; org_name: string; name?: string | null };
  attested_at: string;
  answer?: "confirmed" | "disputed" | null;
  dispute_reason?: string | null;
}

export interface VolunteeringRecord {
  volunteer_id: string;
  engagements: Engagement[];
  totals: { hours: number; sessions: number; by_cause: Record<string, number>; by_year: Record<string, number> };
}

export type Visibility = "public" | "followers" | "private";

export interface Profile {
  id: string;
  display_name: string;
  visibility: Visibility;
  limited?: boolean;
  bio?: string | null;
  skills?: string[];
  interests?: string[];
  languages?: string[];
  location?: { city?: string | null; lat?: number | null; lng?: number | null } | null;
}

export interface MyProfile extends Profile {
  email?: string | null;
  findable?: boolean;
  radius_km?: number;
  created_at: string;
}

export interface Cause {
  slug: string;
  name: string;
  parent?: string | null;
  members: number;
  organizations: number;
}

export interface CauseDetail {
  cause: Cause;
  parent?: Cause | null;
  children: Cause[];
  organizations: Page<{ org_id: string; name: string; initials: string; verified: boolean; city?: string | null; country?: string | null }>;
}

const enc = encodeURIComponent;

export const orgPosts = (id: string, cursor?: string | null) => api.page<Post>(`/orgs/${enc(id)}/posts`, { limit: 5 }, cursor);
export const orgOpportunities = (id: string, cursor?: string | null) =>
  api.page<Opportunity>(`/orgs/${enc(id)}/opportunities`, { limit: 10, status: "open" }, cursor);
export const orgEvents = (id: string, cursor?: string | null) => api.page<CalendarEvent>(`/orgs/${enc(id)}/events`, { limit: 10 }, cursor);
export const orgReviews = (id: string, cursor?: string | null) =>
  api.page<Review>(`/orgs/${enc(id)}/reviews`, { limit: 10, sort: "newest" }, cursor);
export const orgFollow = (id: string) => api.get<OrgFollow>(`/orgs/${enc(id)}/follow`);
export const followOrg = (id: string, settings?: Partial<FollowSettings>) =>
  api.request<OrgFollow>(`/orgs/${enc(id)}/follow`, { method: "PUT", body: settings ?? {} });
export const changeOrgFollow = (id: string, settings: Partial<FollowSettings>) =>
  api.request<OrgFollow>(`/orgs/${enc(id)}/follow`, { method: "PATCH", body: settings });
export const unfollowOrg = (id: string) => api.request<OrgFollow>(`/orgs/${enc(id)}/follow`, { method: "DELETE" });
export const markHelpful = (id: string, helpful: boolean) =>
  api.request<Review>(`/reviews/${enc(id)}/helpful`, { method: helpful ? "PUT" : "DELETE" });

export const getEvent = (id: string) => api.get<CalendarEvent>(`/events/${enc(id)}`);
export const answerEvent = (id: string, answer: RsvpAnswer, guests: number) =>
  api.request<Rsvp>(`/events/${enc(id)}/rsvp`, { method: "PUT", body: { answer, guests } });
export const withdrawRsvp = (id: string) => api.request<Rsvp>(`/events/${enc(id)}/rsvp`, { method: "DELETE" });
export const eventIcsPath = (id: string) => `/events/${enc(id)}.ics`;
export const newCalendarFeed = () => api.post<{ url: string }>("/users/me/calendar");
export const revokeCalendarFeed = () => api.request<void>("/users/me/calendar", { method: "DELETE" });

export const myRecord = () => api.get<VolunteeringRecord>("/users/me/volunteering");
export const confirmHours = (id: string) => api.post<unknown>(`/users/me/volunteering/${enc(id)}/confirm`);
export const disputeHours = (id: string, reason: string) =>
  api.post<unknown>(`/users/me/volunteering/${enc(id)}/dispute`, { reason });

let me: Promise<MyProfile> | null = null;
/** The signed-in person's profile (fetched once per page load; `fresh` fetches it again). */
export function myProfile(fresh = false): Promise<MyProfile> {
  if (!me || fresh) {
    me = api.get<MyProfile>("/users/me");
    me.catch(() => (me = null));
  }
  return me;
}
export const getCause = (slug: string) => api.get<CauseDetail>(`/causes/${enc(slug)}`, { limit: 20 });
export const myCauses = (myId: string) =>
  api.get<{ items: Array<{ slug: string; name: string }> }>(`/users/${enc(myId)}/causes`);
export const joinCause = (slug: string, join: boolean) =>
  api.request<{ member: boolean }>(`/causes/${enc(slug)}/membership`, { method: join ? "PUT" : "DELETE" });
