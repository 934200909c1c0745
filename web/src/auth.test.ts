import { afterEach, describe, expect, it, vi } from "vitest";
import { loginUrl, refreshDelayMs, Session, type AuthState } from "./auth";

afterEach(() => vi.useRealTimers());

function answers(...list: Array<() => Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetcher = async (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    const next = list.shift();
    if (!next) throw new Error("no more answers");
    return next();
  };
  return { calls, fetcher };
}

const tokens = (token: string, expires = 900) => () =>
  new Response(JSON.stringify({ access_token: token, expires_in: expires, token_type: "Bearer" }), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
const refused = () => new Response('{"title":"Unauthorized"}', { status: 401, headers: { "Content-Type": "application/problem+json" } });

describe("loginUrl", () => {
  it("asks identity to come back to a path of the app, never elsewhere", () => {
    expect(loginUrl("/organizations/o1?tab=news")).toBe(
      "/auth/facebook/login?return_to=%2Forganizations%2Fo1%3Ftab%3Dnews",
    );
    expect(loginUrl("https://evil.example/")).toBe("/auth/facebook/login?return_to=%2F");
    expect(loginUrl("//evil.example/")).toBe("/auth/facebook/login?return_to=%2F");
    expect(loginUrl("/auth/logout")).toBe("/auth/facebook/login?return_to=%2F");
  });
});

describe("Session", () => {
  it("refreshes from the cookie with the web client's header and no body", async () => {
    const { calls, fetcher } = answers(tokens("t1"));
    const session = new Session(fetcher);
    const states: AuthState[] = [];
    session.onChange((s) => states.push(s));
    expect(await session.refresh()).toBe("t1");
    expect(session.token()).toBe("t1");
    expect(states).toEqual(["signed-in"]);
    expect(calls[0].url).toBe("/auth/refresh");
    expect(calls[0].init.method).toBe("POST");
    expect(calls[0].init.body).toBeUndefined();
    expect(calls[0].init.credentials).toBe("same-origin");
    expect((calls[0].init.headers as Record<string, string>)["X-Jumo-Client"]).toBe("web");
  });

  it("is signed out when the refresh is refused", async () => {
    const session = new Session(answers(refused).fetcher);
    expect(await session.refresh()).toBeNull();
    expect(session.state).toBe("signed-out");
    expect(session.token()).toBeNull();
  });

  it("shares one request between concurrent refreshes (a refresh token is used once)", async () => {
    const { calls, fetcher } = answers(tokens("t1"));
    const session = new Session(fetcher);
    const [a, b] = await Promise.all([session.refresh(), session.refresh()]);
    expect([a, b]).toEqual(["t1", "t1"]);
    expect(calls).toHaveLength(1);
  });

  it("refreshes again ahead of the token's expiry", async () => {
    vi.useFakeTimers();
    const { calls, fetcher } = answers(tokens("t1", 100), tokens("t2", 100));
    const session = new Session(fetcher);
    await session.refresh();
    await vi.advanceTimersByTimeAsync(refreshDelayMs(100) + 1);
    expect(calls).toHaveLength(2);
    expect(session.token()).toBe("t2");
  });

  it("logout ends the login at identity and forgets the token, even when the call fails", async () => {
    const { calls, fetcher } = answers(tokens("t1"), () => {
      throw new TypeError("offline");
    });
    const session = new Session(fetcher);
    await session.refresh();
    await expect(session.logout()).rejects.toThrow("offline");
    expect(calls[1].url).toBe("/auth/logout");
    expect(session.token()).toBeNull();
    expect(session.state).toBe("signed-out");
  });

  it("refreshDelayMs: 80 % of the life, at least 5 s", () => {
    expect(refreshDelayMs(900)).toBe(720000);
    expect(refreshDelayMs(1)).toBe(5000);
  });
});
