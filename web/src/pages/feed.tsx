// The home feed (GET /feed): newest first, each item with its reasons; "Catch up" shows
// what happened since the last visit (mode=catch-up) and marks it seen (POST /feed/seen).
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorBox, Loading, MoreButton, PageTitle } from "../components";
import { initials, partyPath, text } from "../format";
import { formatRelative, t, type MessageKey } from "../i18n";
import { useLoad, useLocale, usePaged } from "../hooks";

export interface Reason {
  kind: string;
  text: string;
  source_id: string;
}

export interface FeedItem {
  id: string;
  kind: string;
  at: string;
  org?: { id?: string; name?: string } | null;
  actor?: { id: string; name?: string | null } | null;
  snapshot: Record<string, unknown>;
  reasons: Reason[];
  cursor: string;
}

interface CatchUp {
  since: string | null;
  total: number;
  newest: string | null;
  groups: Array<{ text: string; kind: string; count: number; items: FeedItem[] }>;
}

function kindLabel(kind: string): string {
  const family = kind.split(/[._:]/, 1)[0];
  const key = `feed.kind.${family}` as MessageKey;
  return ["post", "opportunity", "event"].includes(family) ? t(key) : t("feed.kind.other");
}

export function FeedEntry({ item }: { item: FeedItem }) {
  const locale = useLocale();
  const title = text(item.snapshot, "title", "name", "org_name") || item.reasons[0]?.text || "";
  const body = text(item.snapshot, "excerpt", "summary", "description");
  const who = item.org?.name ?? item.actor?.name ?? "";
  const orgPath = item.org?.id ? partyPath("org", item.org.id) : null;
  return (
    <article class="card feed-item" aria-labelledby={`feed-${item.id}`}>
      <header class="feed-item-head">
        <span class="avatar" aria-hidden="true">
          {initials(who || title)}
        </span>
        <div>
          <p class="meta">
            <span class="tag">{kindLabel(item.kind)}</span>{" "}
            {orgPath ? <a href={orgPath}>{who}</a> : who}{" "}
            <time dateTime={item.at}>{formatRelative(locale, item.at)}</time>
          </p>
          <h2 id={`feed-${item.id}`} class="feed-item-title">
            {title}
          </h2>
        </div>
      </header>
      {body && <p>{body}</p>}
      {item.reasons.length > 0 && (
        <ul class="reasons" aria-label={t("feed.why")}>
          {item.reasons.map((reason) => (
            <li key={reason.kind + reason.source_id}>{reason.text}</li>
          ))}
        </ul>
      )}
    </article>
  );
}

function Latest() {
  const paged = usePaged((cursor) => api.page<FeedItem>("/feed", { limit: 20 }, cursor), []);
  const { first, reload, items } = paged;
  if (first.status === "loading") return <Loading />;
  if (first.status === "error") return <ErrorBox error={first.error} retry={reload} />;
  if (!items.length) return <p class="empty">{t("feed.empty")}</p>;
  return (
    <div class="feed-list">
      {items.map((item) => (
        <FeedEntry key={item.id} item={item} />
      ))}
      <MoreButton paged={paged} />
    </div>
  );
}

function CatchUpView() {
  const [state, reload] = useLoad(() => api.get<CatchUp>("/feed", { mode: "catch-up" }), []);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <ErrorBox error={state.error} retry={reload} />;
  const catchUp = state.value;
  if (!catchUp.total) return <p class="empty">{t("feed.catchUpEmpty")}</p>;
  const markSeen = async () => {
    if (catchUp.newest) await api.post("/feed/seen", { cursor: catchUp.newest });
    reload();
  };
  return (
    <div class="feed-list">
      <h2 class="section-title">{t("feed.catchUpTitle")}</h2>
      {catchUp.groups.map((group) => (
        <section class="card" key={group.text}>
          <h3>{group.text}</h3>
          <ul>
            {group.items.map((item) => (
              <li key={item.id}>{text(item.snapshot, "title", "name") || item.reasons[0]?.text}</li>
            ))}
          </ul>
        </section>
      ))}
      <button type="button" class="button" onClick={markSeen}>
        {t("feed.markSeen")}
      </button>
    </div>
  );
}

export function FeedPage() {
  useLocale();
  const [mode, setMode] = useState<"latest" | "catch-up">("latest");
  return (
    <section>
      <PageTitle>{t("feed.title")}</PageTitle>
      <div class="tabs" role="group" aria-label={t("feed.title")}>
        <button type="button" aria-pressed={mode === "latest"} onClick={() => setMode("latest")}>
          {t("feed.latest")}
        </button>
        <button type="button" aria-pressed={mode === "catch-up"} onClick={() => setMode("catch-up")}>
          {t("feed.catchUp")}
        </button>
      </div>
      {mode === "latest" ? <Latest /> : <CatchUpView />}
    </section>
  );
}
