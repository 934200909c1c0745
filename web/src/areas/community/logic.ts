// The community area's own logic, pure (unit-tested in logic.test.ts): review stars and
// histograms, RSVP guests, download names, the record's totals in order.

/** "★★★★☆" for 4 of 5 (shown next to the number, never alone: it is aria-hidden). */
export function starGlyphs(stars: number): string {
  const full = Math.max(0, Math.min(5, Math.round(stars)));
  return "★".repeat(full) + "☆".repeat(5 - full);
}

/** The 1-5 histogram as rows, 5 stars first, each with its share of the total in percent. */
export function histogramRows(histogram: Record<string, number>): Array<{ stars: number; count: number; percent: number }> {
  const counts = [5, 4, 3, 2, 1].map((stars) => ({ stars, count: Math.max(0, Number(histogram[String(stars)] ?? 0)) }));
  const total = counts.reduce((sum, row) => sum + row.count, 0);
  return counts.map((row) => ({ ...row, percent: total ? Math.round((row.count / total) * 100) : 0 }));
}

/** The guests an RSVP may bring: a whole number from 0 to 5 (what orgs accepts). */
export function clampGuests(value: unknown): number {
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n) || n < 0) return 0;
  return Math.min(5, n);
}

/** A file name for a download: letters, digits, dot, dash and underscore only. */
export function downloadName(base: string, extension: string, now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  const clean = base.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "jumo";
  return `${clean}-${day}.${extension.replace(/^\./, "")}`;
}

/** Totals by key, largest first, then by key (for "hours by cause" and "by year"). */
export function sortedTotals(totals: Record<string, number>, byKeyDescending = false): Array<[string, number]> {
  const rows = Object.entries(totals);
  if (byKeyDescending) return rows.sort((a, b) => b[0].localeCompare(a[0]));
  return rows.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Whether an event is over (its end before `now`). */
export function isPast(endsAt: string, now: Date = new Date()): boolean {
  const end = new Date(endsAt).getTime();
  return Number.isFinite(end) && end < now.getTime();
}
