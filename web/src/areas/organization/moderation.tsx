// Moderation (/moderate — /moderation itself is an API path): the verification queue (verify,
// or reject saying why) and the reports (hide the thing, or dismiss). Moderators only: the
// page says so to anyone else (the token's roles; the services decide anyway).
import { useState } from "preact/hooks";
import { session } from "../../auth";
import { ErrorBox, Loading, PageTitle } from "../../components";
import { useLoad, useLocale } from "../../hooks";
import { formatDate, formatNumber, t } from "../../i18n";
import { orgApi, type Claim, type ManagedOrg, type ReportGroup } from "./api";
import { isModerator } from "./logic";
import { ActionError, StatusTag, TextField } from "./parts";
import { useAction } from "../../hooks";

function QueueItem({ org }: { org: ManagedOrg }) {
  const locale = useLocale();
  const [current, setCurrent] = useState(org);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const action = useAction();
  const verify = () => action.run(async () => setCurrent(await orgApi.verify(org.id)));
  const reject = async (e: Event) => {
    e.preventDefault();
    if (!reason.trim()) return;
    if (await action.run(async () => setCurrent(await orgApi.reject(org.id, reason.trim())))) setRejecting(false);
  };
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
      {current.status === "pending" && !rejecting && (
        <div class="actions">
          <button type="button" class="button" disabled={action.busy} onClick={verify}>
            {t("organization.moderation.verify")}
            <span class="visually-hidden"> {current.name}</span>
          </button>
          <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => setRejecting(true)}>
            {t("organization.moderation.reject")}
            <span class="visually-hidden"> {current.name}</span>
          </button>
        </div>
      )}
      {rejecting && (
        <form class="form" onSubmit={reject}>
          <TextField label={t("organization.moderation.reason")} value={reason} onInput={setReason} rows={2} required />
          <div class="actions">
            <button type="submit" class="button" disabled={action.busy}>
              {t("organization.moderation.confirmReject")}
            </button>
            <button type="button" class="button button-quiet" onClick={() => setRejecting(false)}>
              {t("organization.cancel")}
            </button>
          </div>
        </form>
      )}
      <ActionError error={action.error} />
    </li>
  );
}

function Queue() {
  const [state, reload] = useLoad(() => orgApi.verificationQueue(), []);
  return (
    <section class="card" aria-labelledby="mod-queue">
      <h2 id="mod-queue" class="section-title">
        {t("organization.moderation.queue")}
      </h2>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" && state.value.items.length === 0 && <p class="empty">{t("organization.moderation.queueEmpty")}</p>}
      {state.status === "ok" && state.value.items.length > 0 && (
        <ul class="plain-list">
          {state.value.items.map((org) => (
            <QueueItem key={org.id} org={org} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ClaimItem({ claim }: { claim: Claim }) {
  const locale = useLocale();
  const [current, setCurrent] = useState(claim);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const action = useAction();
  const decide = (decision: "approve" | "reject") =>
    action.run(async () => setCurrent(await orgApi.decideClaim(claim.id, decision, reason.trim() || null)));
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
      {current.state === "open" && !rejecting && (
        <div class="actions">
          <button type="button" class="button" disabled={action.busy} onClick={() => decide("approve")}>
            {t("organization.moderation.approve")}
            <span class="visually-hidden"> {t("organization.moderation.claimOf", { name: who })}</span>
          </button>
          <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => setRejecting(true)}>
            {t("organization.moderation.reject")}
            <span class="visually-hidden"> {t("organization.moderation.claimOf", { name: who })}</span>
          </button>
        </div>
      )}
      {current.state === "open" && rejecting && (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void decide("reject");
          }}
        >
          <TextField label={t("organization.moderation.claimReason")} value={reason} onInput={setReason} rows={2} />
          <div class="actions">
            <button type="submit" class="button" disabled={action.busy}>
              {t("organization.moderation.confirmRejectClaim")}
            </button>
            <button type="button" class="button button-quiet" onClick={() => setRejecting(false)}>
              {t("organization.cancel")}
            </button>
          </div>
        </form>
      )}
      <ActionError error={action.error} />
    </li>
  );
}

function Claims() {
  const [state, reload] = useLoad(() => orgApi.claimsQueue(), []);
  return (
    <section class="card" aria-labelledby="mod-claims">
      <h2 id="mod-claims" class="section-title">
        {t("organization.moderation.claims")}
      </h2>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" && state.value.items.length === 0 && <p class="empty">{t("organization.moderation.claimsEmpty")}</p>}
      {state.status === "ok" && state.value.items.length > 0 && (
        <ul class="plain-list">
          {state.value.items.map((c) => (
            <ClaimItem key={c.id} claim={c} />
          ))}
        </ul>
      )}
    </section>
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
  const locale = useLocale();
  const [state, reload] = useLoad(() => orgApi.reports(), []);
  return (
    <section class="card" aria-labelledby="mod-reports">
      <h2 id="mod-reports" class="section-title">
        {t("organization.moderation.reportsTitle")}
        {state.status === "ok" && state.value.items.length > 0 && (
          <> ({formatNumber(locale, state.value.items.length)})</>
        )}
      </h2>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" && state.value.items.length === 0 && <p class="empty">{t("organization.moderation.reportsEmpty")}</p>}
      {state.status === "ok" && state.value.items.length > 0 && (
        <ul class="plain-list">
          {state.value.items.map((g) => (
            <ReportItem key={`${g.target_kind}:${g.target_id}`} group={g} />
          ))}
        </ul>
      )}
    </section>
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
