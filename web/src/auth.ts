// Signing in, for a browser, on identity's web contract (isolated here, so that a change of
// that contract changes this file only):
// - "Continue with Facebook" is a plain navigation to /auth/facebook/login?return_to=<path>;
//   identity runs Facebook's login and answers the callback with a 303 to that path, having set
//   the refresh token in an HttpOnly, SameSite=Strict cookie limited to the refresh path.
// - POST /auth/refresh with `X-Jumo-Client: web` and no body answers a fresh access token
//   (and rotates the cookie). Script never sees the refresh token.
// - The access token lives in this module's memory only: a reload refreshes silently.
// - POST /auth/logout (same header) ends the login and clears the cookie.
// (docs/api/guide.md, "In a browser"; services/identity/src/jumo_identity/browser.py.)
import { safeReturnPath } from "./router";

export const WEB_CLIENT_HEADER = { "X-Jumo-Client": "web" } as const;
const REFRESH_LOCK = "jumo-refresh";

export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  token_type?: string;
}

export type AuthState = "unknown" | "signed-in" | "signed-out";

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The login's URL for a browser that should come back to `returnTo` (a path of the app). */
export function loginUrl(returnTo: string): string {
  return `/auth/facebook/login?${new URLSearchParams({ return_to: safeReturnPath(returnTo) })}`;
}

/** When to refresh ahead of expiry: at 80 % of the token's life, at least 5 s from now. */
export function refreshDelayMs(expiresInS: number): number {
  return Math.max(5000, Math.floor(expiresInS * 1000 * 0.8));
}

export class Session {
  private accessToken: string | null = null;
  private inflight: Promise<string | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<(state: AuthState) => void>();
  state: AuthState = "unknown";

  constructor(private readonly fetcher: Fetch = (input, init) => fetch(input, init)) {}

  token(): string | null {
    return this.accessToken;
  }

  onChange(listener: (state: AuthState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A silent refresh from the cookie: the new access token, or null (signed out).
   * Concurrent callers share one request (a rotated refresh token must be used once). */
  refresh(): Promise<string | null> {
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async doRefresh(): Promise<string | null> {
    let answer: Response;
    const send = () =>
      this.fetcher("/auth/refresh", {
        method: "POST",
        headers: { ...WEB_CLIENT_HEADER, Accept: "application/json" },
        credentials: "same-origin",
      });
    try {
      // One refresh at a time across this browser's tabs: the cookie's token rotates on use,
      // and two tabs refreshing with the same one would revoke the login (reuse detection).
      const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
      answer = locks ? await locks.request(REFRESH_LOCK, send) : await send();
    } catch {
      // Offline: keep whatever state we had; a later call tries again.
      return this.accessToken;
    }
    if (!answer.ok) {
      await answer.text().catch(() => ""); // read it through: the request is then finished
      this.clear();
      return null;
    }
    const body = (await answer.json()) as TokenAnswer;
    this.accessToken = body.access_token;
    this.schedule(body.expires_in);
    this.set("signed-in");
    return this.accessToken;
  }

  async logout(): Promise<void> {
    try {
      await this.fetcher("/auth/logout", {
        method: "POST",
        headers: { ...WEB_CLIENT_HEADER, Accept: "application/json" },
        credentials: "same-origin",
      });
    } finally {
      this.clear();
    }
  }

  private schedule(expiresInS: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (!Number.isFinite(expiresInS) || expiresInS <= 0) return;
    this.timer = setTimeout(() => void this.refresh(), refreshDelayMs(expiresInS));
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.accessToken = null;
    this.set("signed-out");
  }

  private set(state: AuthState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

export const session = new Session();
