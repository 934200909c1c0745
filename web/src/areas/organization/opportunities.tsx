// An organization's opportunities (/manage/:id/opportunities): publish, pause, resume, close;
// a new one with slots and questions (/manage/:id/opportunities/new); one opportunity's people
// (/manage/:id/opportunities/:opp: candidates and invitations, check-ins and hours); its
// calendar events (/manage/:id/events).
import { useState } from "preact/hooks";
import { ErrorBox, ListState, Loading } from "../../components";
import { useAction, useLoad, useLocale } from "../../hooks";
import { formatDate, formatNumber, t } from "../../i18n";
import { navigate } from "../../router";
import { orgApi, type ManagedOrg, type Opportunity } from "./api";
import { CausePicker } from "./manage";
import { browserTimeZone, DAYS, eventBody, opportunityBody, type EventForm, type OpportunityForm } from "./logic";
import { ActionError, Done, managePath, OrgFrame, TextField } from "./parts";

type Step = "publish" | "pause" | "resume" | "close";

const STEPS: Record<Opportunity["status"], Step[]> = {
  draft: ["publish"],
  open: ["pause", "close"],
  paused: ["resume", "close"],
  filled: ["close"],
  closed: [],
};

function OpportunityRow({ org, opportunity }: { org: ManagedOrg; opportunity: Opportunity }) {
  const locale = useLocale();
  const [current, setCurrent] = useState(opportunity);
  const action = useAction();
  const step = (s: Step) => action.run(async () => setCurrent(await orgApi.opportunityStep(current.id, s)));
  return (
    <li class="row">
      <div>
        <a href={managePath(org.id, `/opportunities/${encodeURIComponent(current.id)}`)}>
          <strong>{current.title}</strong>
        </a>
        <p class="meta">
          <span class={`tag opp-status opp-status-${current.status}`}>
            {t(`organization.opportunity.status.${current.status}`)}
          </span>{" "}
          {t("organization.opportunity.places", {
            remaining: formatNumber(locale, current.remaining),
            count: current.places,
          })}
        </p>
      </div>
      <div class="actions">
        {STEPS[current.status].map((s) => (
          <button key={s} type="button" class="button button-quiet" disabled={action.busy} onClick={() => step(s)}>
            {t(`organization.opportunity.step.${s}`)}
            <span class="visually-hidden"> {current.title}</span>
          </button>
        ))}
      </div>
      <ActionError error={action.error} />
    </li>
  );
}

