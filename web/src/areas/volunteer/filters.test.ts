import { describe, expect, it } from "vitest";
import { NO_FILTERS, dayBound, filtersFromSearch, filtersToSearch, opportunityQuery, orgQuery } from "./filters";

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
