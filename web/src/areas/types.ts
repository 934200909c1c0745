// An area of the app (what a volunteer does, a community, an organization's side): its pages,
// its entries in the header's navigation, its messages (areas/<area>/messages.ts, spread into
// the catalogues). app.tsx joins the areas; an area never edits another's files.
import type { JSX } from "preact";
import type { MessageKey } from "../locales/en";
import type { RouteDef } from "../router";

export interface PageRoute extends RouteDef {
  /** The page for the matched params (signed-in only: signed out, the app shows sign-in). */
  page: (params: Record<string, string>) => JSX.Element;
}

export interface NavItem {
  path: string;
  label: MessageKey;
}

export interface Area {
  routes: PageRoute[];
  nav: NavItem[];
}
