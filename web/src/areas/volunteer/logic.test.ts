import { describe, expect, it } from "vitest";
import {
  NO_FILTERS,
  applicationAnswers,
  canWithdraw,
  clock,
  causeChanges,
  coarse,
  dayBound,
  filtersFromSearch,
  filtersToSearch,
  joinTags,
  locationOf,
  opportunityPath,
  opportunityQuery,
  orgQuery,
  parseTags,
  roundKm,
  termWords,
  weekdayName,
} from "./logic";

describe("tags", () => {
  it("trims, drops blanks and case-insensitive duplicates, keeps the first spelling", () => {
    expect(parseTags(" First aid, cooking ,,  first AID,  web   design ")).toEqual([
      "First aid",
      "cooking",
      "web design",
    ]);
  });
  it("shows identity's kept form as words", () => {
    expect(joinTags(["first-aid", "cooking"])).toBe("first aid, cooking");
    expect(joinTags(null)).toBe("");
  });
  it("stops at the maximum", () => {
    expect(parseTags("a,b,c,d", 2)).toEqual(["a", "b"]);
    expect(parseTags("")).toEqual([]);
  });
});

describe("coarse coordinates", () => {
  it("rounds to two decimals, reads a French comma, refuses garbage", () => {
    expect(coarse("45.7485")).toBe(45.75);
    expect(coarse("4,8357")).toBe(4.84);
    expect(coarse(-0.004)).toBe(-0);
    expect(coarse("")).toBeNull();
    expect(coarse("north")).toBeNull();
  });
});

describe("location", () => {
  it("keeps a city, a coarse point, or nothing", () => {
    expect(locationOf(" Lyon ", "45.7485", "4.8357")).toEqual({ city: "Lyon", lat: 45.75, lng: 4.84 });
    expect(locationOf("", "45.7", "")).toEqual({ city: null, lat: 45.7, lng: null });
    expect(locationOf("  ", "", "")).toBeNull();
  });
});

describe("cause memberships", () => {
  it("joins the new ones and leaves the dropped ones", () => {
    expect(causeChanges(["clean-water", "literacy"], ["literacy", "food-banks", "animals"])).toEqual({
      join: ["animals", "food-banks"],
      leave: ["clean-water"],
    });
    expect(causeChanges([], [])).toEqual({ join: [], leave: [] });
  });
});

describe("search filters in the address", () => {
  it("round-trip through the query string", () => {
    const filters = {
      ...NO_FILTERS,
      q: "riverbank",
      cause: "clean-water",
      skills: "first aid",
      nearMe: true,
      radius: "10",
      remote: "onsite" as const,
      from: "2026-12-05",
      to: "2026-12-06",
      available: true,
      sort: "distance" as const,
    };
    const search = filtersToSearch(filters);
    expect(search).toBe(
      "?q=riverbank&cause=clean-water&near=me&radius=10&skills=first+aid&remote=onsite&from=2026-12-05&to=2026-12-06&available=me&sort=distance",
    );
    expect(filtersFromSearch(search)).toEqual(filters);
  });
  it("no filter is an empty query, and bad values are dropped", () => {
    expect(filtersToSearch(NO_FILTERS)).toBe("");
    expect(filtersFromSearch("?cause=Bad Slug&from=tomorrow&remote=maybe&radius=-3&sort=best")).toEqual(NO_FILTERS);
    expect(filtersFromSearch("?kind=organizations&sort=soonest").sort).toBe(""); // not for organizations
  });
  it("organizations keep only what GET /orgs takes", () => {
    const search = filtersToSearch({ ...NO_FILTERS, kind: "organizations", q: "eau", skills: "x", remote: "remote" });
    expect(search).toBe("?kind=organizations&q=eau");
  });
});

