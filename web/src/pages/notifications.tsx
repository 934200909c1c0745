// Notifications (GET /notifications), the ones that arrive live on top (the stream in
// live.ts), mark one or all as read.
import { useEffect } from "preact/hooks";
import { api, type Page } from "../api";
import { ErrorBox, Loading, MoreButton, PageTitle } from "../components";
import { partyPath } from "../format";
import { formatRelative, t } from "../i18n";
import { useAction, useLive, useLocale, usePaged } from "../hooks";
import type { Notification } from "../live";

type NotificationPage = Page<Notification> & { unread: number };

export function NotificationsPage() {
  const locale = useLocale();
  const live = useLive();
  const paged = usePaged(
    (cursor) => api.page<Notification>("/notifications", { limit: 30 }, cursor) as Promise<NotificationPage>,
    [],
  );
  const { first, reload, items, setItems } = paged;
  const marking = useAction();
  useEffect(() => {
    if (first.status === "ok" && typeof first.value.unread === "number") live.setUnread(first.value.unread);
  }, [first]);
  if (first.status === "loading") return <Loading />;
  if (first.status === "error") return <ErrorBox error={first.error} retry={reload} />;

  const known = new Set(items.map((n) => n.id));
  const shown = [...live.arrived.filter((n) => !known.has(n.id)), ...items];
  const markRead = (n: Notification) =>
    marking.run(async () => {
      await api.post(`/notifications/${encodeURIComponent(n.id)}/read`, { ids: n.ids });
      setItems((old) => old.map((o) => (o.id === n.id ? { ...o, read: true } : o)));
      live.setUnread(live.unread - 1);
    });
  const markAll = () =>
    marking.run(async () => {
      await api.post("/notifications/read-all");
      setItems((old) => old.map((o) => ({ ...o, read: true })));
      live.setUnread(0);
    });
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
      {marking.error && <ErrorBox error={marking.error} />}
      <MoreButton paged={paged} />
    </section>
  );
}
