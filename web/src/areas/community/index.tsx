// The community area: its pages and navigation entries (areas/types.ts). The organization
// page keeps its route in app.tsx (/organizations/:id, pages/org.tsx) with this area's sections.
import type { Area } from "../types";
import { CausePage } from "./cause";
import { EventPage } from "./event";
import { RecordPage } from "./record";

export const area: Area = {
  routes: [
    { name: "community.event", pattern: "/happening/:id", page: (p) => <EventPage id={p.id} /> },
    { name: "community.record", pattern: "/my/record", page: () => <RecordPage /> },
    { name: "community.cause", pattern: "/causes-of/:slug", page: (p) => <CausePage slug={p.slug} /> },
  ],
  nav: [{ path: "/my/record", label: "community.nav.record" }],
};
