// The volunteer area's pure logic (no DOM, no fetch): a coarse location, which cause
// memberships change, answers to an application's questions, a weekly pattern and a
// recommendation's reasons in words. Unit-tested in logic.test.ts (the search filters:
// filters.ts; tags, the week and coordinates, shared with the other areas: ../../profile.ts).
import { coarse } from "../../profile";

export const APPLICATION_STATUSES = [
  "pending",
  "accepted",
  "declined",
  "waitlisted",
  "withdrawn",
  "expired",
  "cancelled",
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** The profile's location from the form's fields (null: none at all). */
export function locationOf(
  city: string,
  lat: string,
  lng: string,
): { city: string | null; lat: number | null; lng: number | null } | null {
  const place = { city: city.trim() || null, lat: coarse(lat), lng: coarse(lng) };
  return place.city || place.lat !== null || place.lng !== null ? place : null;
}

/** Which memberships to add and which to drop to go from `before` to `after`. */
export function causeChanges(
  before: Iterable<string>,
  after: Iterable<string>,
): { join: string[]; leave: string[] } {
  const was = new Set(before);
  const now = new Set(after);
  return {
    join: [...now].filter((slug) => !was.has(slug)).sort(),
    leave: [...was].filter((slug) => !now.has(slug)).sort(),
  };
}

/** A distance as people read it: one decimal under 10 km, whole kilometres above. */
export function roundKm(km: number): number {
  return km < 10 ? Math.round(km * 10) / 10 : Math.round(km);
}

// --- applications ---------------------------------------------------------------------------

export interface Question {
  id: string;
  text: string;
  required: boolean;
}

/** The answers to send (the blank ones left out) and the required questions left blank. */
export function applicationAnswers(
  questions: readonly Question[],
  values: Record<string, string>,
): { answers: Array<{ question_id: string; text: string }>; missing: string[] } {
  const answers: Array<{ question_id: string; text: string }> = [];
  const missing: string[] = [];
  for (const question of questions) {
    const text = (values[question.id] ?? "").trim();
    if (text) answers.push({ question_id: question.id, text });
    else if (question.required) missing.push(question.id);
  }
  return { answers, missing };
}

/** Whether the volunteer may still withdraw an application in this state (a live one). */
export function canWithdraw(status: string): boolean {
  return status === "pending" || status === "accepted" || status === "waitlisted";
}

/** The app's page of an opportunity (never its API path, /opportunities/…); with
 * `invitation`, the page answers that invitation instead of applying. */
export function opportunityPath(id: string, invitation?: string): string {
  const path = `/volunteer/opportunities/${encodeURIComponent(id)}`;
  return invitation ? `${path}?invitation=${encodeURIComponent(invitation)}` : path;
}

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** orgs' weekday ("mon") in words in `locale` ("Monday", "lundi"); unknown ones as they are. */
export function weekdayName(locale: string, day: string): string {
  const index = (WEEKDAYS as readonly string[]).indexOf(day);
  if (index < 0) return day;
  const monday = new Date(Date.UTC(2024, 0, 1 + index, 12)); // 1 January 2024 was a Monday
  return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(monday);
}

/** "09:00:00" → "09:00" (a session's time of day, in the opportunity's own time zone). */
export function clock(time: string): string {
  return /^\d{2}:\d{2}/.test(time) ? time.slice(0, 5) : time;
}

// --- why an opportunity is recommended, in the person's language -----------------------------

/** One reason of a recommendation's score as orgs sends it (name, measured value, points). */
export interface ScoreTerm {
  name: string;
  value: unknown;
  points: number;
  sentence: string;
}

export interface Words {
  key: string;
  values?: Record<string, string | number>;
  /** Lists to put in words first: skills (as typed), causes (by name), parts of the week. */
  list?: { kind: "skills" | "causes" | "parts"; items: string[] };
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** A term in words of this app's catalogue (`volunteer.why.*`), from its name and value — orgs'
 * own sentence is English only; null for a term this app does not know (show orgs' sentence). */
export function termWords(term: ScoreTerm, remote: boolean): Words | null {
  const n = typeof term.value === "number" ? term.value : 0;
  switch (term.name) {
    case "skills":
      return { key: "volunteer.why.skills", list: { kind: "skills", items: strings(term.value) } };
    case "causes":
      return { key: "volunteer.why.causes", list: { kind: "causes", items: strings(term.value) } };
    case "followed":
      return { key: "volunteer.why.followed" };
    case "distance":
      if (remote && n === 0) return { key: "volunteer.why.remote" };
      return n < 1 ? { key: "volunteer.find.close" } : { key: "volunteer.find.away", values: { km: roundKm(n) } };
    case "availability":
      return { key: "volunteer.why.availability", list: { kind: "parts", items: strings(term.value) } };
    case "freshness":
      return n === 0 ? { key: "volunteer.why.today" } : { key: "volunteer.why.daysAgo", values: { count: n } };
    case "responsiveness":
      return n < 24
        ? { key: "volunteer.why.answersHours", values: { count: Math.max(1, Math.round(n)) } }
        : { key: "volunteer.why.answersDays", values: { count: Math.round(n / 24) } };
    default:
      return null;
  }
}
