// The volunteer area's API: the types it reads (from identity's, orgs' and notifier's OpenAPI
// documents) and the calls it makes, all through the shared client (same origin, the gateway).
import { api, type Page, type Query } from "../../api";
import type { AvailabilityPart } from "../../profile";
import type { Slot } from "../../shapes";
import type { ApplicationStatus, Question } from "./logic";

export interface Availability {
  parts: AvailabilityPart[];
  hours_per_month?: number | null;
}

export interface Location {
  city?: string | null;
  lat?: number | null;
  lng?: number | null;
}

/** GET /users/me (identity's PrivateProfile), the fields this area uses. */
export interface Profile {
  id: string;
  display_name: string;
  skills: string[];
  interests: string[];
  location?: Location | null;
  availability?: Availability | null;
  findable: boolean;
  radius_km: number;
}

export type ProfilePatch = Partial<
  Pick<Profile, "skills" | "interests" | "location" | "availability" | "findable" | "radius_km">
>;

export interface Cause {
  slug: string;
  name: string;
  parent?: string | null;
  members?: number;
}

export interface CauseNode extends Cause {
  children: Cause[];
}

export interface WordMatch {
  word: string;
  fields: string[];
  exact: boolean;
}

export interface OpportunityHit {
  id: string;
  title: string;
  org_id: string;
  org_name: string;
  causes: string[];
  skills: string[];
  city?: string | null;
  country?: string | null;
  remote: boolean;
  commitment: string;
  next_at?: string | null;
  places: number;
  why: { words: WordMatch[]; causes: string[]; skills: string[]; distance_km?: number | null; fits: string[] };
}

export interface OrgHit {
  id: string;
  name: string;
  mission?: string | null;
  city?: string | null;
  country?: string | null;
  causes: string[];
  verified: boolean;
  why: { words: WordMatch[]; causes: string[]; distance_km?: number | null };
}

export interface Term {
  name: string;
  value: unknown;
  points: number;
  sentence: string;
}

export interface Recommended {
  id: string;
  title: string;
  org_id: string;
  org_name: string;
  causes: string[];
  skills: string[];
  city?: string | null;
  remote: boolean;
  commitment: string;
  score: number;
  terms: Term[];
  why: string;
}

export interface Opportunity {
  id: string;
  org: { org_id: string; name: string; initials?: string; verified?: boolean };
  status: "draft" | "open" | "paused" | "filled" | "closed";
  title: string;
  description: string;
  causes: string[];
  skills_wanted: string[];
  skills_required: string[];
  commitment: "one_off" | "recurring" | "ongoing";
  pattern?: { days: string[]; start_time: string; end_time: string; starts_on: string; ends_on: string } | null;
  time_zone: string;
  place?: { address?: string | null; city?: string | null; country?: string | null } | null;
  remote: boolean;
  slots: Slot[];
  places: number;
  remaining: number;
  minimum_age?: number | null;
  prerequisites: string[];
  questions: Question[];
  deadline?: string | null;
}

export interface Application {
  id: string;
  opportunity_id: string;
  opportunity_title?: string | null;
  org_id: string;
  slot_id: string;
  status: ApplicationStatus;
  answers: Array<{ question_id: string; question?: string | null; text: string }>;
  message?: string | null;
  decline?: { reason: string; text?: string | null } | null;
  waitlist_position?: number | null;
  submitted_at: string;
  expires_at?: string | null;
}

export interface ApplicationDraft {
  slot_id?: string;
  answers: Array<{ question_id: string; text: string }>;
  message?: string;
  meets_minimum_age: boolean;
}

/** An organization's invitation to one of its opportunities (orgs' InvitationOut). */
export interface Invitation {
  id: string;
  opportunity_id: string;
  opportunity_title: string;
  org_id: string;
  org_name: string;
  slot_id?: string | null;
  message?: string | null;
  status: "pending" | "accepted" | "declined";
  created_at: string;
  application_id?: string | null;
}

export interface InvitationAnswer {
  answers: Array<{ question_id: string; text: string }>;
  message?: string;
  meets_minimum_age: boolean;
}

interface Notification {
  kind: string;
  data?: Record<string, unknown>;
}

/** Notifier's kinds that can be shown on Facebook: joins (FACEBOOK_KINDS). */
export const FACEBOOK_KINDS = ["welcome", "joined_cause", "application_accepted"] as const;

