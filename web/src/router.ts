// A small history router: patterns like "/orgs/:id", links that navigate without a reload,
// and the current path as a signal-free subscription (the shell re-renders on change).

export interface Match {
  name: string;
  params: Record<string, string>;
}

export interface RouteDef {
  name: string;
  pattern: string;
}

/** The first route whose pattern matches `path` (no query, no hash), with its decoded params. */
export function matchRoute(routes: RouteDef[], path: string): Match | null {
  const clean = path.split(/[?#]/, 1)[0].replace(/\/+$/, "") || "/";
  const parts = clean.split("/").slice(1);
  for (const route of routes) {
    const wanted = route.pattern.replace(/\/+$/, "").split("/").slice(1);
    if (route.pattern === "/" ? clean !== "/" : wanted.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < wanted.length && ok; i += 1) {
      if (wanted[i].startsWith(":")) {
        try {
          params[wanted[i].slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
        ok = ok && parts[i] !== "";
      } else {
        ok = wanted[i] === parts[i];
      }
    }
    if (ok) return { name: route.name, params };
  }
  return null;
}

/** A path for a pattern: `pathFor("/orgs/:id", {id: "a b"})` is "/orgs/a%20b". */
export function pathFor(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/:([A-Za-z_]+)/g, (_, key: string) => {
    if (!(key in params)) throw new Error(`no value for :${key} in ${pattern}`);
    return encodeURIComponent(params[key]);
  });
}

/** A path of this app that is safe to go back to after sign-in (same origin, not /auth/…). */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith("/") || candidate.startsWith("//")) return "/";
  if (candidate.includes("\\") || /^\/auth(\/|$)/.test(candidate)) return "/";
  return candidate;
}

type Listener = (path: string) => void;
const listeners = new Set<Listener>();
let navigated = false;

/** Whether the person has moved within the app since it loaded (links, back, forward). */
export function hasNavigated(): boolean {
  return navigated;
}

export function currentPath(): string {
  return window.location.pathname + window.location.search;
}

export function navigate(path: string, replace = false): void {
  if (path === currentPath()) return;
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  window.scrollTo(0, 0);
  navigated = true;
  for (const listener of listeners) listener(path);
}

export function onNavigate(listener: Listener): () => void {
  listeners.add(listener);
  const pop = () => {
    navigated = true;
    listener(currentPath());
  };
  window.addEventListener("popstate", pop);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", pop);
  };
}

/** Click handler for in-app links: plain left clicks navigate; others keep the browser's way. */
export function linkClick(event: MouseEvent): void {
  const anchor = (event.target as Element | null)?.closest?.("a");
  if (!anchor || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (anchor.target || anchor.hasAttribute("download") || anchor.dataset.external !== undefined) return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin || /^\/(auth|docs)(\/|$)/.test(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
