// The organization area's API: the shapes it reads and sends (services/orgs' and notifier's
// OpenAPI documents) and its calls, all through `api` (the gateway, the token in memory).
import { api, type Query } from "../../api";
import type { OrgCard, Slot } from "../../shapes";

export type OrgStatus = "draft" | "pending" | "verified" | "rejected";
export type Role = "owner" | "admin" | "editor";

export interface Hq {
  city: string;
  country: string;
  lat?: number | null;
  lng?: number | null;
}

export interface ManagedOrg {
  id: string;
  slug: string;
  name: string;
  initials: string;
  colour: string;
  mission?: string | null;
  description?: string | null;
  website?: string | null;
  hq?: Hq | null;
  causes: string[];
  contact_email?: string | null;
  status: OrgStatus;
  verified: boolean;
  hidden?: boolean;
  rejection_reason?: string | null;
  your_role?: Role | null;
  created_at: string;
  submitted_at?: string | null;
}

export interface OrgFields {
  name?: string;
  mission?: string | null;
  description?: string | null;
  website?: string | null;
  contact_email?: string | null;
  hq?: Hq | null;
  causes?: string[];
}

export interface Cause {
  slug: string;
  name: string;
  parent?: string | null;
  children?: Cause[];
}

export interface Person {
  user_id: string;
  display_name: string;
  avatar_url?: string | null;
}

export interface Member extends Person {
  role: Role;
  state: "active" | "invited";
  since: string;
}

export interface Invitation {
  org: OrgCard;
  role: Role;
  invited_by?: Person | null;
  invited_at: string;
}

export interface Post {
  id: string;
  title: string;
  body: string;
  important?: boolean;
  hidden?: boolean;
  published_at: string;
  author?: { id: string; display_name: string } | null;
}

export interface Figures {
  applications: number;
  volunteers_accepted: number;
  hours_attested: number;
  median_answer_hours?: number | null;
  answered_within_7_days?: number | null;
  acceptance_rate?: number | null;
  no_show_rate?: number | null;
}

export interface OrgStats extends Figures {
  org_id: string;
  months: Array<Figures & { month: string }>;
}

export interface Review {
  id: string;
  author: { id: string; display_name: string };
  stars: number;
  text: string;
  volunteered?: boolean;
  answer?: { text: string; answered_at: string } | null;
  hidden?: boolean;
  created_at: string;
}

export interface PageLink {
  org_id: string;
  linked: boolean;
  page_id?: string | null;
  page_name?: string | null;
  status?: string | null;
  why?: string | null;
  linked_at?: string | null;
  post_opportunities?: boolean;
  post_news?: boolean;
  choices?: Array<{ id: string; name: string }>;
}

export type OpportunityStatus = "draft" | "open" | "paused" | "filled" | "closed";

export interface Question {
  id?: string | null;
  text: string;
  required?: boolean;
}

export interface Opportunity {
  id: string;
  status: OpportunityStatus;
  title: string;
  description: string;
  causes: string[];
  commitment: "one_off" | "recurring" | "ongoing";
  slots: Slot[];
  places: number;
  remaining: number;
  questions: Question[];
  remote: boolean;
  place?: { city?: string | null; country?: string | null } | null;
  created_at: string;
  published_at?: string | null;
}

export type Day = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export interface Pattern {
  days: Day[];
  start_time: string;
  end_time: string;
  hours_per_session: number;
  starts_on: string;
  ends_on: string;
}

export interface SlotIn {
  starts_at: string;
  ends_at: string;
  places: number;
}

export interface OpportunityBody {
  title: string;
  description: string;
  causes: string[];
  commitment:
    | { kind: "one_off"; slots: SlotIn[] }
    | { kind: "ongoing"; places: number }
    | ({ kind: "recurring"; places: number } & Pattern);
  time_zone: string;
  place?: { city?: string | null; country?: string | null } | null;
  remote?: boolean;
  questions?: Question[];
  skills_wanted?: string[];
  publish?: boolean;
}

export interface CalendarEvent {
  id: string;
  title: string;
  starts_at: string;
  ends_at: string;
  time_zone: string;
  capacity: number;
  going: number;
  waiting: number;
  status: "scheduled" | "cancelled";
  place?: { address: string; city: string } | null;
  online_url?: string | null;
}

