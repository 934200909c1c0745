// Notifications (GET /notifications), the ones that arrive live on top (the stream in
// live.ts), mark one or all as read.
import { useEffect, useState } from "preact/hooks";
import { api, type Page } from "../api";
import { ErrorBox, Loading, PageTitle } from "../components";
import { partyPath } from "../format";
import { formatRelative, t } from "../i18n";
import { useLive, useLoad, useLocale } from "../hooks";
import type { Notification } from "../live";

type NotificationPage = Page<Notification> & { unread: number };

export function NotificationsPage() {
  const locale = useLocale();
  const live = useLive();
  const [state, reload] = useLoad(() => api.page<Notification>("/notifications", { limit: 30 }), []);
  const [items, setItems] = useState<Notification[]>([]);
  const [next, setNext] = useState<string | null>(null);
  useEffect(() => {
    if (state.status === "ok") {
      const page = state.value as NotificationPage;
      setItems(page.items);
      setNext(page.next_cursor);
      if (typeof page.unread === "number") live.setUnread(page.unread);
    }
  }, [state]);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <ErrorBox error={state.error} retry={reload} />;

  const known = new Set(items.map((n) => n.id));
  const shown = [...live.arrived.filter((n) => !known.has(n.id)), ...items];
  const markRead = async (n: Notification) => {
    await api.post(`/notifications/${encodeURIComponent(n.id)}/read`, { ids: n.ids });
    setItems((old) => old.map((o) => (o.id === n.id ? { ...o, read: true } : o)));
    live.setUnread(live.unread - 1);
  };
  const markAll = async () => {
    await api.post("/notifications/read-all");
    setItems((old) => old.map((o) => ({ ...o, read: true })));
    live.setUnread(0);
  };
  const more = async () => {
    const page = await api.page<Notification>("/notifications", { limit: 30 }, next);
    setItems((old) => [...old, ...page.items]);
    setNext(page.next_cursor);
  };
  return (
    <section>
      <PageTitle>{t("notifications.title")}</PageTitle>
      <div class="toolbar">
        {live.connected && <span class="live-dot">{t("notifications.live")}</span>}
        <button type="button" class="button button-quiet" onClick={markAll} disabled={!live.unread}>
          {t("notifications.markAll")}
        </button>
      </div>
      {shown.length === 0 ? (
        <p class="empty">{t("notifications.empty")}</p>
      ) : (
        <ul class="notifications">
          {shown.map((n) => {
            const path = n.subject ? partyPath(n.subject.kind, n.subject.id) : null;
            return (
              <li key={n.id} class={n.read ? "card notification" : "card notification unread"}>
                <p>
                  {!n.read && <span class="visually-hidden">{t("notifications.unreadBadge")}: </span>}
                  {path ? <a href={path}>{n.text}</a> : n.text}
                </p>
                <p class="meta">
                  <time dateTime={n.created_at}>{formatRelative(locale, n.created_at)}</time>
                  {!n.read && (
                    <button type="button" class="link-button" onClick={() => markRead(n)}>
                      {t("notifications.markRead")}
                    </button>
                  )}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      {next && (
        <button type="button" class="button button-quiet" onClick={more}>
          {t("common.more")}
        </button>
      )}
    </section>
  );
}
