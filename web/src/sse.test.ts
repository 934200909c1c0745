import { describe, expect, it } from "vitest";
import { reconnectDelay, SseParser, type StreamEvent } from "./sse";

function parse(chunks: string[]) {
  const events: StreamEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser((e) => events.push(e), (ms) => retries.push(ms));
  for (const chunk of chunks) parser.push(chunk);
  return { events, retries, parser };
}

describe("SseParser", () => {
  it("reads notifier's events with their id, across chunk boundaries", () => {
    const { events, parser } = parse([
      "event: notifi",
      'cation\nid: 42\ndata: {"id":"n1"}\n',
      "\n: heartbeat\n\nevent: notification\nid: 43\ndata: {\"id\":\"n2\"}\n\n",
    ]);
    expect(events).toEqual([
      { event: "notification", id: "42", data: '{"id":"n1"}' },
      { event: "notification", id: "43", data: '{"id":"n2"}' },
    ]);
    expect(parser.lastEventId).toBe("43");
  });

  it("joins multi-line data, accepts CRLF and CR, ignores comments and unknown fields", () => {
    const { events } = parse(["data: a\r\ndata: b\r\n\r\n", "data:c\rfoo: bar\r\r", ": only a comment\n\n"]);
    expect(events).toEqual([
      { event: "message", id: null, data: "a\nb" },
      { event: "message", id: null, data: "c" },
    ]);
  });

  it("waits for the LF after a CR that ends a chunk", () => {
    const { events } = parse(["data: x\r", "\n\r\n"]);
    expect(events).toEqual([{ event: "message", id: null, data: "x" }]);
  });

  it("an event without data is not dispatched, but its id counts; retry is reported", () => {
    const { events, retries, parser } = parse(["id: 7\n\nretry: 2500\nretry: soon\n\n"]);
    expect(events).toEqual([]);
    expect(parser.lastEventId).toBe("7");
    expect(retries).toEqual([2500]);
  });

  it("keeps an unfinished event until its blank line", () => {
    const { events } = parse(["data: half"]);
    expect(events).toEqual([]);
  });
});

describe("reconnectDelay", () => {
  it("doubles up to the cap, between half and all of it", () => {
    expect(reconnectDelay(0, 1000, 30000, () => 0)).toBe(500);
    expect(reconnectDelay(0, 1000, 30000, () => 1)).toBe(1000);
    expect(reconnectDelay(3, 1000, 30000, () => 1)).toBe(8000);
    expect(reconnectDelay(50, 1000, 30000, () => 1)).toBe(30000);
  });
});
