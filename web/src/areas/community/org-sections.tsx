// The organization page's sections (pages/org.tsx): follow with its settings, news,
// opportunities, events and reviews with their summary.
import { useState } from "preact/hooks";
import { ErrorBox, ListState, Loading, MoreButton } from "../../components";
import { formatDate, formatNumber, formatRelative, t } from "../../i18n";
import { useAction, useLoad, useLocale, usePaged } from "../../hooks";
import {
  changeOrgFollow,
  followOrg,
  markHelpful,
  orgEvents,
  orgFollow,
  orgOpportunities,
  orgPosts,
  orgReviews,
  unfollowOrg,
  type Digest,
  type FollowSettings,
  type NotifyLevel,
  type OrgFollow,
  type Review,
  type ReviewSummary,
} from "./api";
import { histogramRows, starGlyphs } from "./logic";
import "./community.css";

const NOTIFY: NotifyLevel[] = ["all", "important", "none"];
const DIGESTS: Digest[] = ["daily", "weekly", "never"];

export function FollowBox({ orgId, orgName, onChange }: { orgId: string; orgName: string; onChange: (delta: number) => void }) {
  const [state, reload] = useLoad(() => orgFollow(orgId), [orgId]);
  const [follow, setFollow] = useState<OrgFollow | null>(null);
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState(false);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <ErrorBox error={state.error} retry={reload} />;
  const current = follow ?? state.value;
  const act = (work: () => Promise<OrgFollow>, delta = 0) => {
    setSaved(false);
    return run(async () => {
      setFollow(await work());
      if (delta) onChange(delta);
    });
  };
  const settings: FollowSettings = current.settings ?? { in_feed: true, notify: "important", digest: "weekly" };
  const change = async (patch: Partial<FollowSettings>) => {
    if (await act(() => changeOrgFollow(orgId, patch))) setSaved(true);
  };
  return (
    <section class="card" aria-labelledby="follow-title">
      <h2 id="follow-title" class="section-title">
        {current.following ? t("community.org.youFollow") : t("community.org.followTitle", { name: orgName })}
      </h2>
      {current.following ? (
        <>
          <div class="community-form">
            <label class="check">
              <input type="checkbox" checked={settings.in_feed} disabled={busy}
                onChange={(e) => void change({ in_feed: (e.currentTarget as HTMLInputElement).checked })} />
              {t("community.org.inFeed")}
            </label>
            <label>
              {t("community.org.notify")}
              <select value={settings.notify} disabled={busy}
                onChange={(e) => void change({ notify: (e.currentTarget as HTMLSelectElement).value as NotifyLevel })}>
                {NOTIFY.map((n) => (
                  <option key={n} value={n}>{t(`community.org.notify.${n}`)}</option>
                ))}
              </select>
            </label>
            <label>
              {t("community.org.digest")}
              <select value={settings.digest} disabled={busy}
                onChange={(e) => void change({ digest: (e.currentTarget as HTMLSelectElement).value as Digest })}>
                {DIGESTS.map((d) => (
                  <option key={d} value={d}>{t(`community.digest.${d}`)}</option>
                ))}
              </select>
            </label>
          </div>
          <p class="status" role="status">{saved ? t("community.saved") : ""}</p>
          <button type="button" class="button button-quiet" disabled={busy} onClick={() => void act(() => unfollowOrg(orgId), -1)}>
            {t("community.org.unfollow")}
          </button>
        </>
      ) : (
        <button type="button" class="button" disabled={busy} onClick={() => void act(() => followOrg(orgId), 1)}>
          {t("community.org.follow")}
        </button>
      )}
      {error && <ErrorBox error={error} />}
    </section>
  );
}

export function NewsSection({ orgId }: { orgId: string }) {
  const locale = useLocale();
  const list = usePaged((c) => orgPosts(orgId, c), [orgId]);
  return (
    <section class="card" aria-labelledby="news-title">
      <h2 id="news-title" class="section-title">{t("community.org.news")}</h2>
      <ListState state={list.first} count={list.items.length} reload={list.reload} empty={t("community.org.noNews")} />
      <ul class="plain-list">
        {list.items.map((post) => (
          <li key={post.id} class="list-item">
            {post.title && <h3 class="item-title">{post.title}</h3>}
            <p class="meta">
              {post.important && <span class="tag">{t("community.org.important")}</span>}{" "}
              <time dateTime={post.published_at}>{formatRelative(locale, post.published_at)}</time>
            </p>
            <p class="post-body">{post.body}</p>
          </li>
        ))}
      </ul>
      <MoreButton paged={list} />
    </section>
  );
}

