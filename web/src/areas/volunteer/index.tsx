// The volunteer area: onboarding, search, recommendations, an opportunity and applying, my
// applications (areas/types.ts). No path starts like an API path (the gateway's prefixes).
import type { Area } from "../types";
import { ApplicationsPage } from "./applications";
import { FindPage } from "./find";
import { OpportunityPage } from "./opportunity";
import { RecommendedPage } from "./recommended";
import { WelcomePage } from "./welcome";

export const area: Area = {
  routes: [
    { name: "volunteer.welcome", pattern: "/welcome", page: () => <WelcomePage /> },
    { name: "volunteer.find", pattern: "/find", page: () => <FindPage /> },
    { name: "volunteer.recommended", pattern: "/find/recommended", page: () => <RecommendedPage /> },
    {
      name: "volunteer.opportunity",
      pattern: "/volunteer/opportunities/:id",
      page: (p) => <OpportunityPage id={p.id} />,
    },
    { name: "volunteer.applications", pattern: "/my/applications", page: () => <ApplicationsPage /> },
  ],
  nav: [
    { path: "/find", label: "volunteer.nav.find" },
    { path: "/my/applications", label: "volunteer.nav.applications" },
    { path: "/welcome", label: "volunteer.nav.welcome" },
  ],
};
