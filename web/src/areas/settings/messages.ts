// The settings area's messages: English here, French below with the same keys (TypeScript checks).
import type { Translation } from "../../locales/types";

export const en = {};

export const fr: Translation<typeof en> = {};
