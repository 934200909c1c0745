// The settings area's pure logic (no DOM, no fetch; unit-tested in logic.test.ts): the profile
// form and the patch of what changed in it, the notification kinds in groups and the change of
// what was ticked, sharing joins on Facebook, the export's file name.
import { AVAILABILITY_PARTS, coarse, joinTags, parseTags } from "../../profile";
import type { Channels, Digest, MyProfile, Preferences, PreferencesChange, ProfilePatch } from "./api";

/** The notifier's kinds, grouped as a person thinks of them (kinds it adds later: "other"). */
export const KIND_GROUPS = [
  { group: "people", kinds: ["welcome", "friend_joined", "followed", "follow_requested"] },
  {
    group: "applications",
    kinds: [
      "application_received",
      "application_accepted",
      "application_declined",
      "application_waitlisted",
      "application_promoted",
      "application_expired",
    ],
  },
  { group: "organizations", kinds: ["org_post", "opportunity_match", "event_tomorrow", "joined_cause"] },
  { group: "account", kinds: ["org_verified", "org_rejected", "page_link_broken", "email_stopped"] },
] as const;
export type KindGroup = (typeof KIND_GROUPS)[number]["group"] | "other";

/** The kinds whose Facebook channel shows a join on Facebook (notifier's FACEBOOK_KINDS). */
export const FACEBOOK_KINDS = ["welcome", "joined_cause", "application_accepted"] as const;

export const DIGESTS: readonly Digest[] = ["daily", "weekly", "never"];

/** The kinds of a preferences answer in KIND_GROUPS' order, unknown ones last under "other". */
export function groupedKinds(kinds: Record<string, unknown>): Array<{ group: KindGroup; kinds: string[] }> {
  const present = new Set(Object.keys(kinds));
  const known = new Set<string>(KIND_GROUPS.flatMap((g) => [...g.kinds]));
  const groups: Array<{ group: KindGroup; kinds: string[] }> = KIND_GROUPS.map((g) => ({
    group: g.group,
    kinds: g.kinds.filter((k) => present.has(k)),
  }));
  const other = [...present].filter((k) => !known.has(k)).sort();
  if (other.length) groups.push({ group: "other", kinds: other });
  return groups.filter((g) => g.kinds.length > 0);
}

// --- the profile -------------------------------------------------------------------------

/** The profile form's fields, as text (what the inputs hold). */
export interface ProfileForm {
  displayName: string;
  bio: string;
  skills: string;
  interests: string;
  languages: string;
  city: string;
  lat: string;
  lng: string;
  radius: string;
  parts: string[];
  hours: string;
}

export function profileFormOf(profile: MyProfile): ProfileForm {
  return {
    displayName: profile.display_name,
    bio: profile.bio ?? "",
    skills: joinTags(profile.skills),
    interests: joinTags(profile.interests),
    languages: (profile.languages ?? []).join(", "),
    city: profile.location?.city ?? "",
    lat: profile.location?.lat?.toString() ?? "",
    lng: profile.location?.lng?.toString() ?? "",
    radius: String(profile.radius_km ?? 25),
    parts: AVAILABILITY_PARTS.filter((p) => profile.availability?.parts?.includes(p)),
    hours: profile.availability?.hours_per_month?.toString() ?? "",
  };
}

function wholeNumber(text: string, min: number, max: number): number | null {
  if (!text.trim()) return null;
  const n = Math.round(Number(text));
  return Number.isFinite(n) ? Math.max(min, Math.min(max, n)) : null;
}

/** PATCH /users/me for what changed from `before` to `after` (empty: nothing to save). A field
 * emptied clears it (null, or an empty list); a location or an availability goes as a whole. */