function Opportunities({ org }: { org: ManagedOrg }) {
  const [state, reload] = useLoad(() => orgApi.opportunities(org.id), [org.id]);
  return (
    <>
      <p>
        {org.verified ? (
          <a class="button" href={managePath(org.id, "/opportunities/new")}>
            {t("organization.opportunities.new")}
          </a>
        ) : (
          t("organization.verifiedOnly")
        )}
      </p>
      <section class="card">
        {state.status === "loading" && <Loading />}
        {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
        {state.status === "ok" && state.value.length === 0 && (
          <p class="empty">{t("organization.opportunities.empty")}</p>
        )}
        {state.status === "ok" && state.value.length > 0 && (
          <ul class="plain-list">
            {state.value.map((o) => (
              <OpportunityRow key={o.id} org={org} opportunity={o} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function OpportunitiesPage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="/opportunities" title={t("organization.opportunities.title")}>
      {(org) => <Opportunities org={org} />}
    </OrgFrame>
  );
}

const EMPTY_SLOT = { startsAt: "", endsAt: "", places: "1" };

function NewOpportunity({ org }: { org: ManagedOrg }) {
  const [form, setForm] = useState<OpportunityForm>({
    title: "",
    description: "",
    causes: org.causes.slice(0, 1),
    kind: "one_off",
    slots: [{ ...EMPTY_SLOT }],
    pattern: { days: [], startTime: "18:00", endTime: "20:00", hours: "2", startsOn: "", endsOn: "" },
    places: "1",
    city: org.hq?.city ?? "",
    country: org.hq?.country ?? "",
    remote: false,
    skills: "",
    questions: [],
    publish: true,
  });
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction();
  const set = (change: Partial<OpportunityForm>) => setForm({ ...form, ...change });
  const setSlot = (i: number, change: Partial<OpportunityForm["slots"][number]>) =>
    set({ slots: form.slots.map((s, j) => (j === i ? { ...s, ...change } : s)) });
  const setPattern = (change: Partial<OpportunityForm["pattern"]>) =>
    set({ pattern: { ...form.pattern, ...change } });
  const setQuestion = (i: number, change: Partial<OpportunityForm["questions"][number]>) =>
    set({ questions: form.questions.map((q, j) => (j === i ? { ...q, ...change } : q)) });
  const submit = async (e: Event) => {
    e.preventDefault();
    const built = opportunityBody(form, browserTimeZone());
    if ("problem" in built) {
      setProblem(t(`organization.opportunity.problem.${built.problem}`));
      return;
    }
    setProblem(null);
    if (await action.run(() => orgApi.createOpportunity(org.id, built.body))) {
      navigate(managePath(org.id, "/opportunities"));
    }
  };
  if (!org.verified) return <p class="card">{t("organization.verifiedOnly")}</p>;
  return (
    <form class="card form" onSubmit={submit} noValidate>
      <TextField
        label={t("organization.opportunity.title")}
        value={form.title}
        onInput={(v) => set({ title: v })}
        required
        maxLength={200}
      />
      <TextField
        label={t("organization.opportunity.description")}
        value={form.description}
        onInput={(v) => set({ description: v })}
        rows={5}
        required
      />
      <CausePicker value={form.causes} onChange={(causes) => set({ causes })} />
      <fieldset class="field">
        <legend class="field-label">{t("organization.opportunity.when")}</legend>
        <label class="check">
          <input type="radio" name="kind" checked={form.kind === "one_off"} onChange={() => set({ kind: "one_off" })} />{" "}
          {t("organization.opportunity.oneOff")}
        </label>
        <label class="check">
          <input
            type="radio"
            name="kind"
            checked={form.kind === "recurring"}
            onChange={() => set({ kind: "recurring" })}
          />{" "}
          {t("organization.opportunity.recurring")}
        </label>
        <label class="check">
          <input type="radio" name="kind" checked={form.kind === "ongoing"} onChange={() => set({ kind: "ongoing" })} />{" "}
          {t("organization.opportunity.ongoing")}
        </label>
      </fieldset>
      {form.kind === "one_off" ? (
        <fieldset class="field">
          <legend class="field-label">{t("organization.opportunity.slots")}</legend>
          {form.slots.map((slot, i) => (
            <div key={i} class="slot" role="group" aria-label={t("organization.opportunity.slotN", { n: i + 1 })}>
              <TextField
                label={t("organization.opportunity.startsAt")}
                type="datetime-local"
                value={slot.startsAt}
                onInput={(v) => setSlot(i, { startsAt: v })}
                required
              />
              <TextField
                label={t("organization.opportunity.endsAt")}
                type="datetime-local"
                value={slot.endsAt}
                onInput={(v) => setSlot(i, { endsAt: v })}
                required
              />
              <TextField
                label={t("organization.opportunity.slotPlaces")}
                type="number"
                min={1}
                value={slot.places}
                onInput={(v) => setSlot(i, { places: v })}
                required
              />
              {form.slots.length > 1 && (
                <button
                  type="button"
                  class="link-button"
                  onClick={() => set({ slots: form.slots.filter((_, j) => j !== i) })}
                >
                  {t("organization.opportunity.removeSlot", { n: i + 1 })}
                </button>
              )}
            </div>
          ))}
          {form.slots.length < 20 && (
            <button type="button" class="button button-quiet" onClick={() => set({ slots: [...form.slots, { ...EMPTY_SLOT }] })}>
              {t("organization.opportunity.addSlot")}
            </button>
          )}
        </fieldset>
      ) : (
        <>
          {form.kind === "recurring" && (
            <fieldset class="field">
              <legend class="field-label">{t("organization.opportunity.pattern")}</legend>
              <fieldset class="field days">
                <legend class="field-label">{t("organization.opportunity.days")}</legend>
                <ul class="checks day-checks">
                  {DAYS.map((d) => (
                    <li key={d}>
                      <label>
                        <input
                          type="checkbox"
                          checked={form.pattern.days.includes(d)}
                          onChange={(e) =>
                            setPattern({
                              days: (e.currentTarget as HTMLInputElement).checked
                                ? [...form.pattern.days, d]
                                : form.pattern.days.filter((x) => x !== d),
                            })
                          }
                        />{" "}
                        {t(`organization.day.${d}`)}
                      </label>
                    </li>
                  ))}
                </ul>
              </fieldset>
              <div class="field-row">
                <TextField label={t("organization.opportunity.from")} type="time" value={form.pattern.startTime} onInput={(v) => setPattern({ startTime: v })} required />
                <TextField label={t("organization.opportunity.to")} type="time" value={form.pattern.endTime} onInput={(v) => setPattern({ endTime: v })} required />
              </div>
              <TextField
                label={t("organization.opportunity.hoursPerSession")}
                type="number"
                step="0.25"
                min={0.25}
                value={form.pattern.hours}
                onInput={(v) => setPattern({ hours: v })}
                required
              />
              <div class="field-row">
                <TextField label={t("organization.opportunity.startsOn")} type="date" value={form.pattern.startsOn} onInput={(v) => setPattern({ startsOn: v })} required />
                <TextField label={t("organization.opportunity.endsOn")} type="date" value={form.pattern.endsOn} onInput={(v) => setPattern({ endsOn: v })} required />
              </div>
            </fieldset>
          )}
          <TextField
            label={t("organization.opportunity.places.label")}
            type="number"
            min={1}
            value={form.places}
            onInput={(v) => set({ places: v })}
            required
          />
        </>
      )}
      <fieldset class="field">
        <legend class="field-label">{t("organization.opportunity.where")}</legend>
        <div class="field-row">
          <TextField label={t("organization.form.city")} value={form.city} onInput={(v) => set({ city: v })} />
          <TextField
            label={t("organization.form.country")}
            hint={t("organization.form.countryHint")}
            value={form.country}
            onInput={(v) => set({ country: v })}
            maxLength={2}
          />
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={form.remote}
            onChange={(e) => set({ remote: (e.currentTarget as HTMLInputElement).checked })}
          />{" "}
          {t("organization.opportunity.remote")}
        </label>
      </fieldset>
      <TextField
        label={t("organization.opportunity.skills")}
        hint={t("organization.opportunity.skillsHint")}
        value={form.skills}
        onInput={(v) => set({ skills: v })}
      />
      <fieldset class="field">
        <legend class="field-label">{t("organization.opportunity.questions")}</legend>
        {form.questions.map((q, i) => (
          <div key={i} class="slot" role="group" aria-label={t("organization.opportunity.questionN", { n: i + 1 })}>
            <TextField
              label={t("organization.opportunity.questionText", { n: i + 1 })}
              value={q.text}
              onInput={(v) => setQuestion(i, { text: v })}
            />
            <label class="check">
              <input
                type="checkbox"
                checked={q.required}
                onChange={(e) => setQuestion(i, { required: (e.currentTarget as HTMLInputElement).checked })}
              />{" "}
              {t("organization.opportunity.questionRequired")}
            </label>
            <button
              type="button"
              class="link-button"
              onClick={() => set({ questions: form.questions.filter((_, j) => j !== i) })}
            >
              {t("organization.opportunity.removeQuestion", { n: i + 1 })}
            </button>
          </div>
        ))}
        <button
          type="button"
          class="button button-quiet"
          onClick={() => set({ questions: [...form.questions, { text: "", required: false }] })}
        >
          {t("organization.opportunity.addQuestion")}
        </button>
      </fieldset>
      <label class="check">
        <input
          type="checkbox"
          checked={form.publish}
          onChange={(e) => set({ publish: (e.currentTarget as HTMLInputElement).checked })}
        />{" "}
        {t("organization.opportunity.publishNow")}
      </label>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <ActionError error={action.error} />
      <div class="actions">
        <button type="submit" class="button" disabled={action.busy}>
          {form.publish ? t("organization.opportunity.createPublish") : t("organization.opportunity.createDraft")}
        </button>
        <a href={managePath(org.id, "/opportunities")}>{t("organization.cancel")}</a>
      </div>
    </form>
  );
}

export function NewOpportunityPage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="/opportunities" title={t("organization.opportunities.new")}>
      {(org) => <NewOpportunity org={org} />}
    </OrgFrame>
  );
}

function Candidates({ opportunity }: { opportunity: Opportunity }) {
  const [state, reload] = useLoad(() => orgApi.candidates(opportunity.id), [opportunity.id]);
  const action = useAction();
  const [invited, setInvited] = useState<string[]>([]);
  const invite = async (volunteerId: string) => {
    if (await action.run(() => orgApi.inviteCandidate(opportunity.id, volunteerId, null))) {
      setInvited([...invited, volunteerId]);
    }
  };
  return (
    <section class="card" aria-labelledby="opp-candidates">
      <h2 id="opp-candidates" class="section-title">
        {t("organization.candidates.title")}
      </h2>
      <ListState state={state} count={state.status === "ok" ? state.value.items.length : 0} reload={reload} empty={t("organization.candidates.empty")} />
      {state.status === "ok" && state.value.items.length > 0 && (
        <ul class="plain-list">
          {state.value.items.map((c) => (
            <li key={c.id} class="row">
              <div>
                <strong>{c.display_name}</strong>
                <p class="meta">
                  {[c.city, ...(c.skills ?? [])].filter(Boolean).join(" · ")}
                </p>
                {c.why && <p class="meta">{c.why}</p>}
              </div>
              <div class="actions">
                {c.invited || invited.includes(c.id) ? (
                  <span class="tag">{t("organization.candidates.invited")}</span>
                ) : (
                  <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => invite(c.id)}>
                    {t("organization.candidates.invite")}
                    <span class="visually-hidden"> {c.display_name}</span>
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ActionError error={action.error} />
    </section>
  );
}

function HoursForm({ oppId, checkIn, onSaved }: { oppId: string; checkIn: { id: string; hours?: number | null }; onSaved: () => void }) {
  const [hours, setHours] = useState(checkIn.hours == null ? "" : String(checkIn.hours));
  const action = useAction();
  const save = async (e: Event) => {
    e.preventDefault();
    const value = Number(hours.replace(",", "."));
    if (!Number.isFinite(value) || value <= 0) return;
    if (await action.run(() => orgApi.recordHours(oppId, checkIn.id, value))) onSaved();
  };
  return (
    <form class="inline-form" onSubmit={save}>
      <TextField
        label={t("organization.checkins.hours")}
        type="number"
        step="0.25"
        min={0.25}
        value={hours}
        onInput={setHours}
        required
      />
      <button type="submit" class="button button-quiet" disabled={action.busy}>
        {t("organization.checkins.saveHours")}
      </button>
      <ActionError error={action.error} />
    </form>
  );
}

function CheckIns({ org, opportunity }: { org: ManagedOrg; opportunity: Opportunity }) {
  const locale = useLocale();
  const [state, reload] = useLoad(
    async () => ({
      checkIns: await orgApi.checkIns(opportunity.id),
      accepted: (await orgApi.applications(org.id, { opportunity: opportunity.id, status: "accepted" })).items,
    }),
    [opportunity.id],
  );
  const [code, setCode] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const checkIn = async (body: { application_id?: string; code?: string }) => {
    setDone(null);
    if (await action.run(() => orgApi.checkIn(opportunity.id, body))) {
      setCode("");
      setDone(t("organization.checkins.done"));
      reload();
    }
  };
  const byCode = (e: Event) => {
    e.preventDefault();
    if (code.trim()) void checkIn({ code: code.trim() });
  };
  return (
    <section class="card" aria-labelledby="opp-checkins">
      <h2 id="opp-checkins" class="section-title">
        {t("organization.checkins.title")}
      </h2>
      <form class="inline-form" onSubmit={byCode}>
        <TextField label={t("organization.checkins.code")} value={code} onInput={setCode} autoComplete="off" />
        <button type="submit" class="button button-quiet" disabled={action.busy}>
          {t("organization.checkins.checkInCode")}
        </button>
      </form>
      <Done text={done} />
      <ActionError error={action.error} />
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" && (
        <>
          <h3>{t("organization.checkins.accepted")}</h3>
          {state.value.accepted.length === 0 ? (
            <p class="empty">{t("organization.checkins.noAccepted")}</p>
          ) : (
            <ul class="plain-list">
              {state.value.accepted.map((a) => {
                // A one-off slot is one session: once checked in, there is nothing more to do.
                const done = opportunity.commitment === "one_off" && state.value.checkIns.some((c) => c.application_id === a.id);
                return (
                  <li key={a.id} class="row">
                    <strong>{a.volunteer?.display_name ?? t("organization.applications.someone")}</strong>
                    {done ? (
                      <span class="tag">{t("organization.checkins.checkedIn")}</span>
                    ) : (
                      <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => checkIn({ application_id: a.id })}>
                        {t("organization.checkins.checkIn")}
                        <span class="visually-hidden"> {a.volunteer?.display_name ?? ""}</span>
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          <h3>{t("organization.checkins.list")}</h3>
          {state.value.checkIns.length === 0 ? (
            <p class="empty">{t("organization.checkins.none")}</p>
          ) : (
            <ul class="plain-list">
              {state.value.checkIns.map((c) => {
                const who = state.value.accepted.find((a) => a.id === c.application_id)?.volunteer?.display_name;
                return (
                  <li key={c.id} class="row">
                    <div>
                      <strong>{who ?? t("organization.applications.someone")}</strong>
                      <p class="meta">
                        {formatDate(locale, c.checked_in_at, true)}
                        {c.answer && <> · {t(`organization.checkins.answer.${c.answer === "disputed" ? "disputed" : "confirmed"}`)}</>}
                      </p>
                    </div>
                    <HoursForm oppId={opportunity.id} checkIn={c} onSaved={reload} />
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

export function OpportunityManagePage({ id, opp }: { id: string; opp: string }) {
  const locale = useLocale();
  const [state, reload] = useLoad(() => orgApi.opportunity(opp), [opp]);
  return (
    <OrgFrame
      id={id}
      tab="/opportunities"
      title={state.status === "ok" ? state.value.title : t("organization.opportunities.title")}
    >
      {(org) => (
        <>
          {state.status === "loading" && <Loading />}
          {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
          {state.status === "ok" && (
            <>
              <section class="card">
                <p class="meta">
                  <span class={`tag opp-status opp-status-${state.value.status}`}>
                    {t(`organization.opportunity.status.${state.value.status}`)}
                  </span>
                </p>
                {state.value.slots.length > 0 && (
                  <ul class="plain-list">
                    {state.value.slots.map((s) => (
                      <li key={s.id}>
                        {s.starts_at ? formatDate(locale, s.starts_at, true) : t("organization.opportunity.anytime")}
                        {" — "}
                        {t("organization.opportunity.places", { remaining: formatNumber(locale, s.remaining), count: s.places })}
                      </li>
                    ))}
                  </ul>
                )}
                <p>
                  <a href={managePath(org.id, `/applications?opportunity=${encodeURIComponent(opp)}`)}>
                    {t("organization.applications.title")}
                  </a>
                </p>
              </section>
              <CheckIns org={org} opportunity={state.value} />
              <Candidates opportunity={state.value} />
            </>
          )}
        </>
      )}
    </OrgFrame>
  );
}

const EMPTY_EVENT: EventForm = {
  title: "",
  description: "",
  startsAt: "",
  endsAt: "",
  capacity: "20",
  onlineUrl: "",
  address: "",
  city: "",
  lat: "",
  lng: "",
};

function EventsBody({ org }: { org: ManagedOrg }) {
  const locale = useLocale();
  const [round, setRound] = useState(0);
  const [state, reload] = useLoad(() => orgApi.events(org.id), [org.id, round]);
  const [form, setForm] = useState<EventForm>({
    ...EMPTY_EVENT,
    city: org.hq?.city ?? "",
    lat: org.hq?.lat == null ? "" : String(org.hq.lat),
    lng: org.hq?.lng == null ? "" : String(org.hq.lng),
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const field = (key: keyof EventForm) => (value: string) => setForm({ ...form, [key]: value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const body = eventBody(form, browserTimeZone());
    if (!body) {
      setProblem(t("organization.events.problem"));
      return;
    }
    setProblem(null);
    if (await action.run(() => orgApi.createEvent(org.id, body))) {
      setForm({ ...form, title: "", description: "", startsAt: "", endsAt: "" });
      setDone(t("organization.events.scheduled"));
      setRound((n) => n + 1);
    }
  };
  const cancel = async (eventId: string) => {
    if (await action.run(() => orgApi.cancelEvent(eventId))) setRound((n) => n + 1);
  };
  return (
    <>
      {org.verified ? (
        <form class="card form" onSubmit={submit} noValidate aria-labelledby="org-event-new">
          <h2 id="org-event-new" class="section-title">
            {t("organization.events.new")}
          </h2>
          <TextField label={t("organization.events.titleField")} value={form.title} onInput={field("title")} required />
          <TextField label={t("organization.events.description")} value={form.description} onInput={field("description")} rows={3} />
          <div class="field-row">
            <TextField label={t("organization.opportunity.startsAt")} type="datetime-local" value={form.startsAt} onInput={field("startsAt")} required />
            <TextField label={t("organization.opportunity.endsAt")} type="datetime-local" value={form.endsAt} onInput={field("endsAt")} required />
          </div>
          <TextField label={t("organization.events.capacity")} type="number" min={1} value={form.capacity} onInput={field("capacity")} required />
          <fieldset class="field">
            <legend class="field-label">{t("organization.events.where")}</legend>
            <TextField label={t("organization.events.address")} value={form.address} onInput={field("address")} />
            <TextField label={t("organization.form.city")} value={form.city} onInput={field("city")} />
            <div class="field-row">
              <TextField label={t("organization.form.lat")} value={form.lat} onInput={field("lat")} inputMode="decimal" />
              <TextField label={t("organization.form.lng")} value={form.lng} onInput={field("lng")} inputMode="decimal" />
            </div>
            <TextField label={t("organization.events.online")} type="url" value={form.onlineUrl} onInput={field("onlineUrl")} />
          </fieldset>
          {problem && (
            <p class="error" role="alert">
              {problem}
            </p>
          )}
          <div class="actions">
            <button type="submit" class="button" disabled={action.busy}>
              {t("organization.events.schedule")}
            </button>
          </div>
          <Done text={done} />
        </form>
      ) : (
        <p class="card">{t("organization.verifiedOnly")}</p>
      )}
      <ActionError error={action.error} />
      <section class="card" aria-labelledby="org-events">
        <h2 id="org-events" class="section-title">
          {t("organization.events.list")}
        </h2>
        <ListState state={state} count={state.status === "ok" ? state.value.length : 0} reload={reload} empty={t("organization.events.empty")} />
        {state.status === "ok" && state.value.length > 0 && (
          <ul class="plain-list">
            {state.value.map((ev) => (
              <li key={ev.id} class="row">
                <div>
                  <strong>{ev.title}</strong>
                  <p class="meta">
                    {formatDate(locale, ev.starts_at, true)} ·{" "}
                    {t("organization.events.going", { count: ev.going, capacity: formatNumber(locale, ev.capacity) })}
                    {ev.waiting > 0 && <> · {t("organization.events.waiting", { count: ev.waiting })}</>}
                    {ev.status === "cancelled" && <> · {t("organization.events.cancelled")}</>}
                  </p>
                </div>
                {ev.status === "scheduled" && (
                  <button type="button" class="button button-quiet" disabled={action.busy} onClick={() => cancel(ev.id)}>
                    {t("organization.events.cancel")}
                    <span class="visually-hidden"> {ev.title}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function EventsPage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="/events" title={t("organization.events.title")}>
      {(org) => <EventsBody org={org} />}
    </OrgFrame>
  );
}
