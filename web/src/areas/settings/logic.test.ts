import { describe, expect, it } from "vitest";
import type { MyProfile, Preferences } from "./api";
import {
  exportName,
  groupedKinds,
  notificationFormOf,
  preferencesChange,
  profileFormOf,
  profilePatch,
  sharingChange,
  sharingOf,
  timeOf,
  timeZones,
} from "./logic";

const PROFILE: MyProfile = {
  id: "u1",
  display_name: "Ann Lee",
  visibility: "public",
  bio: null,
  skills: ["first-aid", "cooking"],
  interests: ["rivers"],
  languages: ["en", "fr"],
  location: { city: "Lyon", lat: 45.75, lng: 4.84 },
  availability: { parts: ["weekend_mornings", "weekday_evenings"], hours_per_month: 8 },
  findable: false,
  radius_km: 25,
  created_at: "2026-12-01T10:00:00Z",
};

const PREFS: Preferences = {
  kinds: {
    welcome: { in_app: true, email: false, facebook: false },
    followed: { in_app: true, email: false },
    application_accepted: { in_app: true, email: true, facebook: false },
    joined_cause: { in_app: true, email: false, facebook: false },
    something_new: { in_app: true, email: false },
  },
  digest: "weekly",
  quiet_hours: null,
};

describe("settings: the profile form", () => {
  it("reads a profile as the inputs show it", () => {
    const form = profileFormOf(PROFILE);
    expect(form.skills).toBe("first aid, cooking");
    expect(form.languages).toBe("en, fr");
    expect(form.bio).toBe("");
    expect(form.lat).toBe("45.75");
    expect(form.parts).toEqual(["weekday_evenings", "weekend_mornings"]); // the week's order
    expect(form.hours).toBe("8");
  });

  it("patches only what changed", () => {
    const before = profileFormOf(PROFILE);
    expect(profilePatch(before, before)).toEqual({});
    const after = { ...before, displayName: " Ann B. Lee ", skills: "first aid, cooking, Bike repair, cooking" };
    expect(profilePatch(before, after)).toEqual({ display_name: "Ann B. Lee", skills: ["first aid", "cooking", "Bike repair"] });
  });

  it("clears an emptied field and sends a location or an availability whole", () => {
    const before = profileFormOf({ ...PROFILE, bio: "Hello" });
    const after = { ...before, bio: "  ", city: "Lyon", lat: "45.7485", interests: "" };
    expect(profilePatch(before, after)).toEqual({
      bio: null,
      interests: [],
      location: { city: "Lyon", lat: 45.75, lng: 4.84 },
    });
    const none = { ...before, city: "", lat: "", lng: "" };
    expect(profilePatch(before, none)).toEqual({ location: null });
    const week = { ...before, parts: ["weekend_evenings", "weekday_mornings"], hours: "900" };
    expect(profilePatch(before, week)).toEqual({
      availability: { parts: ["weekday_mornings", "weekend_evenings"], hours_per_month: 744 },
    });
  });

  it("splits languages on commas or spaces, radius within 1-500", () => {
    const before = profileFormOf(PROFILE);
    expect(profilePatch(before, { ...before, languages: "fr en, pt-br,en" }).languages).toEqual(["fr", "en", "pt-br"]);
    expect(profilePatch(before, { ...before, radius: "0" }).radius_km).toBe(1);
    expect(profilePatch(before, { ...before, radius: "" }).radius_km).toBe(25);
  });

});

describe("settings: notifications", () => {
  it("groups the kinds, unknown ones last", () => {
    const groups = groupedKinds(PREFS.kinds);
    expect(groups.map((g) => g.group)).toEqual(["people", "applications", "organizations", "other"]);
    expect(groups[0].kinds).toEqual(["welcome", "followed"]);
    expect(groups[3].kinds).toEqual(["something_new"]);
  });

  it("sends only the channels that changed, the digest and the quiet hours", () => {
    const before = notificationFormOf(PREFS, "Europe/Paris");
    expect(before.quiet).toBe(false);
    expect(before.zone).toBe("Europe/Paris");
    expect(preferencesChange(before, before)).toEqual({});
    const after = {
      ...before,
      kinds: { ...before.kinds, followed: { in_app: true, email: true } },
      digest: "daily" as const,
      quiet: true,
      start: "21:30",
    };
    expect(preferencesChange(before, after)).toEqual({
      kinds: { followed: { email: true } },
      digest: "daily",
      quiet_hours: { start: "21:30", end: "07:00", time_zone: "Europe/Paris" },
    });
  });

  it("removes quiet hours with null, and reads them as times", () => {
    const before = notificationFormOf(
      { ...PREFS, quiet_hours: { start: "22:00:00", end: "06:30:00", time_zone: "UTC" } },
      "Europe/Paris",
    );
    expect([before.quiet, before.start, before.end, before.zone]).toEqual([true, "22:00", "06:30", "UTC"]);
    expect(preferencesChange(before, { ...before, quiet: false })).toEqual({ quiet_hours: null });
    expect(timeOf("bad", "07:00")).toBe("07:00");
  });

  it("tells whether joins are shown on Facebook", () => {
    expect(sharingOf(PREFS.kinds)).toBe("off");
    const all = Object.fromEntries(Object.entries(PREFS.kinds).map(([k, c]) => [k, { ...c, facebook: c.facebook === undefined ? undefined : true }]));
    expect(sharingOf(all)).toBe("on");
    expect(sharingOf({ ...PREFS.kinds, welcome: { in_app: true, email: false, facebook: true } })).toBe("partly");
    expect(sharingChange(true)).toEqual({
      kinds: { welcome: { facebook: true }, joined_cause: { facebook: true }, application_accepted: { facebook: true } },
    });
  });
});

describe("settings: my data", () => {
  it("names the export by the day", () => {
    expect(exportName(new Date("2026-12-03T09:30:00Z"))).toBe("jumo-my-data-2026-12-03.json");
  });

  it("lists time zones with the current one", () => {
    expect(timeZones(["Europe/Paris", "America/New_York"], "UTC")).toEqual(["America/New_York", "Europe/Paris", "UTC"]);
  });
});