export interface EventBody {
  title: string;
  description?: string;
  starts_at: string;
  ends_at: string;
  time_zone: string;
  capacity: number;
  online_url?: string | null;
  place?: { address: string; city: string; lat: number; lng: number } | null;
}

export type ApplicationStatus =
  | "pending"
  | "accepted"
  | "declined"
  | "waitlisted"
  | "withdrawn"
  | "expired"
  | "cancelled";

export type DeclineReason = "not_a_fit" | "no_places" | "requirements_not_met" | "other";

export interface Application {
  id: string;
  opportunity_id: string;
  opportunity_title?: string | null;
  slot_id: string;
  volunteer?: { id: string; display_name: string } | null;
  status: ApplicationStatus;
  answers?: Array<{ question_id: string; question?: string | null; text: string }>;
  message?: string | null;
  meets_minimum_age?: boolean;
  decline?: { reason: DeclineReason; text?: string | null } | null;
  waitlist_position?: number | null;
  submitted_at: string;
}

export interface Candidate {
  id: string;
  display_name: string;
  city?: string | null;
  skills?: string[];
  why?: string;
  invited?: boolean;
}

export interface CheckIn {
  id: string;
  application_id: string;
  volunteer_id: string;
  session: string;
  checked_in_at: string;
  hours?: number | null;
  answer?: string | null;
  dispute_reason?: string | null;
}

export interface Claim {
  id: string;
  org: OrgCard;
  state: "open" | "approved" | "rejected";
  evidence: string;
  reason?: string | null;
  claimant?: Person | null;
  created_at: string;
}

export type ReportReason = "spam" | "misleading" | "offensive" | "harassment" | "fraud" | "other";

export interface ReportGroup {
  target_kind: "org" | "post" | "review";
  target_id: string;
  org_id: string;
  count: number;
  first_reported_at: string;
  reports: Array<{ id: string; reason: ReportReason; text: string; created_at: string }>;
}

const at = (path: string, ...ids: string[]): string =>
  ids.reduce((p, id) => p.replace("{}", encodeURIComponent(id)), path);

const patch = <T>(path: string, body: unknown): Promise<T> =>
  api.request<T>(path, { method: "PATCH", body });
const put = <T>(path: string, body: unknown): Promise<T> =>
  api.request<T>(path, { method: "PUT", body });

async function collect<T>(path: string, query: Query = {}, max = 200): Promise<T[]> {
  const items: T[] = [];
  for await (const item of api.all<T>(path, query, max)) items.push(item);
  return items;
}

