// Messages in English and French, the person's choice kept in localStorage (a preference,
// not a secret); dates, numbers and plurals through Intl in that locale.
import { en, type Catalogue, type Message, type MessageKey } from "./locales/en";
import { fr } from "./locales/fr";

export type Locale = "en" | "fr";
export const LOCALES: readonly Locale[] = ["en", "fr"];
export const CATALOGUES: Record<Locale, Catalogue> = { en, fr };
const STORAGE_KEY = "jumo.locale";

/** The locale to start with: a saved choice, else the browser's first of en/fr, else en. */
export function pickLocale(saved: string | null, preferred: readonly string[]): Locale {
  if (saved === "en" || saved === "fr") return saved;
  for (const tag of preferred) {
    const language = tag.toLowerCase().split("-")[0];
    if (language === "fr" || language === "en") return language;
  }
  return "en";
}

export type Values = Record<string, string | number>;

/** The message `key` in `locale` with `{name}` filled; `count` chooses the plural form. */
export function translate(locale: Locale, key: MessageKey, values: Values = {}): string {
  const message: Message = CATALOGUES[locale][key] ?? en[key];
  let text: string;
  if (typeof message === "string") {
    text = message;
  } else {
    const count = Number(values.count ?? 0);
    const rule = new Intl.PluralRules(locale).select(count);
    text = (count === 0 && message.zero) || (rule === "one" && message.one) || message.other;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in values)) return whole;
    const value = values[name];
    return typeof value === "number" ? formatNumber(locale, value) : value;
  });
}

export function formatNumber(locale: Locale, value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}

export function formatDate(locale: Locale, iso: string | Date, withTime = false): string {
  const date = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    ...(withTime ? { timeStyle: "short" } : {}),
  }).format(date);
}

/** "5 minutes ago", "il y a 5 minutes"; older than a week: the date. */
export function formatRelative(locale: Locale, iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (abs < 60) return format.format(seconds, "second");
  if (abs < 3600) return format.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return format.format(Math.round(seconds / 3600), "hour");
  if (abs < 7 * 86400) return format.format(Math.round(seconds / 86400), "day");
  return formatDate(locale, date);
}

// --- the current locale, for the app (a tiny store) --------------------------------------
let current: Locale = "en";
const listeners = new Set<(locale: Locale) => void>();

export function initLocale(): Locale {
  let saved: string | null = null;
  try {
    saved = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    saved = null;
  }
  setLocale(pickLocale(saved, window.navigator.languages ?? [window.navigator.language]), false);
  return current;
}

export function getLocale(): Locale {
  return current;
}

export function setLocale(locale: Locale, save = true): void {
  current = locale;
  document.documentElement.lang = locale;
  if (save) {
    try {
      window.localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // private mode: the choice lasts this page only
    }
  }
  for (const listener of listeners) listener(locale);
}

export function onLocale(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: MessageKey, values?: Values): string {
  return translate(current, key, values);
}

export type { MessageKey };
