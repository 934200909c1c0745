// Moderation (/moderate — /moderation itself is an API path): the verification queue (verify,
// or reject saying why) and the reports (hide the thing, or dismiss). Moderators only: the
// page says so to anyone else (the token's roles; the services decide anyway).
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { session } from "../../auth";
import { ListState, PageTitle } from "../../components";
import { useAction, useLoad, useLocale } from "../../hooks";
import { formatDate, formatNumber, t } from "../../i18n";
import { orgApi, type Claim, type ManagedOrg, type ReportGroup } from "./api";
import { isModerator } from "./logic";
import { ActionError, StatusTag, TextField } from "./parts";

/** "Approve" and "Reject" for one item; rejecting opens a form for the reason first. `name`
 * tells a screen reader which item each button is for. */
function Decision({
  busy,
  name,
  approveLabel,
  rejectLabel,
  reasonLabel,
  confirmLabel,
  reasonRequired,
  onApprove,
  onReject,
}: {
  busy: boolean;
  name: string;
  approveLabel: string;
  rejectLabel: string;
  reasonLabel: string;
  confirmLabel: string;
  reasonRequired: boolean;
  onApprove: () => void;
  onReject: (reason: string) => Promise<boolean>;
}) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    if (reasonRequired && !reason.trim()) return;
    if (await onReject(reason.trim())) setRejecting(false);
  };
  if (!rejecting) {
    return (
      <div class="actions">
        <button type="button" class="button" disabled={busy} onClick={onApprove}>
          {approveLabel}
          <span class="visually-hidden"> {name}</span>
        </button>
        <button type="button" class="button button-quiet" disabled={busy} onClick={() => setRejecting(true)}>
          {rejectLabel}
          <span class="visually-hidden"> {name}</span>
        </button>
      </div>
    );
  }
  return (
    <form class="form" onSubmit={submit}>
      <TextField label={reasonLabel} value={reason} onInput={setReason} rows={2} required={reasonRequired} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" class="button button-quiet" onClick={() => setRejecting(false)}>
          {t("organization.cancel")}
        </button>
      </div>
    </form>
  );
}

/** One moderation list: its heading (with the count when `counted`), loading, error, "nothing
 * here", or the items. */
function QueueSection<T>({
  id,
  title,
  load,
  empty,
  counted = false,
  children,
}: {
  id: string;
  title: string;
  load: () => Promise<{ items: T[] }>;
  empty: string;
  counted?: boolean;
  children: (item: T) => JSX.Element;
}) {
  const locale = useLocale();
  const [state, reload] = useLoad(load, []);
  const items = state.status === "ok" ? state.value.items : [];
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id} class="section-title">
        {title}
        {counted && items.length > 0 && <> ({formatNumber(locale, items.length)})</>}
      </h2>
      <ListState state={state} count={items.length} reload={reload} empty={empty} />
      {items.length > 0 && <ul class="plain-list">{items.map(children)}</ul>}
    </section>
  );
}

function QueueItem({ org }: { org: ManagedOrg }) {
  const locale = useLocale();
  const [current, setCurrent] = useState(org);
  const action = useAction();
  const verify = () => action.run(async () => setCurrent(await orgApi.verify(org.id)));
  const reject = (reason: string) => action.run(async () => setCurrent(await orgApi.reject(org.id, reason)));
  return (
    <li class="application" aria-labelledby={`queue-${org.id}`}>
      <div class="row">
        <div>
          <h3 id={`queue-${org.id}`} class="application-name">
            <a href={`/organizations/${encodeURIComponent(org.id)}`}>{current.name}</a>
          </h3>
          <p class="meta">
            {current.hq && <>{current.hq.city}, {current.hq.country} · </>}
            {current.submitted_at && t("organization.verification.since", { date: formatDate(locale, current.submitted_at) })}
          </p>
        </div>
        <StatusTag status={current.status} />
      </div>
      {current.mission && <p>{current.mission}</p>}
      {current.website && <p class="meta">{current.website}</p>}
      {current.status === "pending" && (
        <Decision
          busy={action.busy}
          name={current.name}
          approveLabel={t("organization.moderation.verify")}
          rejectLabel={t("organization.moderation.reject")}
          reasonLabel={t("organization.moderation.reason")}
          confirmLabel={t("organization.moderation.confirmReject")}
          reasonRequired
          onApprove={() => void verify()}
          onReject={reject}
        />
      )}
      <ActionError error={action.error} />
    </li>
  );
}

function Queue() {
  return (
    <QueueSection
      id="mod-queue"
      title={t("organization.moderation.queue")}
      load={() => orgApi.verificationQueue()}
      empty={t("organization.moderation.queueEmpty")}
    >
      {(org: ManagedOrg) => <QueueItem key={org.id} org={org} />}
    </QueueSection>
  );
}

