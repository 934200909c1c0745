// The API client: same origin (the gateway), the access token in memory only (never in
// storage), problem+json errors as ApiError, cursor pagination. No framework code here.

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: Array<{ loc?: Array<string | number>; msg?: string; field?: string; message?: string }>;
  [key: string]: unknown;
}

/** A list grown by a further page: the new items after the old, none twice (an item that moved
 * between two reads comes back on the next page). */
export function appendPage<T extends { id: string }>(items: T[], more: T[]): T[] {
  const seen = new Set(items.map((item) => item.id));
  return [...items, ...more.filter((item) => !seen.has(item.id) && seen.add(item.id))];
}

/** An answer that was not 2xx: its status and, when the body was problem+json, the problem. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;

  constructor(status: number, problem: Problem | null) {
    super(problemMessage(status, problem));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }
}

/** A person-readable sentence for a problem: its detail, else its title, else the status. */
export function problemMessage(status: number, problem: Problem | null): string {
  if (problem) {
    const detail = typeof problem.detail === "string" ? problem.detail.trim() : "";
    const title = typeof problem.title === "string" ? problem.title.trim() : "";
    const fields = (problem.errors ?? [])
      .map((e) => {
        const where = e.field ?? (e.loc ?? []).filter((p) => p !== "body").join(".");
        const what = e.message ?? e.msg ?? "";
        return where && what ? `${where}: ${what}` : what;
      })
      .filter(Boolean);
    const head = detail || title || `HTTP ${status}`;
    return fields.length ? `${head} (${fields.join("; ")})` : head;
  }
  if (status === 0) return "The network is unreachable.";
  return `HTTP ${status}`;
}

/** A page of a cursor-paginated list, as every Jumo list answers it. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  [key: string]: unknown;
}

export type TokenSource = {
  /** The current access token, or null when signed out. */
  token(): string | null;
  /** Called once on a 401: a fresh token (a silent refresh), or null when there is none. */
  renew(): Promise<string | null>;
};

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `path?query` with the null/undefined entries left out. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes("?") ? "&" : "?"}${text}` : path;
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Without the Authorization header (sign-in calls). */
  anonymous?: boolean;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiClient {
  private tokens: TokenSource | null = null;

  /** `base`: "" for the same origin (the gateway serves the app and the API). */
  constructor(
    private readonly base = "",
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  useTokens(tokens: TokenSource | null): void {
    this.tokens = tokens;
  }

  url(path: string, query?: Query): string {
    return this.base + withQuery(path, query);
  }

  /** The raw response (2xx), after one silent renewal on a 401; throws ApiError otherwise. */
  async response(path: string, options: RequestOptions = {}): Promise<Response> {
    const send = (token: string | null): Promise<Response> => {
      const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
      if (token && !options.anonymous) headers.Authorization = `Bearer ${token}`;
      let body: BodyInit | undefined;
      if (options.body !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(options.body);
      }
      return this.fetcher(this.url(path, options.query), {
        method: options.method ?? "GET",
        headers,
        body,
        credentials: "same-origin",
        signal: options.signal,
      });
    };
    let answer: Response;
    try {
      const token = options.anonymous ? null : (this.tokens?.token() ?? null);
      answer = await send(token);
      if (answer.status === 401 && token && this.tokens) {
        const renewed = await this.tokens.renew();
        if (renewed) answer = await send(renewed);
      }
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, null);
    }
    if (!answer.ok) throw new ApiError(answer.status, await readProblem(answer));
    return answer;
  }

  /** The JSON body of a 2xx answer (undefined for 204). */
  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const answer = await this.response(path, options);
    if (answer.status === 204) return undefined as T;
    return (await answer.json()) as T;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { query, signal });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>(path, { method: "POST", body });
  }

  /** One page of a list; `cursor` from the previous page's next_cursor. */
  page<T>(path: string, query: Query = {}, cursor?: string | null): Promise<Page<T>> {
    return this.get<Page<T>>(path, { ...query, cursor: cursor ?? undefined });
  }

  /** Every item of a list, page after page, up to `max` items. */
  async *all<T>(path: string, query: Query = {}, max = Infinity): AsyncGenerator<T> {
    let cursor: string | null | undefined;
    let count = 0;
    do {
      const page = await this.page<T>(path, query, cursor);
      for (const item of page.items) {
        if (count >= max) return;
        count += 1;
        yield item;
      }
      if (page.next_cursor && page.next_cursor === cursor) return; // a server that loops
      cursor = page.next_cursor;
    } while (cursor);
  }
}

async function readProblem(answer: Response): Promise<Problem | null> {
  const type = answer.headers.get("Content-Type") ?? "";
  if (!/json/i.test(type)) return null;
  try {
    const body: unknown = await answer.json();
    return body && typeof body === "object" ? (body as Problem) : null;
  } catch {
    return null;
  }
}

export const api = new ApiClient();