export const orgApi = {
  org: (id: string) => api.get<ManagedOrg>(at("/orgs/{}", id)),
  create: (body: OrgFields) => api.post<ManagedOrg>("/orgs", body),
  edit: (id: string, body: OrgFields) => patch<ManagedOrg>(at("/orgs/{}", id), body),
  submit: (id: string) => api.post<ManagedOrg>(at("/orgs/{}/submit", id)),
  causes: () => api.get<{ items: Cause[] }>("/causes").then((a) => a.items),

  invitations: () => collect<Invitation>("/invitations"),
  acceptInvitation: (orgId: string) => api.post<Member>(at("/orgs/{}/invitations/accept", orgId)),
  declineInvitation: (orgId: string) => api.post<void>(at("/orgs/{}/invitations/decline", orgId)),
  members: (id: string, state: "active" | "invited") =>
    collect<Member>(at("/orgs/{}/members", id), { state }),
  invite: (id: string, userId: string, role: Role) =>
    api.post<Member>(at("/orgs/{}/invitations", id), { user_id: userId, role }),
  changeRole: (id: string, userId: string, role: Role) =>
    patch<Member>(at("/orgs/{}/members/{}", id, userId), { role }),
  removeMember: (id: string, userId: string) =>
    api.request<void>(at("/orgs/{}/members/{}", id, userId), { method: "DELETE" }),

  posts: (id: string) => api.page<Post>(at("/orgs/{}/posts", id), { limit: 20 }),
  post: (id: string, body: { title: string; body: string; important: boolean }) =>
    api.post<Post>(at("/orgs/{}/posts", id), body),
  stats: (id: string) => api.get<OrgStats>(at("/orgs/{}/stats", id)),
  reviews: (id: string) => api.page<Review>(at("/orgs/{}/reviews", id), { limit: 50 }),
  answerReview: (reviewId: string, text: string) =>
    api.post<Review>(at("/reviews/{}/answer", reviewId), { text }),

  facebookPage: (id: string) => api.get<PageLink>(at("/facebook-pages/{}", id)),
  startPageLink: (id: string) =>
    api.post<{ url: string; expires_at: string }>(at("/facebook-pages/{}/login", id), {}),
  choosePage: (id: string, pageId: string) =>
    api.post<PageLink>(at("/facebook-pages/{}", id), { page_id: pageId }),
  pageSettings: (id: string, body: { post_opportunities?: boolean; post_news?: boolean }) =>
    patch<PageLink>(at("/facebook-pages/{}", id), body),
  unlinkPage: (id: string) =>
    api.request<void>(at("/facebook-pages/{}", id), { method: "DELETE" }),

  opportunities: (id: string) => collect<Opportunity>(at("/orgs/{}/opportunities", id)),
  opportunity: (oppId: string) => api.get<Opportunity>(at("/opportunities/{}", oppId)),
  createOpportunity: (id: string, body: OpportunityBody) =>
    api.post<Opportunity>(at("/orgs/{}/opportunities", id), body),
  opportunityStep: (oppId: string, step: "publish" | "pause" | "resume" | "close") =>
    api.post<Opportunity>(at(`/opportunities/{}/${step}`, oppId)),
  events: (id: string) => collect<CalendarEvent>(at("/orgs/{}/events", id)),
  createEvent: (id: string, body: EventBody) =>
    api.post<CalendarEvent>(at("/orgs/{}/events", id), body),
  cancelEvent: (eventId: string) => api.post<CalendarEvent>(at("/events/{}/cancel", eventId)),

  applications: (id: string, query: Query) =>
    api.page<Application>(at("/orgs/{}/applications", id), { limit: 50, ...query }),
  accept: (appId: string) => api.post<Application>(at("/applications/{}/accept", appId)),
  waitlist: (appId: string) => api.post<Application>(at("/applications/{}/waitlist", appId)),
  decline: (appId: string, reason: DeclineReason, text: string | null) =>
    api.post<Application>(at("/applications/{}/decline", appId), { reason, text }),
  candidates: (oppId: string) =>
    api.page<Candidate>(at("/opportunities/{}/candidates", oppId), { limit: 20 }),
  inviteCandidate: (oppId: string, volunteerId: string, message: string | null) =>
    api.post<unknown>(at("/opportunities/{}/invitations", oppId), {
      volunteer_id: volunteerId,
      message,
    }),
  checkIns: (oppId: string) =>
    api.get<{ items: CheckIn[] }>(at("/opportunities/{}/check-ins", oppId)).then((a) => a.items),
  checkIn: (oppId: string, body: { application_id?: string; code?: string }) =>
    api.post<CheckIn>(at("/opportunities/{}/check-ins", oppId), body),
  recordHours: (oppId: string, checkInId: string, hours: number) =>
    put<CheckIn>(at("/opportunities/{}/check-ins/{}/hours", oppId, checkInId), { hours }),

  verificationQueue: () => api.page<ManagedOrg>("/moderation/orgs", { limit: 50 }),
  verify: (id: string) => api.post<ManagedOrg>(at("/orgs/{}/verify", id)),
  reject: (id: string, reason: string) => api.post<ManagedOrg>(at("/orgs/{}/reject", id), { reason }),
  claimsQueue: () => api.page<Claim>("/moderation/claims", { limit: 50 }),
  decideClaim: (claimId: string, decision: "approve" | "reject", reason: string | null) =>
    api.post<Claim>(
      at(`/moderation/claims/{}/${decision}`, claimId),
      decision === "reject" ? { reason } : undefined,
    ),
  reports: () => api.page<ReportGroup>("/moderation/reports", { limit: 50, status: "open" }),
  resolve: (reportId: string, outcome: "hide" | "dismiss", note: string | null) =>
    api.post<unknown>(at("/moderation/reports/{}/resolve", reportId), { outcome, note }),
};
