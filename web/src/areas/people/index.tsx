// The people area: people's profiles, following them, and follow requests (areas/types.ts).
import type { Area } from "../types";

export const area: Area = { routes: [], nav: [] };
