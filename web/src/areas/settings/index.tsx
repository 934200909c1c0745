// The settings area: my settings (profile, notification preferences per type and channel,
// privacy, Facebook sharing), my data export and account deletion (areas/types.ts).
import type { Area } from "../types";

export const area: Area = { routes: [], nav: [] };
