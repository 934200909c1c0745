import { describe, expect, it } from "vitest";
import { clampGuests, downloadName, histogramRows, isPast, sortedTotals, starGlyphs } from "./logic";

describe("community logic", () => {
  it("draws stars within 0-5", () => {
    expect(starGlyphs(4)).toBe("★★★★☆");
    expect(starGlyphs(9)).toBe("★★★★★");
    expect(starGlyphs(-1)).toBe("☆☆☆☆☆");
  });

  it("gives the histogram 5 stars first, with shares", () => {
    const rows = histogramRows({ "5": 3, "1": 1 });
    expect(rows.map((r) => r.stars)).toEqual([5, 4, 3, 2, 1]);
    expect(rows[0]).toEqual({ stars: 5, count: 3, percent: 75 });
    expect(rows[4].percent).toBe(25);
    expect(histogramRows({}).every((r) => r.percent === 0)).toBe(true);
  });

  it("keeps guests a whole number from 0 to 5", () => {
    expect(clampGuests("2")).toBe(2);
    expect(clampGuests(7)).toBe(5);
    expect(clampGuests("-3")).toBe(0);
    expect(clampGuests("abc")).toBe(0);
    expect(clampGuests(2.7)).toBe(2);
  });

  it("names downloads safely with the day", () => {
    expect(downloadName("my record/é", "json", new Date("2026-12-02T10:00:00Z"))).toBe("my-record-2026-12-02.json");
    expect(downloadName("///", ".jws", new Date("2026-01-05T00:00:00Z"))).toBe("jumo-2026-01-05.jws");
  });

  it("orders totals by value, or years newest first", () => {
    expect(sortedTotals({ a: 1, b: 3, c: 3 })).toEqual([["b", 3], ["c", 3], ["a", 1]]);
    expect(sortedTotals({ "2025": 5, "2026": 1 }, true)).toEqual([["2026", 1], ["2025", 5]]);
  });

  it("tells past events", () => {
    expect(isPast("2020-01-01T00:00:00Z", new Date("2021-01-01"))).toBe(true);
    expect(isPast("2030-01-01T00:00:00Z", new Date("2021-01-01"))).toBe(false);
  });
});
