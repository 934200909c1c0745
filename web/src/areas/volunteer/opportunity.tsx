// An opportunity's page (/volunteer/opportunities/:id, GET /opportunities/{id}): what, who,
// where and when, its slots with the places left, and the application form with its questions
// (POST /opportunities/{id}/applications); an existing application of mine is shown instead.
import { useState } from "preact/hooks";
import { ErrorBox, LoadFailed, Loading, PageTitle } from "../../components";
import { partyPath } from "../../format";
import { useLoad, useLocale } from "../../hooks";
import { formatDate, t, type MessageKey } from "../../i18n";
import type { Slot } from "../../shapes";
import { causeNames, volunteerApi, type Application, type Invitation, type Opportunity } from "./data";
import { Commitment } from "./find";
import { StatusTag } from "./applications";
import { applicationAnswers, canWithdraw, clock, weekdayName } from "./logic";
import "./volunteer.css";

interface Loaded {
  opp: Opportunity;
  mine: Application | null;
  names: Record<string, string>;
  invitation: Invitation | null;
}

/** The opportunity, my live application to it, cause names, and the pending invitation the
 * address names (?invitation=…), if it is one of mine to this opportunity. */
async function load(id: string, invitationId: string | null): Promise<Loaded> {
  const [opp, mine, names, invitations] = await Promise.all([
    volunteerApi.opportunity(id),
    volunteerApi.applications(),
    causeNames().catch(() => ({}) as Record<string, string>),
    invitationId ? volunteerApi.invitations() : Promise.resolve([] as Invitation[]),
  ]);
  const live = mine.items.find((a) => a.opportunity_id === opp.id && canWithdraw(a.status));
  const invitation = invitations.find(
    (i) => i.id === invitationId && i.opportunity_id === opp.id && i.status === "pending",
  );
  return { opp, mine: live ?? null, names, invitation: invitation ?? null };
}

function slotLabel(slot: Slot, locale: ReturnType<typeof useLocale>): string {
  const when = slot.starts_at
    ? `${formatDate(locale, slot.starts_at, true)}${slot.ends_at ? ` – ${formatDate(locale, slot.ends_at, true)}` : ""}`
    : t("volunteer.opportunity.anyTime");
  return `${when} · ${t("volunteer.opportunity.left", { count: slot.remaining })}`;
}

