// The organization area's own logic, without the DOM (unit-tested in logic.test.ts): reading
// the access token's claims, the organizations this browser manages, the bodies the forms send.
import type { Day, EventBody, Hq, OpportunityBody, OrgFields, Question, SlotIn } from "./api";

/** The claims of a JWT's payload (for the interface only: the services check the token). */
export function tokenClaims(token: string | null): { sub?: string; roles?: string[] } {
  const payload = token?.split(".")[1];
  if (!payload) return {};
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const json = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === "object" ? (claims as { sub?: string; roles?: string[] }) : {};
  } catch {
    return {};
  }
}

export function isModerator(token: string | null): boolean {
  const roles = tokenClaims(token).roles;
  return Array.isArray(roles) && roles.includes("moderator");
}

// The API has no "organizations I belong to" list yet, so this browser remembers the ones its
// person created, accepted an invitation to or opened to manage (ids only, per person); each is
// read again from GET /orgs/{id}, which says your_role — one you no longer belong to drops out.
const KNOWN_KEY = "jumo.organization.managed";
export const KNOWN_MAX = 50;

export type Known = Record<string, string[]>;

export function withKnown(known: Known, user: string, orgId: string): Known {
  const ids = [orgId, ...(known[user] ?? []).filter((id) => id !== orgId)].slice(0, KNOWN_MAX);
  return { ...known, [user]: ids };
}

export function withoutKnown(known: Known, user: string, orgId: string): Known {
  return { ...known, [user]: (known[user] ?? []).filter((id) => id !== orgId) };
}

export function parseKnown(text: string | null): Known {
  try {
    const value: unknown = JSON.parse(text ?? "{}");
    if (!value || typeof value !== "object" || Array.isArray(value)) return {};
    const known: Known = {};
    for (const [user, ids] of Object.entries(value as Record<string, unknown>)) {
      if (Array.isArray(ids)) known[user] = ids.filter((id): id is string => typeof id === "string");
    }
    return known;
  } catch {
    return {};
  }
}

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null;
  }
}

export function knownOrgs(user: string): string[] {
  return parseKnown(storage()?.getItem(KNOWN_KEY) ?? null)[user] ?? [];
}

function saveKnown(change: (known: Known) => Known): void {
  const store = storage();
  if (!store) return;
  try {
    store.setItem(KNOWN_KEY, JSON.stringify(change(parseKnown(store.getItem(KNOWN_KEY)))));
  } catch {
    // storage full or refused: the list lasts this page only
  }
}

export function rememberOrg(user: string, orgId: string): void {
  saveKnown((known) => withKnown(known, user, orgId));
}

export function forgetOrg(user: string, orgId: string): void {
  saveKnown((known) => withoutKnown(known, user, orgId));
}

// --- forms -------------------------------------------------------------------------------

export interface OrgForm {
  name: string;
  mission: string;
  description: string;
  website: string;
  contactEmail: string;
  city: string;
  country: string;
  lat: string;
  lng: string;
  causes: string[];
}

export const EMPTY_ORG_FORM: OrgForm = {
  name: "",
  mission: "",
  description: "",
  website: "",
  contactEmail: "",
  city: "",
  country: "",
  lat: "",
  lng: "",
  causes: [],
};

export type FormProblem = "name" | "causes" | "hq" | "coordinates";

/** A coordinate typed by a person ("45,76" or "45.76"), or null; NaN when it is not one. */
export function coordinate(value: string, limit: number): number | null {
  const text = value.trim().replace(",", ".");
  if (!text) return null;
  const number = Number(text);
  return Number.isFinite(number) && Math.abs(number) <= limit ? number : Number.NaN;
}

