// The applications inbox (/manage/:id/applications): by opportunity and status; accept,
// decline with a reason the volunteer sees, or put on the waiting list.
import { useState } from "preact/hooks";
import { ListState, MoreButton } from "../../components";
import { useAction, useLoad, useLocale, usePaged } from "../../hooks";
import { formatRelative, t } from "../../i18n";
import {
  orgApi,
  type Application,
  type ApplicationStatus,
  type DeclineReason,
  type ManagedOrg,
} from "./api";
import { ActionError, managePath, OrgFrame, TextField } from "./parts";

const STATUSES: ApplicationStatus[] = ["pending", "waitlisted", "accepted", "declined", "withdrawn", "expired", "cancelled"];
const REASONS: DeclineReason[] = ["not_a_fit", "no_places", "requirements_not_met", "other"];

function DeclineForm({ application, onDone, onCancel }: { application: Application; onDone: (a: Application) => void; onCancel: () => void }) {
  const [reason, setReason] = useState<DeclineReason>("not_a_fit");
  const [text, setText] = useState("");
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    let answer: Application | null = null;
    await action.run(async () => {
      answer = await orgApi.decline(application.id, reason, text.trim() || null);
    });
    if (answer) onDone(answer);
  };
  return (
    <form class="decline form" onSubmit={submit}>
      <label class="field">
        <span class="field-label">{t("organization.applications.reason")}</span>
        <select value={reason} onChange={(e) => setReason((e.currentTarget as HTMLSelectElement).value as DeclineReason)}>
          {REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`organization.applications.reason.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <TextField label={t("organization.applications.reasonText")} value={text} onInput={setText} rows={2} />
      <ActionError error={action.error} />
      <div class="actions">
        <button type="submit" class="button" disabled={action.busy}>
          {t("organization.applications.confirmDecline")}
        </button>
        <button type="button" class="button button-quiet" onClick={onCancel}>
          {t("organization.cancel")}
        </button>
      </div>
    </form>
  );
}

function ApplicationItem({ application }: { application: Application }) {
  const locale = useLocale();
  const [current, setCurrent] = useState(application);
  const [declining, setDeclining] = useState(false);
  const action = useAction();
  const name = current.volunteer?.display_name ?? t("organization.applications.someone");
  const act = (call: () => Promise<Application>) => action.run(async () => setCurrent(await call()));
  const open = current.status === "pending" || current.status === "waitlisted";
  return (
    <li class="application" aria-labelledby={`app-${current.id}`}>
      <div class="row">
        <div>
          <h3 id={`app-${current.id}`} class="application-name">
            {name}
          </h3>
          <p class="meta">
            {current.opportunity_title && <>{current.opportunity_title} · </>}
            {formatRelative(locale, current.submitted_at)}
          </p>
        </div>
        <span class={`tag app-status app-status-${current.status}`}>
          {t(`organization.applications.status.${current.status}`)}
          {current.status === "waitlisted" && current.waitlist_position != null && <> #{current.waitlist_position}</>}
        </span>
      </div>
      {/* Confirmed by the applicant when the opportunity has a minimum age (false otherwise). */}
      {current.meets_minimum_age && <p class="meta">{t("organization.applications.ofAge")}</p>}
      {current.message && <blockquote class="quote">{current.message}</blockquote>}
      {(current.answers ?? []).length > 0 && (
        <dl class="answers">
          {(current.answers ?? []).map((a) => (
            <div key={a.question_id}>
              <dt>{a.question ?? a.question_id}</dt>
              <dd>{a.text}</dd>
            </div>
          ))}
        </dl>
      )}
      {current.decline && (
        <p class="meta">
          {t(`organization.applications.reason.${current.decline.reason}`)}
          {current.decline.text && <> — {current.decline.text}</>}
        </p>
      )}
      {open && !declining && (
        <div class="actions">
          <button type="button" class="button" disabled={action.busy} onClick={() => act(() => orgApi.accept(current.id))}>
            {t("organization.applications.accept")}
            <span class="visually-hidden"> {name}</span>
          </button>
          {current.status === "pending" && (
            <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => act(() => orgApi.waitlist(current.id))}>
              {t("organization.applications.waitlist")}
              <span class="visually-hidden"> {name}</span>
            </button>
          )}
          <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => setDeclining(true)}>
            {t("organization.applications.decline")}
            <span class="visually-hidden"> {name}</span>
          </button>
        </div>
      )}
      {declining && (
        <DeclineForm
          application={current}
          onCancel={() => setDeclining(false)}
          onDone={(a) => {
            setDeclining(false);
            setCurrent(a);
          }}
        />
      )}
      <ActionError error={action.error} />
    </li>
  );
}

function queryOf(): { opportunity: string; status: string } {
  const params = new URLSearchParams(window.location.search);
  return { opportunity: params.get("opportunity") ?? "", status: params.get("status") ?? "pending" };
}

function Inbox({ org }: { org: ManagedOrg }) {
  const [filter, setFilter] = useState(queryOf);
  const [opportunities] = useLoad(() => orgApi.opportunities(org.id), [org.id]);
  const paged = usePaged(
    (cursor) => orgApi.applications(org.id, { opportunity: filter.opportunity, status: filter.status, cursor }),
    [org.id, filter.opportunity, filter.status],
  );
  const { first, reload, items } = paged;
  const change = (next: Partial<typeof filter>) => {
    const value = { ...filter, ...next };
    setFilter(value);
    const query = new URLSearchParams(Object.entries(value).filter(([, v]) => v)).toString();
    // The address keeps the filter (a reload or a shared link shows the same), without a
    // navigation: the page stays mounted and the keyboard stays on the select.
    window.history.replaceState(null, "", managePath(org.id, `/applications${query ? `?${query}` : ""}`));
  };
  return (
    <>
      <form class="card filters" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          <span class="field-label">{t("organization.applications.opportunity")}</span>
          <select value={filter.opportunity} onChange={(e) => change({ opportunity: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">{t("organization.applications.allOpportunities")}</option>
            {opportunities.status === "ok" &&
              opportunities.value.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.title}
                </option>
              ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t("organization.applications.status")}</span>
          <select value={filter.status} onChange={(e) => change({ status: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">{t("organization.applications.allStatuses")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`organization.applications.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <section class="card" aria-live="polite">
        <ListState state={first} count={items.length} reload={reload} empty={t("organization.applications.empty")} />
        {first.status === "ok" && items.length > 0 && (
          <ul class="plain-list applications">
            {items.map((a) => (
              <ApplicationItem key={a.id} application={a} />
            ))}
          </ul>
        )}
        <MoreButton paged={paged} />
      </section>
    </>
  );
}

export function ApplicationsPage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="/applications" title={t("organization.applications.title")}>
      {(org) =>
        org.your_role === "editor" ? <p class="card">{t("organization.adminsOnly")}</p> : <Inbox org={org} />
      }
    </OrgFrame>
  );
}
