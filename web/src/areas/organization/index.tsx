// The organization area: its pages and navigation entries (areas/types.ts).
import type { Area } from "../types";

export const area: Area = { routes: [], nav: [] };