const seg = encodeURIComponent;

let causeNamesOnce: Promise<Record<string, string>> | null = null;
const orgNamesKnown = new Map<string, Promise<string | null>>();

/** The catalogue's names by slug ("clean-water" → "Clean water"), read once per page load. */
export function causeNames(): Promise<Record<string, string>> {
  causeNamesOnce ??= api.get<{ items: CauseNode[] }>("/causes").then(
    (tree) => Object.fromEntries(tree.items.flatMap((g) => [g, ...g.children]).map((c) => [c.slug, c.name])),
    (error: Error) => {
      causeNamesOnce = null; // try again next time
      throw error;
    },
  );
  return causeNamesOnce;
}

/** An organization's name (GET /orgs/{id}), once per id; null when it cannot be read. */
export function orgName(id: string): Promise<string | null> {
  let known = orgNamesKnown.get(id);
  if (!known) {
    known = api.get<{ name: string }>(`/orgs/${seg(id)}`).then(
      (org) => org.name,
      () => null,
    );
    orgNamesKnown.set(id, known);
  }
  return known;
}

export const volunteerApi = {
  me: () => api.get<Profile>("/users/me"),
  saveMe: (patch: ProfilePatch) => api.request<Profile>("/users/me", { method: "PATCH", body: patch }),
  causes: () => api.get<{ items: CauseNode[] }>("/causes"),
  myCauses: () => api.get<{ items: Cause[] }>("/users/me/causes"),
  joinCause: (slug: string) => api.request(`/causes/${seg(slug)}/membership`, { method: "PUT" }),
  leaveCause: (slug: string) => api.request(`/causes/${seg(slug)}/membership`, { method: "DELETE" }),

  /** Whether the person's joins are shown on Facebook (every join kind on that channel). */
  async sharesJoins(): Promise<boolean> {
    const prefs = await api.get<{ kinds: Record<string, { facebook?: boolean | null }> }>(
      "/notifications/preferences",
    );
    return FACEBOOK_KINDS.every((kind) => prefs.kinds[kind]?.facebook === true);
  },
  setSharesJoins: (on: boolean) =>
    api.request("/notifications/preferences", {
      method: "PUT",
      body: { kinds: Object.fromEntries(FACEBOOK_KINDS.map((kind) => [kind, { facebook: on }])) },
    }),
  /** The Share dialog link of the welcome notification (to post one's joining oneself). */
  async welcomeShareUrl(): Promise<string | null> {
    const page = await api.page<Notification>("/notifications", { limit: 50 });
    const welcome = page.items.find((n) => n.kind === "welcome");
    const url = welcome?.data?.share_url;
    return typeof url === "string" ? url : null;
  },

  opportunities: (query: Query, cursor?: string | null) =>
    api.page<OpportunityHit>("/opportunities", query, cursor),
  organizations: (query: Query, cursor?: string | null) => api.page<OrgHit>("/orgs", query, cursor),
  recommended: (cursor?: string | null) =>
    api.page<Recommended>("/opportunities/recommended", { limit: 10 }, cursor),
  opportunity: (id: string) => api.get<Opportunity>(`/opportunities/${seg(id)}`),
  apply: (id: string, draft: ApplicationDraft) =>
    api.post<Application>(`/opportunities/${seg(id)}/applications`, draft),
  applications: (cursor?: string | null): Promise<Page<Application>> =>
    api.page<Application>("/applications", { limit: 20 }, cursor),
  withdraw: (id: string) => api.post<Application>(`/applications/${seg(id)}/withdraw`),
  /** A one-time code to show the organization on arrival (an accepted application's). */
  checkInCode: (id: string) =>
    api.post<{ code: string; expires_at: string }>(`/applications/${seg(id)}/check-in-code`, {}),
  invitations: () => api.get<{ items: Invitation[] }>("/opportunities/invitations").then((page) => page.items),
  acceptInvitation: (id: string, answer: InvitationAnswer) =>
    api.post<{ invitation: Invitation; application: Application }>(
      `/opportunities/invitations/${seg(id)}/accept`,
      answer,
    ),
  declineInvitation: (id: string) => api.post<Invitation>(`/opportunities/invitations/${seg(id)}/decline`),
};
