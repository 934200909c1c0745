import { describe, expect, it } from "vitest";
import { matchRoute, pathFor, safeReturnPath } from "./router";

const routes = [
  { name: "feed", pattern: "/" },
  { name: "inbox", pattern: "/inbox" },
  { name: "org", pattern: "/organizations/:id" },
];

describe("matchRoute", () => {
  it("matches exact paths and params, ignoring the query, hash and a trailing slash", () => {
    expect(matchRoute(routes, "/")).toEqual({ name: "feed", params: {} });
    expect(matchRoute(routes, "/?x=1")).toEqual({ name: "feed", params: {} });
    expect(matchRoute(routes, "/inbox/")).toEqual({ name: "inbox", params: {} });
    expect(matchRoute(routes, "/organizations/a%20b#news")).toEqual({ name: "org", params: { id: "a b" } });
  });

  it("matches nothing for other paths, extra segments or bad escapes", () => {
    expect(matchRoute(routes, "/organizations")).toBeNull();
    expect(matchRoute(routes, "/organizations/x/y")).toBeNull();
    expect(matchRoute(routes, "/organizations/%E0%A4%A")).toBeNull();
    expect(matchRoute(routes, "/nowhere")).toBeNull();
  });
});

describe("pathFor", () => {
  it("fills and encodes params, and refuses a missing one", () => {
    expect(pathFor("/organizations/:id", { id: "a/b" })).toBe("/organizations/a%2Fb");
    expect(() => pathFor("/organizations/:id")).toThrow(":id");
  });
});

describe("safeReturnPath", () => {
  it("keeps the app's own paths only", () => {
    expect(safeReturnPath("/inbox?x=1")).toBe("/inbox?x=1");
    for (const bad of [null, "", "inbox", "//evil.example", "/\\evil.example", "https://evil.example", "/auth/refresh"]) {
      expect(safeReturnPath(bad)).toBe("/");
    }
  });
});
