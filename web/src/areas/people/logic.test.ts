import { describe, expect, it } from "vitest";
import {
  MAX_PENDING,
  hueOf,
  HUES,
  languageName,
  needsApproval,
  parsePending,
  personPath,
  pictureSrc,
  relationAfter,
  relationOf,
  withPending,
} from "./logic";

const A = "a".repeat(32);
const B = "b".repeat(32);

describe("people logic", () => {
  it("says where I stand: myself, following (whatever this browser remembers), requested, none", () => {
    expect(relationOf({ myId: A, id: A, following: false, requested: true })).toBe("self");
    expect(relationOf({ myId: A, id: B, following: true, requested: true })).toBe("following");
    expect(relationOf({ myId: A, id: B, following: false, requested: true })).toBe("requested");
    expect(relationOf({ myId: A, id: B, following: false, requested: false })).toBe("none");
  });

  it("reads identity's follow state", () => {
    expect(relationAfter({ following: true, requested: false })).toBe("following");
    expect(relationAfter({ following: false, requested: true })).toBe("requested");
    expect(relationAfter({ following: false })).toBe("none");
    expect(needsApproval("public")).toBe(false);
    expect(needsApproval("followers")).toBe(true);
    expect(needsApproval("private")).toBe(true);
  });

  it("keeps the remembered requests as ids only, newest first, none twice, at most MAX_PENDING", () => {
    expect(parsePending(null)).toEqual([]);
    expect(parsePending("not json")).toEqual([]);
    expect(parsePending('{"a": 1}')).toEqual([]);
    expect(parsePending(JSON.stringify([A, "x", 3, A, B]))).toEqual([A, B]);
    expect(withPending([A], B, true)).toEqual([B, A]);
    expect(withPending([B, A], A, true)).toEqual([A, B]);
    expect(withPending([B, A], A, false)).toEqual([B]);
    const many = Array.from({ length: MAX_PENDING }, (_, i) => i.toString(16).padStart(32, "0"));
    const grown = withPending(many, A, true);
    expect(grown.length).toBe(MAX_PENDING);
    expect(grown[0]).toBe(A);
  });

  it("shows same-origin pictures only (the app's CSP loads none from elsewhere)", () => {
    const origin = "http://127.0.0.1:8080";
    expect(pictureSrc("/media/p.png", origin)).toBe("/media/p.png");
    expect(pictureSrc("http://127.0.0.1:8080/media/p.png?s=1", origin)).toBe("/media/p.png?s=1");
    expect(pictureSrc("https://graph.facebook.com/1/picture", origin)).toBeNull();
    expect(pictureSrc("javascript:alert(1)", origin)).toBeNull();
    expect(pictureSrc(null, origin)).toBeNull();
    expect(pictureSrc("", origin)).toBeNull();
  });

  it("gives an id the same colour every time", () => {
    expect(hueOf(A)).toBe(hueOf(A));
    for (const id of [A, B, "0123456789abcdef0123456789abcdef"]) {
      expect(hueOf(id)).toBeGreaterThanOrEqual(0);
      expect(hueOf(id)).toBeLessThan(HUES);
    }
  });

  it("names languages in the reader's language", () => {
    expect(languageName("fr", "en")).toBe("French");
    expect(languageName("en", "fr")).toBe("anglais");
    expect(languageName("pt-br", "en")).toMatch(/Portuguese/);
    expect(languageName("zz-qq-unknown", "en")).toBe("zz-qq-unknown");
  });



  it("links to a person's page", () => {
    expect(personPath(A)).toBe(`/people/${A}`);
    expect(personPath("a/b")).toBe("/people/a%2Fb");
  });
});
