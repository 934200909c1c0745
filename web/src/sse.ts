// Server-Sent Events read from a fetch() body: EventSource cannot send an Authorization
// header, and the notification stream needs the access token. The parser follows the HTML
// standard's event-stream rules (fields, comments, CR/LF/CRLF, multi-line data, id, retry).

export interface StreamEvent {
  event: string;
  data: string;
  id: string | null;
}

/** Feeds chunks of text; calls `onEvent` for each complete event, `onRetry` for `retry:`. */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | null = null;
  /** The last event id seen (what to send as Last-Event-ID on reconnection). */
  lastEventId: string | null = null;

  constructor(
    private readonly onEvent: (event: StreamEvent) => void,
    private readonly onRetry: (ms: number) => void = () => {},
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) return;
      // A lone CR at the very end may be the first half of a CRLF: wait for more.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) return;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return; // a comment (the stream's heartbeat)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.id = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.onRetry(Number(value));
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    if (this.id !== null) this.lastEventId = this.id;
    if (this.data.length) {
      this.onEvent({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
    }
    this.data = [];
    this.event = "";
    this.id = null;
  }
}

/** How long to wait before the n-th reconnection (0-based): doubling, capped, with jitter. */
export function reconnectDelay(attempt: number, base = 1000, cap = 30000, random = Math.random): number {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
