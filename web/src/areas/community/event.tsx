// An event's page (/happening/:id, GET /events/{id}): when and where, places, my answer with
// guests (PUT/DELETE /events/{id}/rsvp), add to calendar (/events/{id}.ics; my own feed).
import { useState } from "preact/hooks";
import { ErrorBox, LoadFailed, Loading, PageTitle } from "../../components";
import { safeHttpUrl } from "../../format";
import { formatDate, t } from "../../i18n";
import { useAction, useLoad, useLocale } from "../../hooks";
import {
  answerEvent,
  eventIcsPath,
  getEvent,
  newCalendarFeed,
  revokeCalendarFeed,
  withdrawRsvp,
  type CalendarEvent,
  type RsvpAnswer,
} from "./api";
import { clampGuests, isPast } from "./logic";
import "./community.css";

const ANSWERS: RsvpAnswer[] = ["going", "maybe", "declined"];

function RsvpForm({ event, onSaved }: { event: CalendarEvent; onSaved: () => void }) {
  const mine = event.my_rsvp;
  const [answer, setAnswer] = useState<RsvpAnswer>(mine?.answer ?? "going");
  const [guests, setGuests] = useState(mine?.guests ?? 0);
  const { busy, error, run: act } = useAction();
  const run = async (work: () => Promise<unknown>) => {
    if (await act(work)) onSaved();
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void run(() => answerEvent(event.id, answer, answer === "declined" ? 0 : clampGuests(guests)));
  };
  return (
    <form class="community-form" onSubmit={submit}>
      <fieldset>
        <legend>{t("community.event.yourAnswer")}</legend>
        {ANSWERS.map((a) => (
          <label key={a} class="check">
            <input type="radio" name="rsvp" value={a} checked={answer === a} onChange={() => setAnswer(a)} />
            {t(`community.event.answer.${a}`)}
          </label>
        ))}
      </fieldset>
      <label>
        {t("community.event.guests")}
        <input type="number" min={0} max={5} step={1} inputMode="numeric" value={guests} disabled={answer === "declined"}
          onInput={(e) => setGuests(clampGuests((e.currentTarget as HTMLInputElement).value))} />
      </label>
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>{t("community.event.save")}</button>
        {mine && mine.status !== "removed" && (
          <button type="button" class="button button-quiet" disabled={busy} onClick={() => void run(() => withdrawRsvp(event.id))}>
            {t("community.event.withdraw")}
          </button>
        )}
      </div>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

function CalendarFeed() {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [revoked, setRevoked] = useState(false);
  const make = async () => {
    setError(null);
    try {
      setUrl((await newCalendarFeed()).url);
      setRevoked(false);
    } catch (e) {
      setError(e as Error);
    }
  };
  const revoke = async () => {
    try {
      await revokeCalendarFeed();
      setUrl(null);
      setRevoked(true);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <div>
      <p class="meta">{t("community.event.feedHelp")}</p>
      <div class="actions">
        <button type="button" class="button button-quiet" onClick={() => void make()}>
          {url ? t("community.event.feedRenew") : t("community.event.feedMake")}
        </button>
        {url && (
          <button type="button" class="button button-quiet" onClick={() => void revoke()}>
            {t("community.event.feedRevoke")}
          </button>
        )}
      </div>
      {url && (
        <p>
          {t("community.event.feedUrl")}{" "}
          <a class="feed-url" href={url} data-external>{url}</a>
        </p>
      )}
      <p class="status" role="status">{revoked ? t("community.event.feedRevoked") : ""}</p>
      {error && <ErrorBox error={error} />}
    </div>
  );
}

function rsvpStatus(event: CalendarEvent): string {
  const mine = event.my_rsvp;
  if (!mine || mine.status === "removed") return t("community.event.noAnswer");
  if (mine.status === "waiting") return t("community.event.status.waiting", { position: mine.waiting_position ?? 0 });
  if (mine.status === "going") return t("community.event.status.going", { count: mine.guests ?? 0 });
  return t(`community.event.status.${mine.status}`);
}

export function EventPage({ id }: { id: string }) {
  const locale = useLocale();
  const [state, reload] = useLoad(() => getEvent(id), [id]);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") {
    return (
      <LoadFailed error={state.error} retry={reload}>
        <p>{t("community.event.notFound")}</p>
      </LoadFailed>
    );
  }
  const event = state.value;
  const online = safeHttpUrl(event.online_url);
  const past = isPast(event.ends_at);
  const open = event.status === "scheduled" && !past;
  return (
    <article>
      <header class="card">
        <PageTitle>{event.title}</PageTitle>
        <p class="meta">
          <a href={`/organizations/${encodeURIComponent(event.org.org_id)}`}>{event.org.name}</a>
          {event.status === "cancelled" && <> · <span class="tag">{t("community.event.cancelled")}</span></>}
          {past && <> · <span class="tag">{t("community.event.past")}</span></>}
        </p>
        <dl class="facts">
          <dt>{t("community.event.when")}</dt>
          <dd>
            <time dateTime={event.starts_at}>{formatDate(locale, event.starts_at, true)}</time> –{" "}
            <time dateTime={event.ends_at}>{formatDate(locale, event.ends_at, true)}</time>
          </dd>
          {event.place && (
            <>
              <dt>{t("community.event.where")}</dt>
              <dd>{event.place.address}, {event.place.city}</dd>
            </>
          )}
          {online && (
            <>
              <dt>{t("community.event.online")}</dt>
              <dd><a href={online} target="_blank" rel="noopener noreferrer">{online}</a></dd>
            </>
          )}
          <dt>{t("community.event.places")}</dt>
          <dd>
            {t("community.event.going", { count: event.going, capacity: event.capacity })}
            {event.waiting > 0 && <> · {t("community.event.waiting", { count: event.waiting })}</>}
          </dd>
        </dl>
        {event.description && <p class="post-body">{event.description}</p>}
        {event.opportunity_id && (
          <p>
            <a href={`/volunteer/opportunities/${encodeURIComponent(event.opportunity_id)}`}>{t("community.event.opportunity")}</a>
          </p>
        )}
      </header>
      <section class="card" aria-labelledby="rsvp-title">
        <h2 id="rsvp-title" class="section-title">{t("community.event.rsvp")}</h2>
        <p class="summary-line" data-testid="rsvp-status">{rsvpStatus(event)}</p>
        {open ? <RsvpForm event={event} onSaved={reload} /> : <p class="meta">{t("community.event.closed")}</p>}
      </section>
      <section class="card" aria-labelledby="calendar-title">
        <h2 id="calendar-title" class="section-title">{t("community.event.calendar")}</h2>
        <p>
          <a class="button button-quiet" href={eventIcsPath(event.id)} download={`jumo-event-${event.id}.ics`}>
            {t("community.event.ics")}
          </a>
        </p>
        <CalendarFeed />
      </section>
    </article>
  );
}
