// The shell: skip link, header (Jumo, nav, unread count, language, sign out), the routed page.
import { useEffect, useState } from "preact/hooks";
import { session } from "./auth";
import { Loading } from "./components";
import { LOCALES, setLocale, t, type Locale } from "./i18n";
import { useAuth, useLive, useLocale } from "./hooks";
import { live } from "./live";
import { currentPath, linkClick, matchRoute, navigate, onNavigate } from "./router";
import { FeedPage } from "./pages/feed";
import { NotFoundPage } from "./pages/notfound";
import { NotificationsPage } from "./pages/notifications";
import { OrgPage } from "./pages/org";
import { SignInPage } from "./pages/signin";
import { area as community } from "./areas/community";
import { area as organization } from "./areas/organization";
import { area as people } from "./areas/people";
import { area as settings } from "./areas/settings";
import type { PageRoute } from "./areas/types";
import { area as volunteer } from "./areas/volunteer";

const AREAS = [volunteer, community, people, organization, settings];

// The app's own paths. None may begin like an API path (/orgs, /notifications, /users, /feed,
// …: the gateway sends those to a service whatever the browser asks), or a reload there would
// show JSON: hence /inbox and /organizations/:id.
export const ROUTES: PageRoute[] = [
  { name: "feed", pattern: "/", page: () => <FeedPage /> },
  { name: "notifications", pattern: "/inbox", page: () => <NotificationsPage /> },
  { name: "org", pattern: "/organizations/:id", page: (p) => <OrgPage id={p.id} /> },
  { name: "signin", pattern: "/signin", page: () => <SignInPage returnTo="/" /> },
  ...AREAS.flatMap((a) => a.routes),
];
const NAV = AREAS.flatMap((a) => a.nav);

/** The unread-notification count (on the inbox entry, and on a phone's Menu button). */
function UnreadBadge({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <span class="badge" aria-label={t("notifications.unread", { count })}>
      {count > 99 ? "99+" : count}
    </span>
  );
}

function Header({ path }: { path: string }) {
  const locale = useLocale();
  const auth = useAuth();
  const { unread } = useLive();
  const here = (p: string) => (path.split("?")[0] === p ? "page" : undefined);
  // On a phone the entries sit behind a Menu button (they would take half the screen); any
  // navigation closes it again. From 40rem wide the button is hidden and the entries shown.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  const signOut = async () => {
    live.stop();
    await session.logout();
    navigate("/signin");
  };
  return (
    <header class="site-header">
      <div class="site-header-inner">
        <a class="brand" href="/">
          {t("app.name")}
        </a>
        {auth === "signed-in" && (
          <button
            type="button"
            class="menu-button"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            {t("nav.menu")}
            <UnreadBadge count={unread} />
          </button>
        )}
        {auth === "signed-in" && (
          <nav id="main-nav" aria-label={t("nav.main")} class={menuOpen ? "nav nav-open" : "nav"}>
            <a href="/" aria-current={here("/")}>
              {t("nav.feed")}
            </a>
            <a href="/inbox" aria-current={here("/inbox")}>
              {t("nav.notifications")}
              <UnreadBadge count={unread} />
            </a>
            {NAV.map((item) => (
              <a key={item.path} href={item.path} aria-current={here(item.path)}>
                {t(item.label)}
              </a>
            ))}
          </nav>
        )}
        <div class="header-tools">
          <label class="lang">
            <span class="visually-hidden">{t("lang.label")}</span>
            <select
              value={locale}
              onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}
            >
              {LOCALES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {t(`lang.${l}`)}
                </option>
              ))}
            </select>
          </label>
          {auth === "signed-in" && (
            <button type="button" class="button button-quiet" onClick={signOut}>
              {t("nav.signOut")}
            </button>
          )}
        </div>
      </div>
    </header>
  );
}

function Routed({ path }: { path: string }) {
  const auth = useAuth();
  const match = matchRoute(ROUTES, path);
  if (auth === "unknown") return <Loading />;
  if (match?.name === "signin") {
    return auth === "signed-in" ? <FeedPage /> : <SignInPage returnTo="/" />;
  }
  if (auth === "signed-out") return <SignInPage returnTo={path} />;
  const route = match && ROUTES.find((r) => r.name === match.name);
  return route ? route.page(match.params) : <NotFoundPage />;
}

export function App() {
  const [path, setPath] = useState(currentPath());
  const locale = useLocale();
  const auth = useAuth();
  useEffect(() => onNavigate(setPath), []);
  useEffect(() => {
    document.title = t("app.name");
  }, [locale]);
  useEffect(() => {
    if (auth === "signed-in") void live.start();
    else live.stop();
  }, [auth]);
  return (
    <div class="app" onClick={(e) => linkClick(e as unknown as MouseEvent)}>
      <a class="skip-link" href="#main" data-external>
        {t("app.skip")}
      </a>
      <Header path={path} />
      <main id="main" class="main" key={path}>
        <Routed path={path} />
      </main>
    </div>
  );
}
