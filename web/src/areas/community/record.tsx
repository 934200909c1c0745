// My volunteering record (/my/record, GET /users/me/volunteering): the hours organizations
// recorded, totals by cause and year, confirm or dispute each, and the export (JSON, signed JWS).
import { useState } from "preact/hooks";
import { ErrorBox, Loading, PageTitle } from "../../components";
import { formatDate, formatNumber, t } from "../../i18n";
import { useAction, useLoad, useLocale } from "../../hooks";
import { slugLabel } from "../../profile";
import { downloadFrom } from "../../download";
import { confirmHours, disputeHours, myRecord, type Engagement } from "./api";
import { downloadName, sortedTotals } from "./logic";
import "./community.css";

function EngagementItem({ item, onChanged }: { item: Engagement; onChanged: () => void }) {
  const locale = useLocale();
  const [disputing, setDisputing] = useState(false);
  const [reason, setReason] = useState("");
  const { busy, error, run: act } = useAction();
  const run = async (work: () => Promise<unknown>) => {
    if (await act(work)) onChanged();
  };
  const submitDispute = (e: Event) => {
    e.preventDefault();
    if (reason.trim()) void run(() => disputeHours(item.id, reason.trim()));
  };
  const fieldId = `dispute-${item.id}`;
  return (
    <li class="list-item">
      <h3 class="item-title">
        <a href={`/volunteer/opportunities/${encodeURIComponent(item.opportunity_id)}`}>{item.opportunity_title}</a>
      </h3>
      <p class="meta">
        <a href={`/organizations/${encodeURIComponent(item.org_id)}`}>{item.org_name}</a> · {formatDate(locale, item.date)}
      </p>
      <p>
        <strong>{t("community.record.hoursN", { count: item.hours })}</strong>{" "}
        {t("community.record.attestedBy", { name: item.attested_by.name ?? item.attested_by.org_name, date: formatDate(locale, item.attested_at) })}
      </p>
      {item.answer === "confirmed" && <p><span class="tag tag-verified">{t("community.record.confirmed")}</span></p>}
      {item.answer === "disputed" && (
        <p>
          <span class="tag">{t("community.record.disputed")}</span> {item.dispute_reason}
        </p>
      )}
      {!item.answer && !disputing && (
        <div class="actions">
          <button type="button" class="button" disabled={busy} onClick={() => void run(() => confirmHours(item.id))}>
            {t("community.record.confirm")}
          </button>
          <button type="button" class="button button-quiet" disabled={busy} onClick={() => setDisputing(true)}>
            {t("community.record.dispute")}
          </button>
        </div>
      )}
      {!item.answer && disputing && (
        <form class="community-form" onSubmit={submitDispute}>
          <label for={fieldId}>{t("community.record.disputeReason")}</label>
          <textarea id={fieldId} required maxLength={500} rows={3} value={reason}
            onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
          <div class="actions">
            <button type="submit" class="button" disabled={busy || !reason.trim()}>{t("community.record.sendDispute")}</button>
            <button type="button" class="button button-quiet" onClick={() => setDisputing(false)}>{t("community.cancel")}</button>
          </div>
        </form>
      )}
      {error && <ErrorBox error={error} />}
    </li>
  );
}

function ExportBox() {
  const [error, setError] = useState<Error | null>(null);
  const get = async (path: string, ext: string, accept: string) => {
    setError(null);
    try {
      await downloadFrom(path, downloadName("jumo-volunteering", ext), accept);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section class="card" aria-labelledby="export-title">
      <h2 id="export-title" class="section-title">{t("community.record.export")}</h2>
      <p class="meta">{t("community.record.exportHelp")}</p>
      <div class="actions">
        <button type="button" class="button button-quiet" onClick={() => void get("/users/me/volunteering/export", "json", "application/json")}>
          {t("community.record.exportJson")}
        </button>
        <button type="button" class="button button-quiet" onClick={() => void get("/users/me/volunteering/export.jws", "jws", "application/jose")}>
          {t("community.record.exportJws")}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
    </section>
  );
}

export function RecordPage() {
  const locale = useLocale();
  const [state, reload] = useLoad(() => myRecord(), []);
  return (
    <div>
      <PageTitle>{t("community.record.title")}</PageTitle>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" && (
        <>
          <section class="card" aria-labelledby="totals-title">
            <h2 id="totals-title" class="section-title">{t("community.record.totals")}</h2>
            <ul class="totals">
              <li><strong>{formatNumber(locale, state.value.totals.hours)}</strong>{t("community.record.hours")}</li>
              <li><strong>{formatNumber(locale, state.value.totals.sessions)}</strong>{t("community.record.sessions")}</li>
            </ul>
            {Object.keys(state.value.totals.by_cause).length > 0 && (
              <>
                <h3 class="item-title">{t("community.record.byCause")}</h3>
                <ul class="plain-list">
                  {sortedTotals(state.value.totals.by_cause).map(([cause, hours]) => (
                    <li key={cause}>
                      <a href={`/causes-of/${encodeURIComponent(cause)}`}>{slugLabel(cause)}</a>: {t("community.record.hoursN", { count: hours })}
                    </li>
                  ))}
                </ul>
                <h3 class="item-title">{t("community.record.byYear")}</h3>
                <ul class="plain-list">
                  {sortedTotals(state.value.totals.by_year, true).map(([year, hours]) => (
                    <li key={year}>{year}: {t("community.record.hoursN", { count: hours })}</li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title" class="section-title">{t("community.record.engagements")}</h2>
            {state.value.engagements.length === 0 && <p class="empty">{t("community.record.empty")}</p>}
            <ul class="plain-list">
              {state.value.engagements.map((item) => (
                <EngagementItem key={item.id} item={item} onChanged={reload} />
              ))}
            </ul>
          </section>
          <ExportBox />
        </>
      )}
    </div>
  );
}
