// The people area's own logic, pure (unit-tested in logic.test.ts): where I stand with a person,
// the requests this browser remembers having sent, pictures the app may show, names of
// languages.
import type { FollowState, Visibility } from "./api";

/** Where I stand with a person: myself, I follow them, I asked to, or neither. */
export type Relation = "self" | "following" | "requested" | "none";

/** My relation to a person from what the API says (`following`) and what this browser
 * remembers (`requested`: identity lists no one's outgoing requests). Following wins. */
export function relationOf(input: { myId: string; id: string; following: boolean; requested: boolean }): Relation {
  if (input.myId === input.id) return "self";
  if (input.following) return "following";
  return input.requested ? "requested" : "none";
}

/** The relation a follow, an unfollow or an answer leaves. */
export function relationAfter(state: Pick<FollowState, "following" | "requested">): Relation {
  if (state.following) return "following";
  return state.requested ? "requested" : "none";
}

/** Whether following someone of this visibility waits for their approval. */
export function needsApproval(visibility: Visibility): boolean {
  return visibility !== "public";
}

export const MAX_PENDING = 100;
const ID = /^[0-9a-f]{32}$/;

/** The ids a stored value holds (anything unreadable: none). */
export function parsePending(raw: string | null): string[] {
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    const ids = value.filter((v): v is string => typeof v === "string" && ID.test(v));
    return [...new Set(ids)].slice(0, MAX_PENDING);
  } catch {
    return [];
  }
}

/** The list with `id` added first (`on`) or taken out, at most MAX_PENDING long. */
export function withPending(ids: string[], id: string, on: boolean): string[] {
  const rest = ids.filter((other) => other !== id);
  return (on ? [id, ...rest] : rest).slice(0, MAX_PENDING);
}

/** A picture the app may show: a same-origin one only (the app's CSP loads no image from
 * elsewhere: Facebook's pictures are not shown, the initials are). */
export function pictureSrc(url: string | null | undefined, origin: string): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, origin);
    if (parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) return null;
    return parsed.pathname + parsed.search;
  } catch {
    return null;
  }
}

export const HUES = 6;
/** One of HUES colours for a person's initials, the same for the same id. */
export function hueOf(id: string): number {
  let sum = 0;
  for (const char of id) sum = (sum * 31 + char.charCodeAt(0)) % 9973;
  return sum % HUES;
}

/** "fr" → "French" (or "français" in French); an unknown tag stays as it is. */
export function languageName(tag: string, locale: string): string {
  try {
    const names = new Intl.DisplayNames([locale], { type: "language", fallback: "code" });
    const primary = tag.split("-")[0].toLowerCase();
    if (names.of(primary)?.toLowerCase() === primary) return tag; // a language Intl does not know
    const name = names.of(tag);
    if (!name) return tag;
    return locale.startsWith("fr") ? name : name[0].toUpperCase() + name.slice(1);
  } catch {
    return tag;
  }
}

/** `/people/<id>`: a person's page in this app. */
export function personPath(id: string): string {
  return `/people/${encodeURIComponent(id)}`;
}
