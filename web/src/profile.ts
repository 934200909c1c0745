// What every area reads and writes of a person's profile, pure (unit-tested in profile.test.ts):
// the parts of the week, tags typed as comma-separated text, coordinates as coarse as identity
// keeps them, a slug in words.

export const AVAILABILITY_PARTS = [
  "weekday_mornings",
  "weekday_afternoons",
  "weekday_evenings",
  "weekend_mornings",
  "weekend_afternoons",
  "weekend_evenings",
] as const;
export type AvailabilityPart = (typeof AVAILABILITY_PARTS)[number];

/** The parts of the week a person gave, in the week's order, without unknown ones. */
export function orderedParts(parts: readonly string[] | null | undefined): AvailabilityPart[] {
  const given = new Set(parts ?? []);
  return AVAILABILITY_PARTS.filter((part) => given.has(part));
}

/** "First aid, cooking ,, first AID" → ["First aid", "cooking"]: trimmed, inner spaces made
 * single, no case-insensitive repeats (the first spelling stays), at most `max`. */
export function parseTags(text: string, max = 30): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim().replace(/\s+/g, " ");
    const key = tag.toLocaleLowerCase();
    if (!tag || seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
    if (tags.length >= max) break;
  }
  return tags;
}

/** A tag as people read it: identity keeps "first-aid", a page shows "first aid". */
export function tagLabel(tag: string): string {
  return tag.replace(/-/g, " ");
}

/** Tags as a person types them back into a field. */
export function joinTags(tags: readonly string[] | null | undefined): string {
  return (tags ?? []).map(tagLabel).join(", ");
}

/** A coordinate rounded as identity keeps it (2 decimals, about a kilometre; a French comma
 * read as a point); null when unset or not a number. */
export function coarse(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === "number" ? value : Number(value.trim().replace(",", ".") || Number.NaN);
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : null;
}

/** "clean_water" or "clean-water" → "Clean water", for a slug the app has no words for. */
export function slugLabel(slug: string): string {
  const words = slug.replace(/[-_]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : slug;
}
