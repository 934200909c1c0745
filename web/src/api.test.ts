import { describe, expect, it } from "vitest";
import { ApiClient, ApiError, appendPage, problemMessage, withQuery } from "./api";

type Call = { url: string; init: RequestInit };

function json(status: number, body: unknown, type = "application/json"): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

/** A fetch that answers from a list, in order, and records what it was asked. */
function scripted(...answers: Response[]) {
  const calls: Call[] = [];
  const fetcher = async (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${url}`);
    return next;
  };
  return { calls, fetcher };
}

const header = (call: Call, name: string) => (call.init.headers as Record<string, string>)[name];

describe("withQuery", () => {
  it("leaves out empty values and encodes the rest", () => {
    expect(withQuery("/feed", { limit: 20, cursor: null, mode: undefined, q: "a b&c" })).toBe(
      "/feed?limit=20&q=a+b%26c",
    );
    expect(withQuery("/feed", {})).toBe("/feed");
    expect(withQuery("/x?a=1", { b: 2 })).toBe("/x?a=1&b=2");
  });
});

describe("problemMessage", () => {
  it("prefers the detail, then the title, and lists field errors", () => {
    expect(problemMessage(404, { title: "Not Found", detail: "No such organization." })).toBe(
      "No such organization.",
    );
    expect(problemMessage(429, { title: "Too Many Requests" })).toBe("Too Many Requests");
    expect(
      problemMessage(422, {
        title: "Unprocessable",
        errors: [{ loc: ["body", "name"], msg: "Field required" }],
      }),
    ).toBe("Unprocessable (name: Field required)");
    expect(problemMessage(500, null)).toBe("HTTP 500");
    expect(problemMessage(0, null)).toBe("The network is unreachable.");
  });
});

describe("ApiClient", () => {
  it("sends the token in memory as a Bearer header, JSON bodies, same-origin credentials", async () => {
    const { calls, fetcher } = scripted(json(200, { ok: 1 }));
    const client = new ApiClient("", fetcher);
    client.useTokens({ token: () => "abc", renew: async () => null });
    expect(await client.post("/feed/seen", { cursor: "7" })).toEqual({ ok: 1 });
    expect(calls[0].url).toBe("/feed/seen");
    expect(calls[0].init.method).toBe("POST");
    expect(header(calls[0], "Authorization")).toBe("Bearer abc");
    expect(header(calls[0], "Content-Type")).toBe("application/json");
    expect(calls[0].init.body).toBe('{"cursor":"7"}');
    expect(calls[0].init.credentials).toBe("same-origin");
  });

  it("turns a problem+json answer into an ApiError with the problem", async () => {
    const problem = { type: "https://jumo.example/problems/org-not-found", title: "Not Found", status: 404, detail: "No such organization." };
    const { fetcher } = scripted(json(404, problem, "application/problem+json"));
    const error = await new ApiClient("", fetcher).get("/orgs/x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
    expect((error as ApiError).problem?.type).toBe(problem.type);
    expect((error as ApiError).message).toBe("No such organization.");
  });

  it("an answer that is not JSON is still an error, without a problem", async () => {
    const { fetcher } = scripted(new Response("<html>", { status: 502, headers: { "Content-Type": "text/html" } }));
    const error = (await new ApiClient("", fetcher).get("/x").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.problem).toBeNull();
  });

  it("a network failure is status 0", async () => {
    const client = new ApiClient("", async () => {
      throw new TypeError("Failed to fetch");
    });
    const error = (await client.get("/x").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
  });

  it("renews the token once on a 401 and retries with the new one", async () => {
    const { calls, fetcher } = scripted(json(401, { title: "Unauthorized" }), json(200, { unread: 3 }));
    const client = new ApiClient("", fetcher);
    let token = "old";
    let renewals = 0;
    client.useTokens({ token: () => token, renew: async () => ((renewals += 1), (token = "new")) });
    expect(await client.get("/notifications/unread-count")).toEqual({ unread: 3 });
    expect(renewals).toBe(1);
    expect(calls.map((c) => header(c, "Authorization"))).toEqual(["Bearer old", "Bearer new"]);
  });

  it("a 401 with no renewal possible is the error", async () => {
    const { calls, fetcher } = scripted(json(401, { title: "Unauthorized" }));
    const client = new ApiClient("", fetcher);
    client.useTokens({ token: () => "old", renew: async () => null });
    const error = (await client.get("/feed").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it("walks every page by next_cursor", async () => {
    const { calls, fetcher } = scripted(
      json(200, { items: [1, 2], next_cursor: "c2" }),
      json(200, { items: [3], next_cursor: null }),
    );
    const seen: number[] = [];
    for await (const item of new ApiClient("", fetcher).all<number>("/notifications", { limit: 2 })) seen.push(item);
    expect(seen).toEqual([1, 2, 3]);
    expect(calls.map((c) => c.url)).toEqual(["/notifications?limit=2", "/notifications?limit=2&cursor=c2"]);
  });

  it("stops at max items and on a cursor that does not move", async () => {
    const { fetcher } = scripted(
      json(200, { items: [1], next_cursor: "same" }),
      json(200, { items: [2], next_cursor: "same" }),
    );
    const seen: number[] = [];
    for await (const item of new ApiClient("", fetcher).all<number>("/x")) seen.push(item);
    expect(seen).toEqual([1, 2]);
    const capped = scripted(json(200, { items: [1, 2, 3], next_cursor: "n" }));
    const few: number[] = [];
    for await (const item of new ApiClient("", capped.fetcher).all<number>("/x", {}, 2)) few.push(item);
    expect(few).toEqual([1, 2]);
  });
});

describe("appendPage", () => {
  it("grows a list without repeating an item", () => {
    const one = { id: "a", n: 1 };
    const two = { id: "b", n: 2 };
    expect(appendPage([one], [one, two])).toEqual([one, two]);
    expect(appendPage([], [two, two])).toEqual([two]);
  });
});
