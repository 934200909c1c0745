// A cause's page (/causes-of/:slug, GET /causes/{slug}): its place in the tree, members,
// organizations; join or leave (PUT/DELETE /causes/{slug}/membership).
import { useState } from "preact/hooks";
import { ErrorBox, LoadFailed, Loading, PageTitle } from "../../components";
import { t } from "../../i18n";
import { useAction, useLoad } from "../../hooks";
import { getCause, joinCause, myCauses, myProfile } from "./api";
import "./community.css";

const causePath = (slug: string) => `/causes-of/${encodeURIComponent(slug)}`;

export function CausePage({ slug }: { slug: string }) {
  const [state, reload] = useLoad(async () => {
    const [detail, me] = await Promise.all([getCause(slug), myProfile()]);
    const mine = await myCauses(me.id);
    return { detail, member: mine.items.some((c) => c.slug === slug) };
  }, [slug]);
  const [member, setMember] = useState<boolean | null>(null);
  const [delta, setDelta] = useState(0);
  const { busy, error, run } = useAction();
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") {
    return (
      <LoadFailed error={state.error} retry={reload}>
        <p>{t("community.cause.notFound")}</p>
      </LoadFailed>
    );
  }
  const { cause, parent, children, organizations } = state.value.detail;
  const joined = member ?? state.value.member;
  const toggle = () =>
    run(async () => {
      const answer = await joinCause(slug, !joined);
      if (answer.member !== joined) setDelta((d) => d + (answer.member ? 1 : -1));
      setMember(answer.member);
    });
  return (
    <article>
      <header class="card">
        <PageTitle>{cause.name}</PageTitle>
        {parent && (
          <p class="meta">
            {t("community.cause.partOf")} <a href={causePath(parent.slug)}>{parent.name}</a>
          </p>
        )}
        <p class="meta">
          {t("community.cause.members", { count: Math.max(0, cause.members + delta) })} ·{" "}
          {t("community.cause.organizations", { count: cause.organizations })}
        </p>
        <div class="actions">
          <button type="button" class={joined ? "button button-quiet" : "button"} disabled={busy} onClick={() => void toggle()}>
            {joined ? t("community.cause.leave") : t("community.cause.join")}
          </button>
          <span class="status" role="status">{joined ? t("community.cause.youAreMember") : ""}</span>
        </div>
        {error && <ErrorBox error={error} />}
      </header>
      {children.length > 0 && (
        <section class="card" aria-labelledby="sub-title">
          <h2 id="sub-title" class="section-title">{t("community.cause.children")}</h2>
          <ul class="chips">
            {children.map((c) => (
              <li key={c.slug}><a href={causePath(c.slug)}>{c.name}</a></li>
            ))}
          </ul>
        </section>
      )}
      <section class="card" aria-labelledby="orgs-title">
        <h2 id="orgs-title" class="section-title">{t("community.cause.orgs")}</h2>
        {organizations.items.length === 0 && <p class="empty">{t("community.cause.noOrgs")}</p>}
        <ul class="plain-list">
          {organizations.items.map((o) => (
            <li key={o.org_id} class="list-item">
              <a class="item-title" href={`/organizations/${encodeURIComponent(o.org_id)}`}>{o.name}</a>
              <p class="meta">
                {o.verified && <span class="tag tag-verified">{t("org.verified")}</span>} {[o.city, o.country].filter(Boolean).join(", ")}
              </p>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}
