import { describe, expect, it } from "vitest";
import { coarse, joinTags, orderedParts, parseTags, slugLabel, tagLabel } from "./profile";

describe("tags", () => {
  it("trims, drops blanks and case-insensitive repeats, keeps the first spelling", () => {
    expect(parseTags(" First aid, cooking ,,  first AID,  web   design ")).toEqual(["First aid", "cooking", "web design"]);
  });
  it("stops at the maximum", () => {
    expect(parseTags("a,b,c,d", 2)).toEqual(["a", "b"]);
    expect(parseTags("")).toEqual([]);
  });
  it("shows identity's kept form as words", () => {
    expect(tagLabel("data-science")).toBe("data science");
    expect(joinTags(["first-aid", "cooking"])).toBe("first aid, cooking");
    expect(joinTags(null)).toBe("");
  });
});

describe("coarse coordinates", () => {
  it("rounds to two decimals, reads a French comma, refuses blanks and garbage", () => {
    expect(coarse("45.7485")).toBe(45.75);
    expect(coarse(" 4,8357 ")).toBe(4.84);
    expect(coarse(-0.004)).toBe(-0);
    expect(coarse("")).toBeNull();
    expect(coarse("   ")).toBeNull();
    expect(coarse(null)).toBeNull();
    expect(coarse("north")).toBeNull();
  });
});

describe("the week and slugs", () => {
  it("orders the parts of the week and drops unknown ones", () => {
    expect(orderedParts(["weekend_evenings", "nope", "weekday_mornings"])).toEqual(["weekday_mornings", "weekend_evenings"]);
    expect(orderedParts(undefined)).toEqual([]);
  });
  it("labels slugs", () => {
    expect(slugLabel("clean-water")).toBe("Clean water");
    expect(slugLabel("email_stopped")).toBe("Email stopped");
    expect(slugLabel("--")).toBe("--");
  });
});
