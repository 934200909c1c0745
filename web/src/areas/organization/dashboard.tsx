// An organization's dashboard (/manage/:id): its state and verification, its figures, its
// Facebook Page; editing its page (/manage/:id/edit).
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../../api";
import { ErrorBox, Loading } from "../../components";
import { useAction, useLoad, useLocale } from "../../hooks";
import { formatDate, formatNumber, t } from "../../i18n";
import { orgApi, type ManagedOrg, type PageLink } from "./api";
import { changedFields, formatMonth, orgBody, orgForm, percent, type OrgForm } from "./logic";
import { OrgFormFields } from "./manage";
import { ActionError, Done, managePath, OrgFrame } from "./parts";

function Verification({ org, reload }: { org: ManagedOrg; reload: () => void }) {
  const locale = useLocale();
  const action = useAction();
  const submit = async () => {
    if (await action.run(() => orgApi.submit(org.id))) reload();
  };
  const canSubmit = org.your_role === "owner" || org.your_role === "admin";
  return (
    <section class="card" aria-labelledby="org-verification">
      <h2 id="org-verification" class="section-title">
        {t("organization.verification.title")}
      </h2>
      {org.status === "draft" && <p>{t("organization.verification.draft")}</p>}
      {org.status === "pending" && (
        <p class="notice">
          {t("organization.verification.pending")}
          {org.submitted_at && <> ({t("organization.verification.since", { date: formatDate(locale, org.submitted_at) })})</>}
        </p>
      )}
      {org.status === "rejected" && (
        <>
          <p>{t("organization.verification.rejected")}</p>
          {org.rejection_reason && (
            <blockquote class="quote">{org.rejection_reason}</blockquote>
          )}
        </>
      )}
      {org.status === "verified" && <p>{t("organization.verification.verified")}</p>}
      {(org.status === "draft" || org.status === "rejected") && canSubmit && (
        <button type="button" class="button" disabled={action.busy} onClick={submit}>
          {t("organization.verification.submit")}
        </button>
      )}
      <ActionError error={action.error} />
      <p>
        <a href={`/organizations/${encodeURIComponent(org.id)}`}>{t("organization.publicPage")}</a>
      </p>
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Figures({ org }: { org: ManagedOrg }) {
  const locale = useLocale();
  const [state, reload] = useLoad(() => orgApi.stats(org.id), [org.id]);
  const none = t("organization.figures.none");
  const rate = (value: number | null | undefined) => {
    const p = percent(value);
    return p === null ? none : t("organization.figures.percent", { value: p });
  };
  return (
    <section class="card" aria-labelledby="org-figures">
      <h2 id="org-figures" class="section-title">
        {t("organization.figures.title")}
      </h2>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" && (
        <dl class="figures">
          <Figure label={t("organization.figures.applications")} value={formatNumber(locale, state.value.applications)} />
          <Figure label={t("organization.figures.accepted")} value={formatNumber(locale, state.value.volunteers_accepted)} />
          <Figure label={t("organization.figures.hours")} value={formatNumber(locale, state.value.hours_attested)} />
          <Figure label={t("organization.figures.acceptance")} value={rate(state.value.acceptance_rate)} />
          <Figure label={t("organization.figures.within7")} value={rate(state.value.answered_within_7_days)} />
          <Figure label={t("organization.figures.noShow")} value={rate(state.value.no_show_rate)} />
          <Figure
            label={t("organization.figures.median")}
            value={
              state.value.median_answer_hours == null
                ? none
                : state.value.median_answer_hours < 1
                  ? t("organization.figures.underAnHour")
                  : t("organization.figures.hoursValue", { count: Math.round(state.value.median_answer_hours) })
            }
          />
        </dl>
      )}
      {state.status === "ok" && state.value.months.length > 0 && (
        <div class="table-wrap">
          <table class="months">
            <caption>{t("organization.figures.byMonth")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("organization.figures.month")}</th>
                <th scope="col">{t("organization.figures.applications")}</th>
                <th scope="col">{t("organization.figures.accepted")}</th>
                <th scope="col">{t("organization.figures.hours")}</th>
              </tr>
            </thead>
            <tbody>
              {[...state.value.months]
                .reverse()
                .slice(0, 12)
                .map((m) => (
                  <tr key={m.month}>
                    <th scope="row">{formatMonth(locale, m.month)}</th>
                    <td>{formatNumber(locale, m.applications)}</td>
                    <td>{formatNumber(locale, m.volunteers_accepted)}</td>
                    <td>{formatNumber(locale, m.hours_attested)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The Facebook Page, read when the person opens it: notifier hears of an organization's
 * people through events, so right after a change it may not know them yet (403). */
function FacebookPage({ org }: { org: ManagedOrg }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="card" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <h2 id="org-facebook" class="section-title summary-title">
          {t("organization.facebook.title")}
        </h2>
      </summary>
      {open && <FacebookPageLink org={org} />}
    </details>
  );
}

function FacebookPageLink({ org }: { org: ManagedOrg }) {
  const locale = useLocale();
  const [state, reload] = useLoad(() => orgApi.facebookPage(org.id), [org.id]);
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(false);
  // Facebook's redirect back (notifier's /facebook-pages/callback) answers JSON, not this app:
  // the login runs in a tab of its own, and this page reads the link again when the person
  // comes back to it (or asks to).
  useEffect(() => {
    if (!waiting) return;
    const back = () => reload();
    window.addEventListener("focus", back);
    return () => window.removeEventListener("focus", back);
  }, [waiting]);
  const link = async () => {
    const tab = window.open("", "_blank"); // opened in the click itself, so no popup blocker
    let url = "";
    if (await action.run(async () => (url = (await orgApi.startPageLink(org.id)).url))) {
      if (tab) {
        tab.opener = null;
        tab.location.href = url;
        setWaiting(true);
      } else {
        window.location.assign(url);
      }
    } else {
      tab?.close();
    }
  };
  const choose = async (pageId: string) => {
    if (await action.run(() => orgApi.choosePage(org.id, pageId))) reload();
  };
  const settings = async (body: { post_opportunities?: boolean; post_news?: boolean }) => {
    if (await action.run(() => orgApi.pageSettings(org.id, body))) {
      setDone(t("organization.saved"));
      reload();
    }
  };
  const unlink = async () => {
    if (await action.run(() => orgApi.unlinkPage(org.id))) reload();
  };
  const page: PageLink | null = state.status === "ok" ? state.value : null;
  const notYet = state.status === "error" && state.error instanceof ApiError && state.error.status === 403;
  return (
    <div class="facebook-page">
      {state.status === "loading" && <Loading />}
      {notYet && (
        <div class="notice" role="status">
          <p>{t("organization.facebook.notYet")}</p>
          <button type="button" class="button button-quiet" onClick={reload}>
            {t("common.retry")}
          </button>
        </div>
      )}
      {state.status === "error" && !notYet && <ErrorBox error={state.error} retry={reload} />}
      {page && !page.linked && (page.choices ?? []).length === 0 && <p>{t("organization.facebook.none")}</p>}
      {page && (page.choices ?? []).length > 0 && (
        <>
          <p>{t("organization.facebook.choose")}</p>
          <ul class="plain-list">
            {(page.choices ?? []).map((c) => (
              <li key={c.id}>
                <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => choose(c.id)}>
                  {t("organization.facebook.use", { name: c.name })}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {page?.linked && (
        <>
          <p>
            {t("organization.facebook.linked", { name: page.page_name ?? page.page_id ?? "" })}
            {page.linked_at && <> · {formatDate(locale, page.linked_at)}</>}
          </p>
          {page.status === "broken" && (
            <p class="error">{t("organization.facebook.broken", { why: page.why ?? "" })}</p>
          )}
          <label class="check">
            <input
              type="checkbox"
              checked={Boolean(page.post_opportunities)}
              disabled={action.busy}
              onChange={(e) => settings({ post_opportunities: (e.currentTarget as HTMLInputElement).checked })}
            />{" "}
            {t("organization.facebook.postOpportunities")}
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={Boolean(page.post_news)}
              disabled={action.busy}
              onChange={(e) => settings({ post_news: (e.currentTarget as HTMLInputElement).checked })}
            />{" "}
            {t("organization.facebook.postNews")}
          </label>
        </>
      )}
      {waiting && !page?.linked && <p class="notice">{t("organization.facebook.waiting")}</p>}
      {page && (
        <div class="actions">
          {waiting && (
            <button type="button" class="button button-quiet" onClick={reload}>
              {t("organization.facebook.check")}
            </button>
          )}
          <button type="button" class="button" disabled={action.busy} onClick={link}>
            {page.linked ? t("organization.facebook.relink") : t("organization.facebook.link")}
          </button>
          {page.linked && (
            <button type="button" class="button button-quiet" disabled={action.busy} onClick={unlink}>
              {t("organization.facebook.unlink")}
            </button>
          )}
        </div>
      )}
      <Done text={done} />
      <ActionError error={action.error} />
    </div>
  );
}

function Shortcuts({ org }: { org: ManagedOrg }) {
  return (
    <section class="card" aria-labelledby="org-next">
      <h2 id="org-next" class="section-title">
        {t("organization.next.title")}
      </h2>
      <ul class="shortcuts">
        <li>
          <a href={managePath(org.id, "/opportunities/new")}>{t("organization.opportunities.new")}</a>
        </li>
        <li>
          <a href={managePath(org.id, "/applications")}>{t("organization.applications.title")}</a>
        </li>
        <li>
          <a href={managePath(org.id, "/news")}>{t("organization.news.post")}</a>
        </li>
        <li>
          <a href={managePath(org.id, "/people")}>{t("organization.people.invite")}</a>
        </li>
      </ul>
    </section>
  );
}

export function DashboardPage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="">
      {(org, reload) => {
        const admin = org.your_role === "owner" || org.your_role === "admin";
        return (
          <>
            <Verification org={org} reload={reload} />
            {org.verified && <Shortcuts org={org} />}
            {admin && <Figures org={org} />}
            {admin && <FacebookPage org={org} />}
          </>
        );
      }}
    </OrgFrame>
  );
}

function EditForm({ org: loaded }: { org: ManagedOrg }) {
  const [org, setOrg] = useState(loaded);
  const [form, setForm] = useState<OrgForm>(() => orgForm(loaded));
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const built = orgBody(form);
    if ("problem" in built) {
      setProblem(t(`organization.form.problem.${built.problem}`));
      return;
    }
    setProblem(null);
    const before = orgBody(orgForm(org));
    const changes = "body" in before ? changedFields(before.body, built.body) : built.body;
    if (Object.keys(changes).length === 0) {
      setDone(t("organization.edit.unchanged"));
      return;
    }
    if (await action.run(async () => setOrg(await orgApi.edit(org.id, changes)))) {
      setDone(t("organization.saved"));
    }
  };
  return (
    <form class="card form" onSubmit={submit} noValidate>
      <OrgFormFields form={form} set={(f) => (setForm(f), setProblem(null))} />
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <ActionError error={action.error} />
      {org.status === "verified" && <p class="fine">{t("organization.edit.reverify")}</p>}
      <div class="actions">
        <button type="submit" class="button" disabled={action.busy}>
          {t("organization.edit.save")}
        </button>
      </div>
      <Done text={done} />
    </form>
  );
}

export function EditOrgPage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="/edit" title={t("organization.edit.title")}>
      {(org) =>
        org.your_role === "editor" ? (
          <p class="card">{t("organization.adminsOnly")}</p>
        ) : (
          <EditForm key={org.id} org={org} />
        )
      }
    </OrgFrame>
  );
}
