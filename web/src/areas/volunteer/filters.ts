// The search's filters (/find): kept in the address, and the API queries they make (GET
// /opportunities, GET /orgs). Pure; unit-tested in filters.test.ts.
import type { Query } from "../../api";
import { parseTags } from "../../profile";

export type FindKind = "opportunities" | "organizations";
export type RemoteChoice = "" | "remote" | "onsite";
/** "": the API's default for the filters (relevance with words, else distance near me, …). */
export type SortChoice = "" | "distance" | "soonest" | "newest";
export const SORTS: Record<FindKind, readonly SortChoice[]> = {
  opportunities: ["", "distance", "soonest", "newest"],
  organizations: ["", "distance", "newest"],
};

export interface FindFilters {
  kind: FindKind;
  q: string;
  cause: string;
  skills: string;
  /** Search around the person's location (their profile's point). */
  nearMe: boolean;
  radius: string;
  remote: RemoteChoice;
  /** yyyy-mm-dd, as a date input gives it. */
  from: string;
  to: string;
  available: boolean;
  sort: SortChoice;
}

export const NO_FILTERS: FindFilters = {
  kind: "opportunities",
  q: "",
  cause: "",
  skills: "",
  nearMe: false,
  radius: "",
  remote: "",
  from: "",
  to: "",
  available: false,
  sort: "",
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters an address's query holds (what a reload or a shared link gives back). */
export function filtersFromSearch(search: string): FindFilters {
  const p = new URLSearchParams(search);
  const remote = p.get("remote");
  const kind: FindKind = p.get("kind") === "organizations" ? "organizations" : "opportunities";
  const sort = (p.get("sort") ?? "") as SortChoice;
  const date = (name: string) => {
    const value = p.get(name) ?? "";
    return DATE.test(value) ? value : "";
  };
  return {
    kind,
    q: p.get("q") ?? "",
    cause: /^[a-z0-9-]+$/.test(p.get("cause") ?? "") ? (p.get("cause") as string) : "",
    skills: p.get("skills") ?? "",
    nearMe: p.get("near") === "me",
    radius: /^\d+(\.\d+)?$/.test(p.get("radius") ?? "") ? (p.get("radius") as string) : "",
    remote: remote === "remote" || remote === "onsite" ? remote : "",
    from: date("from"),
    to: date("to"),
    available: p.get("available") === "me",
    sort: SORTS[kind].includes(sort) ? sort : "",
  };
}

/** The address's query for `filters` ("" when none is set); the inverse of filtersFromSearch. */
export function filtersToSearch(f: FindFilters): string {
  const p = new URLSearchParams();
  if (f.kind === "organizations") p.set("kind", "organizations");
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.cause) p.set("cause", f.cause);
  if (f.nearMe) {
    p.set("near", "me");
    if (f.radius) p.set("radius", f.radius);
  }
  if (f.kind === "opportunities") {
    if (f.skills.trim()) p.set("skills", f.skills.trim());
    if (f.remote) p.set("remote", f.remote);
    if (f.from) p.set("from", f.from);
    if (f.to) p.set("to", f.to);
    if (f.available) p.set("available", "me");
  }
  if (f.sort && SORTS[f.kind].includes(f.sort)) p.set("sort", f.sort);
  const text = p.toString();
  return text ? `?${text}` : "";
}

/** The start (or, with `end`, the last millisecond) of a local calendar day, as RFC 3339 UTC. */
export function dayBound(day: string, end = false): string | undefined {
  if (!DATE.test(day)) return undefined;
  const [y, m, d] = day.split("-").map(Number);
  const date = end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export interface Point {
  lat: number;
  lng: number;
}

function nearQuery(f: FindFilters, point: Point | null): Query {
  const sort = f.sort && SORTS[f.kind].includes(f.sort) ? f.sort : undefined;
  if (!f.nearMe || !point) return { sort: sort === "distance" ? undefined : sort };
  const radius = Number(f.radius);
  return {
    near: `${point.lat},${point.lng}`,
    radius_km: radius > 0 ? Math.min(radius, 500) : undefined,
    sort,
  };
}

/** GET /opportunities's query for `filters`; `point`: the person's location, for "near me". */
export function opportunityQuery(f: FindFilters, point: Point | null): Query {
  return {
    q: f.q.trim() || undefined,
    cause: f.cause || undefined,
    skills: parseTags(f.skills).join(",") || undefined,
    ...nearQuery(f, point),
    remote: f.remote === "remote" ? true : f.remote === "onsite" ? false : undefined,
    from: dayBound(f.from),
    to: dayBound(f.to, true),
    available: f.available ? "me" : undefined,
  };
}

/** GET /orgs's query for `filters`. */
export function orgQuery(f: FindFilters, point: Point | null): Query {
  return { q: f.q.trim() || undefined, cause: f.cause || undefined, ...nearQuery(f, point) };
}