function ApplyForm({
  opp,
  invitation,
  applied,
}: {
  opp: Opportunity;
  invitation: Invitation | null;
  applied: (a: Application) => void;
}) {
  const locale = useLocale();
  const open = opp.slots.filter((s) => s.remaining > 0);
  const [slot, setSlot] = useState(open[0]?.id ?? opp.slots[0]?.id ?? "");
  const [values, setValues] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [oldEnough, setOldEnough] = useState(false);
  const [missing, setMissing] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const { answers, missing: blank } = applicationAnswers(opp.questions, values);
    setMissing(blank);
    if (blank.length) {
      document.getElementById(`v-q-${blank[0]}`)?.focus();
      return;
    }
    setSending(true);
    setError(null);
    try {
      const common = { answers, message: message.trim() || undefined, meets_minimum_age: oldEnough };
      applied(
        invitation
          ? (await volunteerApi.acceptInvitation(invitation.id, common)).application
          : await volunteerApi.apply(opp.id, { slot_id: slot || undefined, ...common }),
      );
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setSending(false);
    }
  };
  return (
    <form class="card v-form" onSubmit={submit} aria-labelledby="v-apply-title" noValidate>
      <h2 id="v-apply-title">{invitation ? t("volunteer.opportunity.invited") : t("volunteer.opportunity.apply")}</h2>
      {invitation && (
        <div>
          <p>{t("volunteer.opportunity.invitedBy", { org: invitation.org_name })}</p>
          {invitation.message && <blockquote class="v-quote">{invitation.message}</blockquote>}
        </div>
      )}
      {opp.slots.length > 1 && !invitation?.slot_id && (
        <fieldset class="v-fieldset">
          <legend>{t("volunteer.opportunity.slot")}</legend>
          {opp.slots.map((s) => (
            <label key={s.id} class="v-check">
              <input type="radio" name="slot" value={s.id} checked={slot === s.id}
                disabled={s.remaining <= 0 && open.length > 0} onChange={() => setSlot(s.id)} />{" "}
              {slotLabel(s, locale)}
            </label>
          ))}
        </fieldset>
      )}
      {opp.questions.map((q) => {
        const invalid = missing.includes(q.id);
        return (
          <div class="v-field" key={q.id}>
            <label for={`v-q-${q.id}`}>
              {q.text}{" "}
              <span class="meta">{t(q.required ? "volunteer.opportunity.required" : "volunteer.opportunity.optional")}</span>
            </label>
            <textarea id={`v-q-${q.id}`} rows={3} maxLength={2000} required={q.required} aria-invalid={invalid || undefined}
              aria-describedby={invalid ? `v-q-${q.id}-error` : undefined} value={values[q.id] ?? ""}
              onInput={(e) => setValues((v) => ({ ...v, [q.id]: (e.currentTarget as HTMLTextAreaElement).value }))} />
            {invalid && (
              <p id={`v-q-${q.id}-error`} class="v-invalid">
                {t("volunteer.opportunity.answerThis")}
              </p>
            )}
          </div>
        );
      })}
      <div class="v-field">
        <label for="v-message">
          {t("volunteer.opportunity.message")} <span class="meta">{t("volunteer.opportunity.optional")}</span>
        </label>
        <textarea id="v-message" rows={3} maxLength={2000} value={message}
          onInput={(e) => setMessage((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      {typeof opp.minimum_age === "number" && opp.minimum_age > 0 && (
        <label class="v-check">
          <input type="checkbox" checked={oldEnough}
            onChange={(e) => setOldEnough((e.currentTarget as HTMLInputElement).checked)} />{" "}
          {t("volunteer.opportunity.oldEnough", { age: opp.minimum_age })}
        </label>
      )}
      {error && <ErrorBox error={error} />}
      <div class="v-actions">
        <button type="submit" class="button" disabled={sending}>
          {sending
            ? t("volunteer.opportunity.sending")
            : invitation
              ? t("volunteer.opportunity.acceptInvitation")
              : t("volunteer.opportunity.send")}
        </button>
      </div>
    </form>
  );
}

/** One line of the facts' list, left out when there is nothing to say. */
function Fact({ label, value }: { label: MessageKey; value: string }) {
  if (!value) return null;
  return (
    <>
      <dt>{t(label)}</dt>
      <dd>{value}</dd>
    </>
  );
}

function Details({ opp, names }: { opp: Opportunity; names: Record<string, string> }) {
  const locale = useLocale();
  const place = [opp.place?.address, opp.place?.city, opp.place?.country].filter(Boolean).join(", ");
  const where = opp.remote ? t("volunteer.find.remote") : place;
  return (
    <section class="card">
      <p class="v-description">{opp.description}</p>
      <dl class="v-facts">
        <Fact label="volunteer.opportunity.where" value={where} />
        <Fact label="volunteer.opportunity.causes" value={opp.causes.map((slug) => names[slug] ?? slug).join(", ")} />
        <Fact label="volunteer.opportunity.skillsWanted" value={opp.skills_wanted.join(", ")} />
        <Fact label="volunteer.opportunity.skillsRequired" value={opp.skills_required.join(", ")} />
        <Fact label="volunteer.opportunity.prerequisites" value={opp.prerequisites.join(" · ")} />
        <Fact label="volunteer.opportunity.minimumAge" value={opp.minimum_age ? String(opp.minimum_age) : ""} />
        <Fact label="volunteer.opportunity.deadline" value={opp.deadline ? formatDate(locale, opp.deadline, true) : ""} />
        <Fact
          label="volunteer.opportunity.places"
          value={t("volunteer.opportunity.placesLeft", { count: opp.remaining, total: opp.places })}
        />
      </dl>
      {opp.pattern && (
        <p>
          {t("volunteer.opportunity.pattern", {
            days: opp.pattern.days.map((d) => weekdayName(locale, d)).join(", "),
            start: clock(opp.pattern.start_time),
            end: clock(opp.pattern.end_time),
            zone: opp.time_zone,
          })}{" "}
          {t("volunteer.opportunity.period", {
            // Calendar days: read at noon, so no time zone moves them to the day before.
            from: formatDate(locale, `${opp.pattern.starts_on}T12:00:00`),
            to: formatDate(locale, `${opp.pattern.ends_on}T12:00:00`),
          })}
        </p>
      )}
      {opp.slots.length > 0 && opp.commitment === "one_off" && (
        <>
          <h2>{t("volunteer.opportunity.slots")}</h2>
          <ul class="v-slots">
            {opp.slots.map((s) => (
              <li key={s.id}>{slotLabel(s, locale)}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Applied({ application }: { application: Application }) {
  const locale = useLocale();
  return (
    <section class="card v-applied" aria-labelledby="v-applied-title">
      <h2 id="v-applied-title">{t("volunteer.opportunity.yours")}</h2>
      <p role="status">
        {t("volunteer.opportunity.appliedOn", { date: formatDate(locale, application.submitted_at) })}{" "}
        <StatusTag status={application.status} />
      </p>
      <a href="/my/applications">{t("volunteer.opportunity.seeApplications")}</a>
    </section>
  );
}

export function OpportunityPage({ id }: { id: string }) {
  useLocale();
  const invitationId = new URLSearchParams(window.location.search).get("invitation");
  const [state, reload] = useLoad(() => load(id, invitationId), [id, invitationId]);
  const [applied, setApplied] = useState<Application | null>(null);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") {
    return (
      <LoadFailed error={state.error} retry={reload}>
        <p>{t("volunteer.opportunity.notFound")}</p>
        <a href="/find">{t("volunteer.recommended.search")}</a>
      </LoadFailed>
    );
  }
  const { opp } = state.value;
  const mine = applied ?? state.value.mine;
  const orgPath = partyPath("org", opp.org.org_id);
  return (
    <article>
      <header>
        <PageTitle>{opp.title}</PageTitle>
        <p class="meta">
          <Commitment kind={opp.commitment} /> {orgPath ? <a href={orgPath}>{opp.org.name}</a> : opp.org.name}
          {opp.org.verified && <> <span class="tag tag-verified">{t("org.verified")}</span></>}
          {opp.status !== "open" && <> <span class="tag">{t(`volunteer.opportunity.status.${opp.status}`)}</span></>}
        </p>
      </header>
      <Details opp={opp} names={state.value.names} />
      {mine ? (
        <Applied application={mine} />
      ) : opp.status === "open" ? (
        <ApplyForm opp={opp} invitation={state.value.invitation} applied={setApplied} />
      ) : (
        <p class="card">{t("volunteer.opportunity.notOpen")}</p>
      )}
    </article>
  );
}
