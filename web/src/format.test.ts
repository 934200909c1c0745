import { describe, expect, it } from "vitest";
import { initials, partyPath, safeHttpUrl, text } from "./format";

describe("format helpers", () => {
  it("initials of up to two words", () => {
    expect(initials("Water for All")).toBe("WA");
    expect(initials("Oxfam")).toBe("O");
    expect(initials("  ")).toBe("?");
    expect(initials("élan solidaire")).toBe("ÉS");
  });

  it("links only to http(s) URLs", () => {
    expect(safeHttpUrl("https://water.example/")).toBe("https://water.example/");
    expect(safeHttpUrl("javascript:alert(1)")).toBeNull();
    expect(safeHttpUrl("data:text/html,x")).toBeNull();
    expect(safeHttpUrl(42)).toBeNull();
  });

  it("the first non-empty string field", () => {
    expect(text({ title: " ", name: "N" }, "title", "name")).toBe("N");
    expect(text(null, "title")).toBe("");
  });

  it("organizations have pages in the app, outside the API's /orgs", () => {
    expect(partyPath("org", "o 1")).toBe("/organizations/o%201");
    expect(partyPath("person", "u1")).toBeNull();
  });
});