export function OpportunitiesSection({ orgId }: { orgId: string }) {
  const locale = useLocale();
  const list = usePaged((c) => orgOpportunities(orgId, c), [orgId]);
  return (
    <section class="card" aria-labelledby="opps-title">
      <h2 id="opps-title" class="section-title">{t("community.org.opportunities")}</h2>
      <ListState state={list.first} count={list.items.length} reload={list.reload} empty={t("community.org.noOpportunities")} />
      <ul class="plain-list">
        {list.items.map((o) => {
          const first = o.slots.find((s) => s.starts_at)?.starts_at;
          return (
            <li key={o.id} class="list-item">
              <a class="item-title" href={`/volunteer/opportunities/${encodeURIComponent(o.id)}`}>{o.title}</a>
              <p class="meta">
                {o.remote ? t("community.org.remote") : (o.place?.city ?? "")}
                {first && <> · {formatDate(locale, first, true)}</>}
                {" · "}
                {t("community.org.placesLeft", { count: o.remaining })}
              </p>
            </li>
          );
        })}
      </ul>
      <MoreButton paged={list} />
    </section>
  );
}

export function EventsSection({ orgId }: { orgId: string }) {
  const locale = useLocale();
  const list = usePaged((c) => orgEvents(orgId, c), [orgId]);
  return (
    <section class="card" aria-labelledby="events-title">
      <h2 id="events-title" class="section-title">{t("community.org.events")}</h2>
      <ListState state={list.first} count={list.items.length} reload={list.reload} empty={t("community.org.noEvents")} />
      <ul class="plain-list">
        {list.items.map((e) => (
          <li key={e.id} class="list-item">
            <a class="item-title" href={`/happening/${encodeURIComponent(e.id)}`}>{e.title}</a>
            <p class="meta">
              <time dateTime={e.starts_at}>{formatDate(locale, e.starts_at, true)}</time>
              {e.place?.city && <> · {e.place.city}</>}
              {e.status === "cancelled" && <> · <span class="tag">{t("community.event.cancelled")}</span></>}
              {e.my_rsvp?.status === "going" && <> · <span class="tag tag-verified">{t("community.event.youGo")}</span></>}
            </p>
          </li>
        ))}
      </ul>
      <MoreButton paged={list} />
    </section>
  );
}

function Histogram({ summary }: { summary: ReviewSummary }) {
  const locale = useLocale();
  return (
    <table class="histogram">
      <caption class="visually-hidden">{t("community.reviews.histogram")}</caption>
      <tbody>
        {histogramRows(summary.histogram).map((row) => (
          <tr key={row.stars}>
            <th scope="row">{t("community.reviews.starsN", { count: row.stars })}</th>
            <td class="bar-cell">
              <span class="bar" style={{ width: `${row.percent}%` }} />
            </td>
            <td>{formatNumber(locale, row.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReviewItem({ review }: { review: Review }) {
  const locale = useLocale();
  const [voted, setVoted] = useState(!!review.voted);
  const [helpful, setHelpful] = useState(review.helpful ?? 0);
  const [error, setError] = useState<Error | null>(null);
  const toggle = async () => {
    try {
      const answer = await markHelpful(review.id, !voted);
      setVoted(!!answer.voted);
      setHelpful(answer.helpful ?? helpful);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <li class="list-item review">
      <p class="review-head">
        <span aria-hidden="true" class="stars">{starGlyphs(review.stars)}</span>
        <span class="visually-hidden">{t("community.reviews.starsN", { count: review.stars })}</span>{" "}
        <a href={`/people/${encodeURIComponent(review.author.id)}`}>{review.author.display_name}</a>{" "}
        {review.volunteered && <span class="tag tag-verified">{t("community.reviews.volunteered")}</span>}
      </p>
      <p class="meta"><time dateTime={review.created_at}>{formatDate(locale, review.created_at)}</time></p>
      <p>{review.text}</p>
      {review.answer && (
        <blockquote class="answer">
          <p class="meta">{t("community.reviews.answer")}</p>
          <p>{review.answer.text}</p>
        </blockquote>
      )}
      <button type="button" class="link-button" aria-pressed={voted} onClick={() => void toggle()}>
        {t("community.reviews.helpful", { count: helpful })}
      </button>
      {error && <ErrorBox error={error} />}
    </li>
  );
}

export function ReviewsSection({ orgId, summary }: { orgId: string; summary: ReviewSummary }) {
  const locale = useLocale();
  const list = usePaged((c) => orgReviews(orgId, c), [orgId]);
  const average = (value: number | null) => (value === null ? "–" : formatNumber(locale, Math.round(value * 10) / 10));
  return (
    <section class="card" aria-labelledby="reviews-title">
      <h2 id="reviews-title" class="section-title">{t("community.org.reviews")}</h2>
      {summary.count > 0 ? (
        <div class="review-summary">
          <p class="summary-line">
            {t("community.reviews.average", { average: average(summary.average), count: summary.count })}
          </p>
          {summary.volunteered.count > 0 && (
            <p class="meta">
              {t("community.reviews.volunteeredAverage", { average: average(summary.volunteered.average), count: summary.volunteered.count })}
            </p>
          )}
          <Histogram summary={summary} />
        </div>
      ) : (
        <p class="empty">{t("community.reviews.none")}</p>
      )}
      <ListState state={list.first} count={list.items.length} reload={list.reload} />
      <ul class="plain-list">
        {list.items.map((r) => (
          <ReviewItem key={r.id} review={r} />
        ))}
      </ul>
      <MoreButton paged={list} />
    </section>
  );
}
