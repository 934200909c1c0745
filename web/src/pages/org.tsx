// An organization's page (GET /orgs/{id}): its name, mission, causes, followers, site.
import { api, ApiError } from "../api";
import { ErrorBox, Loading, PageTitle } from "../components";
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
}

export function OrgPage({ id }: { id: string }) {
  const locale = useLocale();
  const [state, reload] = useLoad(() => api.get<Org>(`/orgs/${encodeURIComponent(id)}`), [id]);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") {
    if (state.error instanceof ApiError && state.error.status === 404) {
      return (
        <section class="card">
          <PageTitle>{t("notFound.title")}</PageTitle>
          <p>{t("org.notFound")}</p>
        </section>
      );
    }
    return <ErrorBox error={state.error} retry={reload} />;
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
            {typeof org.followers === "number" && t("org.followers", { count: org.followers })}
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
                  <li key={c}>{c}</li>
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
    </article>
  );
}
