import { describe, expect, it } from "vitest";
import {
  applicationAnswers,
  canWithdraw,
  clock,
  causeChanges,
  locationOf,
  opportunityPath,
  roundKm,
  termWords,
  weekdayName,
} from "./logic";

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
