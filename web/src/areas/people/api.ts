// The people area's API: identity's shapes (schemas.py: PublicProfile, UserSummary, FollowEntry,
// FollowState) and the calls it makes, all through `api` (the gateway, the token in memory).
import { api, type Page } from "../../api";
import type { AvailabilityPart } from "../../profile";

export type Visibility = "public" | "followers" | "private";


/** GET /users/{id}: everything when its visibility lets me see it, else `limited` (name and
 * picture only). */
export interface PersonProfile {
  id: string;
  display_name: string;
  picture_url?: string | null;
  visibility: Visibility;
  limited?: boolean;
  bio?: string | null;
  skills?: string[];
  interests?: string[];
  languages?: string[];
  location?: { city?: string | null; lat?: number | null; lng?: number | null } | null;
  availability?: { parts?: AvailabilityPart[]; hours_per_month?: number | null } | null;
}

/** A person in a list (suggestions). */
export interface PersonSummary {
  id: string;
  display_name: string;
  picture_url?: string | null;
}

/** A person in a followers / following / requests list, and since when. */
export interface FollowEntry extends PersonSummary {
  since: string;
}

/** What following, unfollowing and answering a request answer. */
export interface FollowState {
  follower_id: string;
  followee_id: string;
  following: boolean;
  requested?: boolean;
  changed?: boolean;
}

export type Direction = "followers" | "following";

const enc = encodeURIComponent;
export const PAGE_SIZE = 20;
/** How far a list is read through to find one person in it (my following, my followers). */
const SCAN_MAX = 1000;

let me: Promise<PersonProfile> | null = null;
/** The signed-in person (GET /users/me, once per page load). */
export function myself(): Promise<PersonProfile> {
  if (!me) {
    me = api.get<PersonProfile>("/users/me");
    me.catch(() => (me = null));
  }
  return me;
}

export const person = (id: string) => api.get<PersonProfile>(`/users/${enc(id)}`);
export const follow = (id: string) => api.request<FollowState>(`/users/${enc(id)}/follow`, { method: "PUT" });
export const unfollow = (id: string) => api.request<FollowState>(`/users/${enc(id)}/follow`, { method: "DELETE" });

/** A page of whom `id` follows or who follows `id` ("me": the signed-in person). */
export const followList = (id: string, direction: Direction, cursor?: string | null) =>
  api.page<FollowEntry>(`/users/${id === "me" ? "me" : enc(id)}/${direction}`, { limit: PAGE_SIZE }, cursor);

export const followRequests = (cursor?: string | null) =>
  api.page<FollowEntry>("/users/me/follow-requests", { limit: PAGE_SIZE }, cursor);
export const answerRequest = (id: string, approve: boolean) =>
  api.post<FollowState>(`/users/me/follow-requests/${enc(id)}/${approve ? "approve" : "decline"}`);

export const suggestions = () => api.get<{ items: PersonSummary[] }>("/users/me/suggestions");

/** Whether `id` is in one of my lists (read through, up to 1,000 people). */
async function inMyList(path: string, id: string): Promise<boolean> {
  for await (const entry of api.all<FollowEntry>(path, { limit: 100 }, SCAN_MAX)) {
    if (entry.id === id) return true;
  }
  return false;
}

/** The ids of the people I follow (read through, up to 1,000). */
export async function myFollowingIds(): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const entry of api.all<FollowEntry>("/users/me/following", { limit: 100 }, SCAN_MAX)) found.add(entry.id);
  return found;
}

export interface Ties {
  /** I follow them. */
  following: boolean;
  /** They follow me. */
  followsMe: boolean;
  /** They asked to follow me and wait for my answer. */
  asksMe: boolean;
}

/** How I and `id` are tied, from my own lists (identity has no one-pair call). */
export async function tiesWith(id: string): Promise<Ties> {
  const [following, followsMe, asksMe] = await Promise.all([
    inMyList("/users/me/following", id),
    inMyList("/users/me/followers", id),
    inMyList("/users/me/follow-requests", id),
  ]);
  return { following, followsMe, asksMe };
}

export type { Page };