/** What the organization form sends (POST /orgs, PATCH /orgs/{id}), or what is wrong with it. */
export function orgBody(form: OrgForm): { body: OrgFields } | { problem: FormProblem } {
  const name = form.name.trim();
  if (!name) return { problem: "name" };
  if (form.causes.length === 0) return { problem: "causes" };
  const city = form.city.trim();
  const country = form.country.trim().toUpperCase();
  if (Boolean(city) !== Boolean(country) || (country && !/^[A-Z]{2}$/.test(country))) {
    return { problem: "hq" };
  }
  const lat = coordinate(form.lat, 90);
  const lng = coordinate(form.lng, 180);
  if (Number.isNaN(lat) || Number.isNaN(lng) || (lat === null) !== (lng === null)) {
    return { problem: "coordinates" };
  }
  const hq: Hq | null = city ? { city, country, lat, lng } : null;
  const optional = (value: string) => value.trim() || null;
  return {
    body: {
      name,
      mission: optional(form.mission),
      description: optional(form.description),
      website: optional(form.website),
      contact_email: optional(form.contactEmail),
      hq,
      causes: form.causes,
    },
  };
}

/** The form's fields for an organization as the API answers it (editing). */
export function orgForm(org: OrgFields): OrgForm {
  return {
    name: org.name ?? "",
    mission: org.mission ?? "",
    description: org.description ?? "",
    website: org.website ?? "",
    contactEmail: org.contact_email ?? "",
    city: org.hq?.city ?? "",
    country: org.hq?.country ?? "",
    lat: org.hq?.lat == null ? "" : String(org.hq.lat),
    lng: org.hq?.lng == null ? "" : String(org.hq.lng),
    causes: org.causes ?? [],
  };
}

/** Only what changed between two bodies (PATCH sends only the fields that change). */
export function changedFields(before: OrgFields, after: OrgFields): OrgFields {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    const old = (before as Record<string, unknown>)[key] ?? null;
    if (JSON.stringify(old) !== JSON.stringify(value ?? null)) changed[key] = value;
  }
  return changed as OrgFields;
}

function idAfter(input: string, pattern: RegExp): string {
  const text = input.trim();
  const match = pattern.exec(text);
  try {
    return match ? decodeURIComponent(match[1]) : text;
  } catch {
    return text;
  }
}

