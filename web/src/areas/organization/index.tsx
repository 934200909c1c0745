// The organization area: what an organization's people do (/manage/…) and moderation
// (/moderate: /moderation is an API path). Its pages load as one chunk on first use.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox, Loading } from "../../components";
import type { Area, PageRoute } from "../types";

type Pages = typeof import("./pages");
type PageName = keyof Pages;

let pages: Pages | null = null;
let loading: Promise<Pages> | null = null;

function load(): Promise<Pages> {
  loading ??= import("./pages").then((m) => (pages = m));
  loading.catch(() => (loading = null)); // a failed load is tried again on the next visit
  return loading;
}

function Lazy({ name, params }: { name: PageName; params: Record<string, string> }) {
  const [loaded, setLoaded] = useState<Pages | null>(pages);
  const [error, setError] = useState<Error | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (loaded) return;
    let alive = true;
    load().then(
      (m) => alive && setLoaded(m),
      (e: Error) => alive && setError(e),
    );
    return () => {
      alive = false;
    };
  }, [round]);
  if (error) return <ErrorBox error={error} retry={() => (setError(null), setRound((n) => n + 1))} />;
  if (!loaded) return <Loading />;
  const Page = loaded[name] as (props: Record<string, string>) => JSX.Element;
  return <Page {...params} />;
}

const route = (name: string, pattern: string, page: PageName): PageRoute => ({
  name,
  pattern,
  page: (params) => <Lazy name={page} params={params} />,
});

export const area: Area = {
  routes: [
    route("organization.mine", "/manage", "ManagePage"),
    route("organization.new", "/manage/new", "CreateOrgPage"),
    route("organization.dashboard", "/manage/:id", "DashboardPage"),
    route("organization.edit", "/manage/:id/edit", "EditOrgPage"),
    route("organization.people", "/manage/:id/people", "PeoplePage"),
    route("organization.news", "/manage/:id/news", "NewsPage"),
    route("organization.reviews", "/manage/:id/reviews", "ReviewsPage"),
    route("organization.opportunities", "/manage/:id/opportunities", "OpportunitiesPage"),
    route("organization.opportunity.new", "/manage/:id/opportunities/new", "NewOpportunityPage"),
    route("organization.opportunity", "/manage/:id/opportunities/:opp", "OpportunityManagePage"),
    route("organization.applications", "/manage/:id/applications", "ApplicationsPage"),
    route("organization.events", "/manage/:id/events", "EventsPage"),
    route("organization.moderation", "/moderate", "ModerationPage"),
  ],
  nav: [
    { path: "/manage", label: "organization.nav.mine" },
    { path: "/moderate", label: "organization.nav.moderation" },
  ],
};