export function profilePatch(before: ProfileForm, after: ProfileForm): ProfilePatch {
  const patch: ProfilePatch = {};
  const changed = (...keys: Array<keyof ProfileForm>) => keys.some((k) => String(before[k]) !== String(after[k]));
  if (changed("displayName")) patch.display_name = after.displayName.trim();
  if (changed("bio")) patch.bio = after.bio.trim() || null;
  if (changed("skills")) patch.skills = parseTags(after.skills);
  if (changed("interests")) patch.interests = parseTags(after.interests);
  if (changed("languages")) patch.languages = parseTags(after.languages.replace(/\s+/g, ","), 20);
  if (changed("city", "lat", "lng")) {
    const place = { city: after.city.trim() || null, lat: coarse(after.lat), lng: coarse(after.lng) };
    patch.location = place.city || place.lat !== null || place.lng !== null ? place : null;
  }
  if (changed("radius")) patch.radius_km = wholeNumber(after.radius, 1, 500) ?? 25;
  if (changed("parts", "hours")) {
    patch.availability = {
      parts: AVAILABILITY_PARTS.filter((p) => after.parts.includes(p)),
      hours_per_month: wholeNumber(after.hours, 0, 744),
    };
  }
  return patch;
}

// --- notifications -----------------------------------------------------------------------

export interface NotificationForm {
  kinds: Record<string, { in_app: boolean; email: boolean }>;
  digest: Digest;
  quiet: boolean;
  start: string;
  end: string;
  zone: string;
}

/** "22:00:00" → "22:00" (what an input of type time holds). */
export function timeOf(value: string | null | undefined, fallback: string): string {
  const match = /^(\d{2}):(\d{2})/.exec(value ?? "");
  return match ? `${match[1]}:${match[2]}` : fallback;
}

export function notificationFormOf(prefs: Preferences, zone: string): NotificationForm {
  const kinds: NotificationForm["kinds"] = {};
  for (const [kind, channels] of Object.entries(prefs.kinds)) {
    kinds[kind] = { in_app: channels.in_app, email: channels.email };
  }
  return {
    kinds,
    digest: prefs.digest,
    quiet: Boolean(prefs.quiet_hours),
    start: timeOf(prefs.quiet_hours?.start, "22:00"),
    end: timeOf(prefs.quiet_hours?.end, "07:00"),
    zone: prefs.quiet_hours?.time_zone ?? zone,
  };
}

/** PUT /notifications/preferences for what changed (empty: nothing to save): per kind only
 * the channels ticked or unticked, the digest, the quiet hours (null: none any more). */
export function preferencesChange(before: NotificationForm, after: NotificationForm): PreferencesChange {
  const change: PreferencesChange = {};
  const kinds: Record<string, Partial<Channels>> = {};
  for (const [kind, channels] of Object.entries(after.kinds)) {
    const was = before.kinds[kind];
    const diff: Partial<Channels> = {};
    if (!was || was.in_app !== channels.in_app) diff.in_app = channels.in_app;
    if (!was || was.email !== channels.email) diff.email = channels.email;
    if (Object.keys(diff).length) kinds[kind] = diff;
  }
  if (Object.keys(kinds).length) change.kinds = kinds;
  if (before.digest !== after.digest) change.digest = after.digest;
  const quietChanged =
    before.quiet !== after.quiet ||
    (after.quiet && (before.start !== after.start || before.end !== after.end || before.zone !== after.zone));
  if (quietChanged) {
    change.quiet_hours = after.quiet ? { start: after.start, end: after.end, time_zone: after.zone } : null;
  }
  return change;
}

export function isEmpty(change: object): boolean {
  return Object.keys(change).length === 0;
}

// --- sharing joins on Facebook -----------------------------------------------------------

/** Whether joins are shown on Facebook: every join kind on ("on"), none ("off"), or some. */
export function sharingOf(kinds: Record<string, Channels>): "on" | "off" | "partly" {
  const on = FACEBOOK_KINDS.filter((k) => kinds[k]?.facebook === true).length;
  if (on === FACEBOOK_KINDS.length) return "on";
  return on === 0 ? "off" : "partly";
}

/** The change that shows (or stops showing) every kind of join on Facebook. */
export function sharingChange(on: boolean): PreferencesChange {
  return { kinds: Object.fromEntries(FACEBOOK_KINDS.map((kind) => [kind, { facebook: on }])) };
}

// --- my data -----------------------------------------------------------------------------

/** The export's file name: jumo-my-data-2026-12-03.json (the day in UTC). */
export function exportName(now: Date = new Date()): string {
  return `jumo-my-data-${now.toISOString().slice(0, 10)}.json`;
}

/** The IANA time zones this browser knows, with `current` among them, sorted. */
export function timeZones(known: readonly string[], current: string): string[] {
  const zones = new Set(known);
  if (current) zones.add(current);
  return [...zones].sort();
}
