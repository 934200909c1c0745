import { describe, expect, it } from "vitest";
import { CATALOGUES, formatDate, formatNumber, formatRelative, pickLocale, translate } from "./i18n";
import { en } from "./locales/en";

describe("catalogues", () => {
  it("French has every English key, and no empty message", () => {
    expect(Object.keys(CATALOGUES.fr).sort()).toEqual(Object.keys(en).sort());
    for (const catalogue of Object.values(CATALOGUES)) {
      for (const message of Object.values(catalogue)) {
        const texts = typeof message === "string" ? [message] : Object.values(message);
        for (const text of texts) expect(text.trim()).not.toBe("");
      }
    }
  });

  it("each French message names the same {placeholders} as the English one", () => {
    const names = (m: unknown) => [...JSON.stringify(m).matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect([key, ...new Set(names(CATALOGUES.fr[key]))]).toEqual([key, ...new Set(names(en[key]))]);
    }
  });
});

describe("translate", () => {
  it("fills values and picks the plural form of the locale", () => {
    expect(translate("en", "notifications.unread", { count: 1 })).toBe("1 unread notification");
    expect(translate("en", "notifications.unread", { count: 2 })).toBe("2 unread notifications");
    // French: 0 and 1 are singular.
    expect(translate("fr", "org.followers", { count: 0 })).toBe("0 abonné");
    expect(translate("fr", "org.followers", { count: 1500 })).toBe(`${formatNumber("fr", 1500)} abonnés`);
    expect(translate("fr", "signin.failed", { reason: "x" })).toBe("La connexion a échoué : x");
  });

  it("leaves a placeholder without a value visible", () => {
    expect(translate("en", "org.since")).toBe("On Jumo since {date}");
  });
});

describe("pickLocale", () => {
  it("a saved choice wins, then the browser's languages, then English", () => {
    expect(pickLocale("fr", ["en-US"])).toBe("fr");
    expect(pickLocale(null, ["de-DE", "fr-CA", "en"])).toBe("fr");
    expect(pickLocale("xx", ["de"])).toBe("en");
  });
});

describe("dates and numbers", () => {
  it("formats in the locale", () => {
    expect(formatNumber("en", 1234.5)).toBe("1,234.5");
    expect(formatNumber("fr", 1234.5)).toMatch(/^1\s234,5$/);
    expect(formatDate("en", "2026-03-04T10:00:00.000Z")).toMatch(/Mar 4, 2026/);
    expect(formatDate("fr", "2026-03-04T10:00:00.000Z")).toMatch(/4 mars 2026/);
    expect(formatDate("en", "not a date")).toBe("not a date");
  });

  it("says how long ago, then the date after a week", () => {
    const now = new Date("2026-03-10T12:00:00.000Z");
    expect(formatRelative("en", "2026-03-10T11:55:00.000Z", now)).toBe("5 minutes ago");
    expect(formatRelative("fr", "2026-03-10T11:55:00.000Z", now)).toBe("il y a 5 minutes");
    expect(formatRelative("en", "2026-03-09T12:00:00.000Z", now)).toBe("yesterday");
    expect(formatRelative("en", "2026-02-01T12:00:00.000Z", now)).toMatch(/Feb 1, 2026/);
  });
});
