// The people area: people's profiles, following them, and follow requests (areas/types.ts).
// /people/:id is a deep link any area may point to (logic.ts personPath).
import type { Area } from "../types";
import { PeoplePage } from "./people";
import { ProfilePage } from "./profile";

export const area: Area = {
  routes: [
    { name: "people.list", pattern: "/people", page: () => <PeoplePage /> },
    { name: "people.profile", pattern: "/people/:id", page: (p) => <ProfilePage id={p.id} /> },
  ],
  nav: [{ path: "/people", label: "people.nav" }],
};
