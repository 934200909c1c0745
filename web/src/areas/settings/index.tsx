// The settings area: my settings (profile, privacy, notification preferences per kind and
// channel, Facebook sharing), my data export and account deletion (areas/types.ts), one page.
import type { Area } from "../types";
import { SettingsPage } from "./page";

export const area: Area = {
  routes: [{ name: "settings", pattern: "/settings", page: () => <SettingsPage /> }],
  nav: [{ path: "/settings", label: "settings.nav" }],
};
