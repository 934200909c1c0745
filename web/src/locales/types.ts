// A message: plain text with "{name}" slots, or plural forms chosen by Intl.PluralRules.
export type Message = string | { readonly one?: string; readonly other: string; readonly zero?: string };

/** The French half of an area's messages: every key of its English half (TypeScript checks). */
export type Translation<T> = { readonly [K in keyof T]: Message };
