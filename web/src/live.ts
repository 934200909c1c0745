// The unread count and the live notification stream (GET /notifications/stream, SSE read
// through fetch so that it carries the access token), reconnecting with Last-Event-ID.
import { api } from "./api";
import { reconnectDelay, SseParser } from "./sse";

export interface Party {
  kind: string;
  id: string;
  name: string;
  url?: string | null;
}

export interface Notification {
  id: string;
  ids: string[];
  kind: string;
  text: string;
  read: boolean;
  count: number;
  actors: string[];
  actor?: Party | null;
  subject?: Party | null;
  data?: Record<string, unknown>;
  created_at: string;
  cursor: string;
}

type Listener = () => void;

class Live {
  unread = 0;
  /** Notifications that arrived on the stream since it opened, newest first. */
  arrived: Notification[] = [];
  connected = false;
  private listeners = new Set<Listener>();
  private controller: AbortController | null = null;
  private lastEventId: string | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  setUnread(count: number): void {
    this.unread = Math.max(0, count);
    this.emit();
  }

  async start(): Promise<void> {
    this.stop();
    this.controller = new AbortController();
    try {
      const answer = await api.get<{ unread: number }>("/notifications/unread-count");
      this.setUnread(answer.unread);
    } catch {
      // the stream below still brings new ones
    }
    void this.open(this.controller, 0);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.connected = false;
    this.arrived = [];
    this.lastEventId = null;
  }

  private async open(controller: AbortController, attempt: number): Promise<void> {
    let delay = reconnectDelay(attempt);
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
      const answer = await api.response("/notifications/stream", {
        headers,
        signal: controller.signal,
      });
      if (!answer.body) return;
      this.connected = true;
      this.emit();
      const parser = new SseParser(
        (event) => {
          if (event.event !== "notification") return;
          const notification = JSON.parse(event.data) as Notification;
          this.arrived = [notification, ...this.arrived.filter((n) => n.id !== notification.id)];
          if (!notification.read) this.unread += 1;
          this.emit();
        },
        (ms) => {
          delay = ms;
        },
      );
      const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
        this.lastEventId = parser.lastEventId ?? this.lastEventId;
      }
      attempt = -1; // a stream that ran and ended: reconnect soon
    } catch (error) {
      if (controller.signal.aborted) return;
      if ((error as { status?: number }).status === 401) return; // signed out
    }
    if (controller.signal.aborted) return;
    this.connected = false;
    this.emit();
    this.retry = setTimeout(() => void this.open(controller, attempt + 1), delay);
  }
}

export const live = new Live();
