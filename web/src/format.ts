// Small pure helpers the pages share (unit-tested).

/** The first letters of up to two words: "Water for All" → "WA". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w[0] ?? ""));
  const picked = words.length > 2 ? [words[0], words[words.length - 1]] : words;
  return picked.map((w) => w[0].toUpperCase()).join("") || "?";
}

/** A string field of a loosely typed snapshot, or "" */
export function text(record: Record<string, unknown> | null | undefined, ...keys: string[]): string {
  for (const key of keys) {
    const value = record?.[key];
    if (typeof value === "string" && value.trim()) return value;
  }
  return "";
}

/** An http(s) URL to link to, or null (never javascript: or data: from the API's content). */
export function safeHttpUrl(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The app's path for a party a notification or feed item names, when the app has a page. */
export function partyPath(kind: string, id: string): string | null {
  if (kind === "org" || kind === "organization") return `/organizations/${encodeURIComponent(id)}`;
  return null;
}
