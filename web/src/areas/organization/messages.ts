// The organization area's messages: English here, French below with the same keys (TypeScript checks).
import type { Translation } from "../../locales/types";

export const en = {} as const;

export const fr: Translation<typeof en> = {};
