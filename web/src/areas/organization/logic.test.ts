import { describe, expect, it } from "vitest";
import type { Day } from "./api";
import {
  changedFields,
  coordinate,
  EMPTY_ORG_FORM,
  eventBody,
  formatMonth,
  isModerator,
  KNOWN_MAX,
  localInstant,
  opportunityBody,
  orgBody,
  orgForm,
  orgId,
  parseKnown,
  percent,
  personId,
  tokenClaims,
  withKnown,
  withoutKnown,
  type OpportunityForm,
} from "./logic";

const b64url = (value: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const jwt = (claims: unknown) => `${b64url({ alg: "EdDSA" })}.${b64url(claims)}.signature`;

describe("tokenClaims and isModerator", () => {
  it("reads the payload of a token, base64url without padding, UTF-8", () => {
    expect(tokenClaims(jwt({ sub: "u1", roles: ["moderator"], name: "Zoé" }))).toMatchObject({
      sub: "u1",
      roles: ["moderator"],
      name: "Zoé",
    });
  });
  it("says moderator only when the roles name it", () => {
    expect(isModerator(jwt({ sub: "u1", roles: ["moderator"] }))).toBe(true);
    expect(isModerator(jwt({ sub: "u1" }))).toBe(false);
    expect(isModerator(jwt({ sub: "u1", roles: "moderator" }))).toBe(false);
  });
  it("is empty for no token or a broken one", () => {
    expect(tokenClaims(null)).toEqual({});
    expect(tokenClaims("not-a-token")).toEqual({});
    expect(tokenClaims("a.%%%.c")).toEqual({});
    expect(isModerator(null)).toBe(false);
  });
});

describe("the organizations this browser remembers", () => {
  it("puts the latest first, once, per person", () => {
    let known = withKnown({}, "ann", "o1");
    known = withKnown(known, "ann", "o2");
    known = withKnown(known, "ann", "o1");
    known = withKnown(known, "bob", "o3");
    expect(known).toEqual({ ann: ["o1", "o2"], bob: ["o3"] });
    expect(withoutKnown(known, "ann", "o1")).toEqual({ ann: ["o2"], bob: ["o3"] });
  });
  it("keeps at most KNOWN_MAX", () => {
    let known = {};
    for (let i = 0; i < KNOWN_MAX + 5; i += 1) known = withKnown(known, "ann", `o${i}`);
    expect(parseKnown(JSON.stringify(known)).ann).toHaveLength(KNOWN_MAX);
  });
  it("reads only what it wrote, whatever storage holds", () => {
    expect(parseKnown(null)).toEqual({});
    expect(parseKnown("not json")).toEqual({});
    expect(parseKnown("[1,2]")).toEqual({});
    expect(parseKnown('{"ann": ["o1", 2, null], "bob": "o2"}')).toEqual({ ann: ["o1"] });
  });
});

describe("orgBody", () => {
  const form = {
    ...EMPTY_ORG_FORM,
    name: "  Eaux Vives ",
    mission: "Water",
    city: "Lyon",
    country: "fr",
    lat: "45,764",
    lng: "4.8357",
    causes: ["clean-water"],
  };
  it("builds the body POST /orgs takes, the optional fields null when empty", () => {
    expect(orgBody(form)).toEqual({
      body: {
        name: "Eaux Vives",
        mission: "Water",
        description: null,
        website: null,
        contact_email: null,
        hq: { city: "Lyon", country: "FR", lat: 45.764, lng: 4.8357 },
        causes: ["clean-water"],
      },
    });
  });
  it("says what is missing or wrong", () => {
    expect(orgBody({ ...form, name: " " })).toEqual({ problem: "name" });
    expect(orgBody({ ...form, causes: [] })).toEqual({ problem: "causes" });
    expect(orgBody({ ...form, country: "" })).toEqual({ problem: "hq" });
    expect(orgBody({ ...form, country: "France" })).toEqual({ problem: "hq" });
    expect(orgBody({ ...form, lat: "north" })).toEqual({ problem: "coordinates" });
    expect(orgBody({ ...form, lat: "91" })).toEqual({ problem: "coordinates" });
    expect(orgBody({ ...form, lng: "" })).toEqual({ problem: "coordinates" });
  });
  it("sends no headquarters when none is given, and coordinates may be left out", () => {
    const none = orgBody({ ...form, city: "", country: "", lat: "", lng: "" });
    expect("body" in none && none.body.hq).toBeNull();
    const noCoordinates = orgBody({ ...form, lat: "", lng: "" });
    expect("body" in noCoordinates && noCoordinates.body.hq).toEqual({ city: "Lyon", country: "FR", lat: null, lng: null });
  });
  it("round-trips through orgForm, and changedFields keeps only what changed", () => {
    const built = orgBody(form);
    if (!("body" in built)) throw new Error("expected a body");
    const again = orgBody(orgForm(built.body));
    expect(again).toEqual(built);
    const edited = orgBody({ ...orgForm(built.body), mission: "Clean water", website: "" });
    if (!("body" in edited)) throw new Error("expected a body");
    expect(changedFields(built.body, edited.body)).toEqual({ mission: "Clean water" });
  });
});

describe("coordinate", () => {
  it("reads a comma or a point, refuses out-of-range", () => {
    expect(coordinate(" 4,5 ", 90)).toBe(4.5);
    expect(coordinate("", 90)).toBeNull();
    expect(coordinate("-180.5", 180)).toBeNaN();
  });
});

describe("personId and orgId", () => {
  it("take an id as it is, or out of an address", () => {
    expect(personId(" abc123 ")).toBe("abc123");
    expect(personId("http://127.0.0.1:8080/people/abc123?tab=x")).toBe("abc123");
    expect(personId("/users/a%20b")).toBe("a b");
    expect(orgId("https://jumo.example/organizations/o42")).toBe("o42");
    expect(orgId("/manage/o42/people")).toBe("o42");
    expect(orgId("o42")).toBe("o42");
    expect(orgId("/organizations/%E0%A4%A")).toBe("/organizations/%E0%A4%A");
  });
});

describe("localInstant", () => {
  it("turns a datetime-local value into an instant, or null", () => {
    expect(localInstant("2026-12-10T09:00")).toBe(new Date("2026-12-10T09:00").toISOString());
    expect(localInstant("")).toBeNull();
    expect(localInstant("10/12/2026")).toBeNull();
  });
});

describe("opportunityBody", () => {
  const form: OpportunityForm = {
    title: " Sort donations ",
    description: "At the depot.",
    causes: ["hunger"],
    kind: "one_off",
    slots: [{ startsAt: "2026-12-10T09:00", endsAt: "2026-12-10T12:00", places: "4" }],
    pattern: { days: [], startTime: "", endTime: "", hours: "", startsOn: "", endsOn: "" },
    places: "1",
    city: "Lyon",
    country: "fr",
    remote: false,
    skills: "lifting, , sorting ",
    questions: [
      { text: "Why?", required: true },
      { text: "  ", required: false },
    ],
    publish: true,
  };
  it("builds one-off slots, questions and skills", () => {
    const built = opportunityBody(form, "Europe/Paris");
    expect(built).toEqual({
      body: {
        title: "Sort donations",
        description: "At the depot.",
        causes: ["hunger"],
        commitment: {
          kind: "one_off",
          slots: [
            {
              starts_at: new Date("2026-12-10T09:00").toISOString(),
              ends_at: new Date("2026-12-10T12:00").toISOString(),
              places: 4,
            },
          ],
        },
        time_zone: "Europe/Paris",
        remote: false,
        place: { city: "Lyon", country: "FR" },
        skills_wanted: ["lifting", "sorting"],
        questions: [{ text: "Why?", required: true }],
        publish: true,
      },
    });
  });
  it("builds a weekly pattern, its days in the week's order", () => {
    const pattern = { days: ["sat", "mon"] as Day[], startTime: "18:00", endTime: "20:30", hours: "2,5", startsOn: "2026-12-01", endsOn: "2027-03-31" };
    const built = opportunityBody({ ...form, kind: "recurring", pattern, places: "6" }, "UTC");
    expect("body" in built && built.body.commitment).toEqual({
      kind: "recurring",
      places: 6,
      days: ["mon", "sat"],
      start_time: "18:00",
      end_time: "20:30",
      hours_per_session: 2.5,
      starts_on: "2026-12-01",
      ends_on: "2027-03-31",
    });
    for (const wrong of [
      { days: [] as Day[] },
      { endTime: "17:00" },
      { hours: "25" },
      { hours: "0" },
      { endsOn: "2026-11-30" },
      { startsOn: "" },
    ]) {
      expect(opportunityBody({ ...form, kind: "recurring", pattern: { ...pattern, ...wrong }, places: "6" }, "UTC")).toEqual({ problem: "pattern" });
    }
    expect(opportunityBody({ ...form, kind: "recurring", pattern, places: "0" }, "UTC")).toEqual({ problem: "places" });
  });
  it("builds an ongoing commitment with its places", () => {
    const built = opportunityBody({ ...form, kind: "ongoing", places: "12" }, "UTC");
    expect("body" in built && built.body.commitment).toEqual({ kind: "ongoing", places: 12 });
  });
  it("refuses slots that end before they start, or without places", () => {
    const backwards = { startsAt: "2026-12-10T12:00", endsAt: "2026-12-10T09:00", places: "4" };
    expect(opportunityBody({ ...form, slots: [backwards] }, "UTC")).toEqual({ problem: "slots" });
    expect(opportunityBody({ ...form, slots: [{ ...form.slots[0], places: "0" }] }, "UTC")).toEqual({ problem: "slots" });
    expect(opportunityBody({ ...form, slots: [] }, "UTC")).toEqual({ problem: "slots" });
    expect(opportunityBody({ ...form, kind: "ongoing", places: "1.5" }, "UTC")).toEqual({ problem: "places" });
    expect(opportunityBody({ ...form, title: "" }, "UTC")).toEqual({ problem: "title" });
    expect(opportunityBody({ ...form, causes: [] }, "UTC")).toEqual({ problem: "causes" });
  });
});

describe("eventBody", () => {
  const form = {
    title: "Open day",
    description: "",
    startsAt: "2026-12-12T10:00",
    endsAt: "2026-12-12T16:00",
    capacity: "30",
    onlineUrl: "",
    address: "1 quai",
    city: "Lyon",
    lat: "45.76",
    lng: "4.83",
  };
  it("sends a place with coordinates, or an online link", () => {
    expect(eventBody(form, "Europe/Paris")?.place).toEqual({ address: "1 quai", city: "Lyon", lat: 45.76, lng: 4.83 });
    const online = eventBody({ ...form, address: "", onlineUrl: "https://meet.example/x" }, "UTC");
    expect(online?.place).toBeNull();
    expect(online?.online_url).toBe("https://meet.example/x");
    expect(online && "description" in online && online.description !== undefined).toBe(false);
  });
  it("is null without a place or a link, or with its times backwards", () => {
    expect(eventBody({ ...form, lat: "" }, "UTC")).toBeNull();
    expect(eventBody({ ...form, endsAt: "2026-12-12T09:00" }, "UTC")).toBeNull();
    expect(eventBody({ ...form, capacity: "0" }, "UTC")).toBeNull();
  });
});

describe("formatMonth", () => {
  it("names a month in the person's language, whatever their time zone", () => {
    expect(formatMonth("en", "2026-12")).toBe("December 2026");
    expect(formatMonth("fr", "2027-01")).toBe("janvier 2027");
    expect(formatMonth("en", "all")).toBe("all");
  });
});

describe("percent", () => {
  it("rounds a rate to a percentage", () => {
    expect(percent(0.666)).toBe(67);
    expect(percent(null)).toBeNull();
    expect(percent(Number.NaN)).toBeNull();
  });
});
