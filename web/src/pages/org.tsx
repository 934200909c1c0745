// An organization's page (GET /orgs/{id}): its name, mission, causes, followers, site; then
// (the community area's sections) follow with its settings, news, opportunities, events and
// reviews with their summary and the "volunteered here" badge.
import { useState } from "preact/hooks";
import { api } from "../api";
import type { ReviewSummary } from "../areas/community/api";
import {
  EventsSection,
  FollowBox,
  NewsSection,
  OpportunitiesSection,
  ReviewsSection,
} from "../areas/community/org-sections";
import { LoadFailed, Loading, PageTitle } from "../components";
import { initials, safeHttpUrl } from "../format";
import { formatDate, t } from "../i18n";
import { useLoad, useLocale } from "../hooks";

export interface Org {
  id: string;
  name: string;
  slug?: string;
  mission?: string | null;
  description?: string | null;
  website?: string | null;
  verified?: boolean;
  followers?: number;
  causes?: Array<{ slug?: string; name?: string } | string>;
  created_at?: string;
  initials?: string;
  reviews?: ReviewSummary;
}

export function OrgPage({ id }: { id: string }) {
  const locale = useLocale();
  const [state, reload] = useLoad(() => api.get<Org>(`/orgs/${encodeURIComponent(id)}`), [id]);
  const [followDelta, setFollowDelta] = useState(0);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") {
    return (
      <LoadFailed error={state.error} retry={reload}>
        <p>{t("org.notFound")}</p>
      </LoadFailed>
    );
  }
  const org = state.value;
  const website = safeHttpUrl(org.website);
  const causes = (org.causes ?? []).map((c) => (typeof c === "string" ? c : (c.name ?? c.slug ?? "")));
  return (
    <article class="org">
      <header class="card org-head">
        <span class="avatar avatar-large" aria-hidden="true">
          {org.initials || initials(org.name)}
        </span>
        <div>
          <PageTitle>{org.name}</PageTitle>
          <p class="meta">
            {org.verified && <span class="tag tag-verified">{t("org.verified")}</span>}{" "}
            {typeof org.followers === "number" && t("org.followers", { count: Math.max(0, org.followers + followDelta) })}
            {org.created_at && <> · {t("org.since", { date: formatDate(locale, org.created_at) })}</>}
          </p>
        </div>
      </header>
      {org.mission && (
        <section class="card">
          <h2>{t("org.mission")}</h2>
          <p>{org.mission}</p>
        </section>
      )}
      {org.description && (
        <section class="card">
          <h2>{t("org.about")}</h2>
          <p>{org.description}</p>
        </section>
      )}
      {(causes.length > 0 || website) && (
        <section class="card">
          {causes.length > 0 && (
            <>
              <h2>{t("org.causes")}</h2>
              <ul class="chips">
                {causes.map((c) => (
                  <li key={c}>
                    <a href={`/causes-of/${encodeURIComponent(c)}`}>{c}</a>
                  </li>
                ))}
              </ul>
            </>
          )}
          {website && (
            <p>
              {t("org.website")}:{" "}
              <a href={website} rel="noopener noreferrer" target="_blank">
                {website}
              </a>
            </p>
          )}
        </section>
      )}
      <FollowBox orgId={org.id} orgName={org.name} onChange={(d) => setFollowDelta((n) => n + d)} />
      <NewsSection orgId={org.id} />
      <OpportunitiesSection orgId={org.id} />
      <EventsSection orgId={org.id} />
      {org.reviews && <ReviewsSection orgId={org.id} summary={org.reviews} />}
    </article>
  );
}