/** A person's id from what an admin pastes: the id itself, or their profile's address. */
export function personId(input: string): string {
  return idAfter(input, /\/(?:people|users)\/([^/?#\s]+)/);
}

/** An organization's id from its id or one of its addresses (its page, its dashboard). */
export function orgId(input: string): string {
  return idAfter(input, /\/(?:organizations|manage|orgs)\/([^/?#\s]+)/);
}

/** A datetime-local value ("2026-12-10T09:00", the browser's time) as an ISO instant, or null. */
export function localInstant(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export interface SlotForm {
  startsAt: string;
  endsAt: string;
  places: string;
}

export const DAYS: readonly Day[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export interface PatternForm {
  days: Day[];
  startTime: string;
  endTime: string;
  hours: string;
  startsOn: string;
  endsOn: string;
}

export interface OpportunityForm {
  title: string;
  description: string;
  causes: string[];
  kind: "one_off" | "recurring" | "ongoing";
  slots: SlotForm[];
  pattern: PatternForm;
  places: string;
  city: string;
  country: string;
  remote: boolean;
  skills: string;
  questions: Array<{ text: string; required: boolean }>;
  publish: boolean;
}

export type OpportunityProblem = "title" | "description" | "causes" | "slots" | "pattern" | "places";

/** A weekly pattern as the API takes it (days in the week's order), or null when incomplete:
 * times "HH:MM" with the end after the start, 0 < hours ≤ 24, dates with the end not before. */
export function patternBody(form: PatternForm) {
  const time = /^([01]\d|2[0-3]):[0-5]\d$/;
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const hours = Number(form.hours.replace(",", "."));
  const days = DAYS.filter((d) => form.days.includes(d));
  if (days.length === 0 || !time.test(form.startTime) || !time.test(form.endTime)) return null;
  if (form.endTime <= form.startTime || !(hours > 0 && hours <= 24)) return null;
  if (!day.test(form.startsOn) || !day.test(form.endsOn) || form.endsOn < form.startsOn) return null;
  return {
    days,
    start_time: form.startTime,
    end_time: form.endTime,
    hours_per_session: hours,
    starts_on: form.startsOn,
    ends_on: form.endsOn,
  };
}

function places(value: string): number | null {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 10000 ? n : null;
}

/** What the opportunity form sends (POST /orgs/{id}/opportunities), or what is wrong. */
export function opportunityBody(
  form: OpportunityForm,
  timeZone: string,
): { body: OpportunityBody } | { problem: OpportunityProblem } {
  const title = form.title.trim();
  const description = form.description.trim();
  if (!title) return { problem: "title" };
  if (!description) return { problem: "description" };
  if (form.causes.length === 0) return { problem: "causes" };
  let commitment: OpportunityBody["commitment"];
  if (form.kind === "one_off") {
    const slots: SlotIn[] = [];
    for (const slot of form.slots) {
      const startsAt = localInstant(slot.startsAt);
      const endsAt = localInstant(slot.endsAt);
      const n = places(slot.places);
      if (!startsAt || !endsAt || n === null || endsAt <= startsAt) return { problem: "slots" };
      slots.push({ starts_at: startsAt, ends_at: endsAt, places: n });
    }
    if (slots.length === 0) return { problem: "slots" };
    commitment = { kind: "one_off", slots };
  } else {
    const n = places(form.places);
    if (n === null) return { problem: "places" };
    if (form.kind === "recurring") {
      const pattern = patternBody(form.pattern);
      if (!pattern) return { problem: "pattern" };
      commitment = { kind: "recurring", places: n, ...pattern };
    } else {
      commitment = { kind: "ongoing", places: n };
    }
  }
  const questions: Question[] = form.questions
    .map((q) => ({ text: q.text.trim(), required: q.required }))
    .filter((q) => q.text);
  const city = form.city.trim();
  const country = form.country.trim().toUpperCase();
  return {
    body: {
      title,
      description,
      causes: form.causes,
      commitment,
      time_zone: timeZone,
      remote: form.remote,
      place: city || country ? { city: city || null, country: country || null } : null,
      skills_wanted: form.skills
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      questions,
      publish: form.publish,
    },
  };
}

export interface EventForm {
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  capacity: string;
  onlineUrl: string;
  address: string;
  city: string;
  lat: string;
  lng: string;
}

/** What the event form sends (POST /orgs/{id}/events), or null when it is incomplete. */
export function eventBody(form: EventForm, timeZone: string): EventBody | null {
  const title = form.title.trim();
  const startsAt = localInstant(form.startsAt);
  const endsAt = localInstant(form.endsAt);
  const capacity = places(form.capacity);
  if (!title || !startsAt || !endsAt || endsAt <= startsAt || capacity === null) return null;
  const lat = coordinate(form.lat, 90);
  const lng = coordinate(form.lng, 180);
  const address = form.address.trim();
  const city = form.city.trim();
  const place =
    address && city && typeof lat === "number" && typeof lng === "number" && !Number.isNaN(lat + lng)
      ? { address, city, lat, lng }
      : null;
  const onlineUrl = form.onlineUrl.trim() || null;
  if (!place && !onlineUrl) return null;
  return {
    title,
    description: form.description.trim() || undefined, // sent, it must not be blank
    starts_at: startsAt,
    ends_at: endsAt,
    time_zone: timeZone,
    capacity,
    online_url: onlineUrl,
    place,
  };
}

/** The browser's IANA time zone ("Europe/Paris"), else UTC. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** A 0-1 rate as a whole percentage, or null. */
export function percent(rate: number | null | undefined): number | null {
  return typeof rate === "number" && Number.isFinite(rate) ? Math.round(rate * 100) : null;
}

/** "2026-12" as "December 2026" / "décembre 2026" (i18n.ts's formatDate has no month-only
 * style); the text itself when it is not a month. */
export function formatMonth(locale: string, month: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) return month;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}