function ClaimItem({ claim }: { claim: Claim }) {
  const locale = useLocale();
  const [current, setCurrent] = useState(claim);
  const action = useAction();
  const decide = (decision: "approve" | "reject", reason = "") =>
    action.run(async () => setCurrent(await orgApi.decideClaim(claim.id, decision, reason || null)));
  const who = current.claimant?.display_name ?? t("organization.applications.someone");
  return (
    <li class="application" aria-labelledby={`claim-${claim.id}`}>
      <div class="row">
        <h3 id={`claim-${claim.id}`} class="application-name">
          <a href={`/organizations/${encodeURIComponent(current.org.org_id)}`}>{current.org.name}</a>
        </h3>
        <span class="tag">{t(`organization.moderation.claim.${current.state}`)}</span>
      </div>
      <p class="meta">
        {t("organization.moderation.claimBy", { name: who, date: formatDate(locale, current.created_at) })}
      </p>
      <blockquote class="quote">{current.evidence}</blockquote>
      {current.state === "open" && (
        <Decision
          busy={action.busy}
          name={t("organization.moderation.claimOf", { name: who })}
          approveLabel={t("organization.moderation.approve")}
          rejectLabel={t("organization.moderation.reject")}
          reasonLabel={t("organization.moderation.claimReason")}
          confirmLabel={t("organization.moderation.confirmRejectClaim")}
          reasonRequired={false}
          onApprove={() => void decide("approve")}
          onReject={(reason) => decide("reject", reason)}
        />
      )}
      <ActionError error={action.error} />
    </li>
  );
}

function Claims() {
  return (
    <QueueSection
      id="mod-claims"
      title={t("organization.moderation.claims")}
      load={() => orgApi.claimsQueue()}
      empty={t("organization.moderation.claimsEmpty")}
    >
      {(claim: Claim) => <ClaimItem key={claim.id} claim={claim} />}
    </QueueSection>
  );
}

function ReportItem({ group }: { group: ReportGroup }) {
  const locale = useLocale();
  const [outcome, setOutcome] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const action = useAction();
  const first = group.reports[0];
  const resolve = (decision: "hide" | "dismiss") =>
    action.run(async () => {
      await orgApi.resolve(first.id, decision, note.trim() || null);
      setOutcome(t(`organization.moderation.outcome.${decision}`));
    });
  const label = t(`organization.moderation.kind.${group.target_kind}`);
  const href =
    group.target_kind === "org" || group.target_kind === "review"
      ? `/organizations/${encodeURIComponent(group.org_id)}`
      : null;
  return (
    <li class="application" aria-labelledby={`report-${first.id}`}>
      <h3 id={`report-${first.id}`} class="application-name">
        {href ? <a href={href}>{label}</a> : label}{" "}
        <span class="meta">{t("organization.moderation.reports", { count: group.count })}</span>
      </h3>
      <p class="meta">
        {t("organization.moderation.firstReported", { date: formatDate(locale, group.first_reported_at) })} ·{" "}
        <code>{group.target_id}</code>
      </p>
      <ul class="reasons-list">
        {group.reports.map((r) => (
          <li key={r.id}>
            <strong>{t(`organization.moderation.reason.${r.reason}`)}</strong>
            {r.text && <> — {r.text}</>}
          </li>
        ))}
      </ul>
      {outcome ? (
        <p class="notice" role="status">
          {outcome}
        </p>
      ) : (
        <>
          <TextField label={t("organization.moderation.note")} value={note} onInput={setNote} />
          <div class="actions">
            <button type="button" class="button" disabled={action.busy} onClick={() => resolve("hide")}>
              {t("organization.moderation.hide")}
              <span class="visually-hidden"> {label}</span>
            </button>
            <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => resolve("dismiss")}>
              {t("organization.moderation.dismiss")}
              <span class="visually-hidden"> {label}</span>
            </button>
          </div>
        </>
      )}
      <ActionError error={action.error} />
    </li>
  );
}

function Reports() {
  return (
    <QueueSection
      id="mod-reports"
      title={t("organization.moderation.reportsTitle")}
      load={() => orgApi.reports()}
      empty={t("organization.moderation.reportsEmpty")}
      counted
    >
      {(group: ReportGroup) => <ReportItem key={`${group.target_kind}:${group.target_id}`} group={group} />}
    </QueueSection>
  );
}

export function ModerationPage() {
  if (!isModerator(session.token())) {
    return (
      <section class="card">
        <PageTitle>{t("organization.moderation.title")}</PageTitle>
        <p>{t("organization.moderation.only")}</p>
      </section>
    );
  }
  return (
    <section>
      <PageTitle>{t("organization.moderation.title")}</PageTitle>
      <Queue />
      <Claims />
      <Reports />
    </section>
  );
}