describe("API queries", () => {
  const lyon = { lat: 45.75, lng: 4.85 };
  it("GET /opportunities: tags joined by commas, remote as a boolean, days as instants", () => {
    const query = opportunityQuery(
      { ...NO_FILTERS, q: " clean ", skills: "first aid, cooking", remote: "remote", from: "2026-12-05" },
      lyon,
    );
    expect(query.q).toBe("clean");
    expect(query.skills).toBe("first aid,cooking");
    expect(query.remote).toBe(true);
    expect(query.from).toBe(new Date(2026, 11, 5).toISOString());
    expect(query.to).toBeUndefined();
    expect(query.near).toBeUndefined(); // not asked for
    expect(opportunityQuery({ ...NO_FILTERS, remote: "onsite" }, null).remote).toBe(false);
  });
  it("near me needs a point; the radius is capped at 500 km", () => {
    expect(opportunityQuery({ ...NO_FILTERS, nearMe: true, radius: "900" }, lyon)).toMatchObject({
      near: "45.75,4.85",
      radius_km: 500,
    });
    expect(orgQuery({ ...NO_FILTERS, nearMe: true }, null)).toEqual({ q: undefined, cause: undefined, sort: undefined });
  });
  it("sorts by distance only near a point; soonest is for opportunities", () => {
    expect(opportunityQuery({ ...NO_FILTERS, sort: "distance" }, lyon).sort).toBeUndefined();
    expect(opportunityQuery({ ...NO_FILTERS, sort: "distance", nearMe: true }, lyon).sort).toBe("distance");
    expect(opportunityQuery({ ...NO_FILTERS, sort: "soonest" }, null).sort).toBe("soonest");
    expect(orgQuery({ ...NO_FILTERS, kind: "organizations", sort: "soonest" }, null).sort).toBeUndefined();
  });
  it("a day's end is its last millisecond", () => {
    expect(dayBound("2026-12-06", true)).toBe(new Date(2026, 11, 6, 23, 59, 59, 999).toISOString());
    expect(dayBound("06/12/2026")).toBeUndefined();
  });
});

describe("applications", () => {
  const questions = [
    { id: "q1", text: "Why?", required: true },
    { id: "q2", text: "Anything else?", required: false },
  ];
  it("sends the answered questions and names the required blank ones", () => {
    expect(applicationAnswers(questions, { q1: "  ", q2: "Boots" })).toEqual({
      answers: [{ question_id: "q2", text: "Boots" }],
      missing: ["q1"],
    });
    expect(applicationAnswers(questions, { q1: "I like rivers" }).missing).toEqual([]);
  });
  it("only live applications can be withdrawn", () => {
    expect(["pending", "accepted", "waitlisted"].every(canWithdraw)).toBe(true);
    expect(["declined", "withdrawn", "expired", "cancelled"].some(canWithdraw)).toBe(false);
  });
  it("the app's paths never start like the API's", () => {
    expect(opportunityPath("ab12")).toBe("/volunteer/opportunities/ab12");
    expect(opportunityPath("ab12", "c d")).toBe("/volunteer/opportunities/ab12?invitation=c%20d");
    expect(roundKm(3.456)).toBe(3.5);
    expect(roundKm(12.6)).toBe(13);
  });
});

describe("a weekly pattern", () => {
  it("names the days in the person's language and shortens times", () => {
    expect(weekdayName("en", "mon")).toBe("Monday");
    expect(weekdayName("fr", "sat")).toBe("samedi");
    expect(weekdayName("en", "someday")).toBe("someday");
    expect(clock("09:30:00")).toBe("09:30");
  });
});

describe("why a recommendation", () => {
  const term = (name: string, value: unknown) => ({ name, value, points: 1, sentence: "orgs' words" });
  it("puts each known term in this app's words, with what to list", () => {
    expect(termWords(term("skills", ["first-aid"]), false)).toEqual({
      key: "volunteer.why.skills",
      list: { kind: "skills", items: ["first-aid"] },
    });
    expect(termWords(term("causes", ["clean-water"]), false)?.list).toEqual({ kind: "causes", items: ["clean-water"] });
    expect(termWords(term("availability", ["weekend_mornings"]), false)?.list?.kind).toBe("parts");
  });
  it("distance: remote, under a kilometre, or rounded kilometres", () => {
    expect(termWords(term("distance", 0), true)).toEqual({ key: "volunteer.why.remote" });
    expect(termWords(term("distance", 0), false)).toEqual({ key: "volunteer.find.close" });
    expect(termWords(term("distance", 12.4), false)).toEqual({ key: "volunteer.find.away", values: { km: 12 } });
  });
  it("freshness and responsiveness count days and hours", () => {
    expect(termWords(term("freshness", 0), false)).toEqual({ key: "volunteer.why.today" });
    expect(termWords(term("freshness", 3), false)).toEqual({ key: "volunteer.why.daysAgo", values: { count: 3 } });
    expect(termWords(term("responsiveness", 5.4), false)?.values).toEqual({ count: 5 });
    expect(termWords(term("responsiveness", 50), false)).toEqual({ key: "volunteer.why.answersDays", values: { count: 2 } });
  });
  it("an unknown term is left to orgs' sentence", () => {
    expect(termWords(term("karma", 1), false)).toBeNull();
  });
});
