// My applications (/my/applications, GET /applications): newest first with their states, the
// organization's answer (a decline's reason, a place on the waiting list), withdrawing a live
// one (POST /applications/{id}/withdraw) after a confirmation in the page, an accepted one's
// check-in code; above them, the organizations' pending invitations (answered on the
// opportunity's page, or declined here).
import { useState } from "preact/hooks";
import { ErrorBox, ListState, MoreButton, PageTitle } from "../../components";
import { partyPath } from "../../format";
import { useAction, useLoad, useLocale, usePaged } from "../../hooks";
import { formatDate, t, type MessageKey } from "../../i18n";
import { orgName, volunteerApi, type Application, type Invitation } from "./data";
import { APPLICATION_STATUSES, canWithdraw, opportunityPath } from "./logic";
import "./volunteer.css";

export function StatusTag({ status }: { status: string }) {
  const known = (APPLICATION_STATUSES as readonly string[]).includes(status);
  return (
    <span class={`tag v-status v-status-${known ? status : "other"}`}>
      {known ? t(`volunteer.status.${status}` as MessageKey) : status}
    </span>
  );
}

function OrgLink({ id }: { id: string }) {
  const [name] = useLoad(() => orgName(id), [id]);
  const path = partyPath("org", id);
  if (!path) return null;
  return <a href={path}>{name.status === "ok" && name.value ? name.value : t("volunteer.applications.org")}</a>;
}

function CheckInCode({ application }: { application: Application }) {
  const locale = useLocale();
  const [state, setState] = useState<"idle" | "busy" | Error | { code: string; expires_at: string }>("idle");
  const show = async () => {
    setState("busy");
    try {
      setState(await volunteerApi.checkInCode(application.id));
    } catch (failure) {
      setState(failure as Error);
    }
  };
  return (
    <div class="v-checkin">
      {state instanceof Error && <ErrorBox error={state} />}
      {typeof state === "object" && !(state instanceof Error) ? (
        <p role="status">
          {t("volunteer.applications.code")} <strong class="v-code">{state.code}</strong>{" "}
          <span class="meta">
            {t("volunteer.applications.codeUntil", { time: formatDate(locale, state.expires_at, true) })}
          </span>
        </p>
      ) : (
        <button type="button" class="button button-quiet" onClick={show} disabled={state === "busy"}>
          {t("volunteer.applications.showCode")}
        </button>
      )}
    </div>
  );
}

function ApplicationCard({ application, changed }: { application: Application; changed: (a: Application) => void }) {
  const locale = useLocale();
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const title = application.opportunity_title || t("volunteer.applications.untitled");
  const withdraw = () =>
    run(async () => {
      changed(await volunteerApi.withdraw(application.id));
      setConfirming(false);
    });
  return (
    <li class="card v-result" aria-labelledby={`v-app-${application.id}`}>
      <h2 class="v-result-title" id={`v-app-${application.id}`}>
        <a href={opportunityPath(application.opportunity_id)}>{title}</a>
      </h2>
      <p class="meta">
        <StatusTag status={application.status} />{" "}
        {t("volunteer.applications.sent", { date: formatDate(locale, application.submitted_at) })}
        {" · "}
        <OrgLink id={application.org_id} />
      </p>
      {application.status === "waitlisted" && typeof application.waitlist_position === "number" && (
        <p>{t("volunteer.applications.position", { position: application.waitlist_position })}</p>
      )}
      {application.decline && (
        <p>
          {t(`volunteer.decline.${application.decline.reason}` as MessageKey)}
          {application.decline.text && <> — {application.decline.text}</>}
        </p>
      )}
      {application.status === "pending" && application.expires_at && (
        <p class="meta">{t("volunteer.applications.expires", { date: formatDate(locale, application.expires_at) })}</p>
      )}
      {application.status === "accepted" && <CheckInCode application={application} />}
      {error && <ErrorBox error={error} />}
      {canWithdraw(application.status) &&
        (confirming ? (
          <div class="v-actions" role="group" aria-label={t("volunteer.applications.confirmLabel", { title })}>
            <p>{t("volunteer.applications.confirm")}</p>
            <button type="button" class="button" onClick={withdraw} disabled={busy}>
              {t("volunteer.applications.confirmYes")}
            </button>
            <button type="button" class="button button-quiet" onClick={() => setConfirming(false)} disabled={busy}>
              {t("volunteer.applications.confirmNo")}
            </button>
          </div>
        ) : (
          <button type="button" class="button button-quiet" onClick={() => setConfirming(true)}
            aria-label={t("volunteer.applications.withdrawLabel", { title })}>
            {t("volunteer.applications.withdraw")}
          </button>
        ))}
    </li>
  );
}

function InvitationCard({ invitation }: { invitation: Invitation }) {
  const locale = useLocale();
  const [state, setState] = useState<"pending" | "declined" | "busy" | Error>("pending");
  const decline = async () => {
    setState("busy");
    try {
      await volunteerApi.declineInvitation(invitation.id);
      setState("declined");
    } catch (failure) {
      setState(failure as Error);
    }
  };
  const orgPath = partyPath("org", invitation.org_id);
  return (
    <li class="card v-result" aria-labelledby={`v-inv-${invitation.id}`}>
      <h3 class="v-result-title" id={`v-inv-${invitation.id}`}>
        <a href={opportunityPath(invitation.opportunity_id)}>{invitation.opportunity_title}</a>
      </h3>
      <p class="meta">
        {t("volunteer.invitations.from", { date: formatDate(locale, invitation.created_at) })}{" "}
        {orgPath ? <a href={orgPath}>{invitation.org_name}</a> : invitation.org_name}
      </p>
      {invitation.message && <blockquote class="v-quote">{invitation.message}</blockquote>}
      {state instanceof Error && <ErrorBox error={state} />}
      {state === "declined" ? (
        <p role="status">{t("volunteer.invitations.declined")}</p>
      ) : (
        <div class="v-actions">
          <a class="button" href={opportunityPath(invitation.opportunity_id, invitation.id)}
            aria-label={t("volunteer.invitations.answerLabel", { title: invitation.opportunity_title })}>
            {t("volunteer.invitations.answer")}
          </a>
          <button type="button" class="button button-quiet" onClick={decline} disabled={state === "busy"}
            aria-label={t("volunteer.invitations.declineLabel", { title: invitation.opportunity_title })}>
            {t("volunteer.invitations.decline")}
          </button>
        </div>
      )}
    </li>
  );
}

function Invitations() {
  const [state] = useLoad(() => volunteerApi.invitations(), []);
  if (state.status !== "ok") return null; // the applications below say what went wrong, if anything
  const pending = state.value.filter((i) => i.status === "pending");
  if (!pending.length) return null;
  return (
    <section aria-labelledby="v-invitations-title">
      <h2 id="v-invitations-title" class="section-title">
        {t("volunteer.invitations.title")}
      </h2>
      <ul class="v-results">
        {pending.map((invitation) => (
          <InvitationCard key={invitation.id} invitation={invitation} />
        ))}
      </ul>
    </section>
  );
}

export function ApplicationsPage() {
  useLocale();
  const paged = usePaged((cursor) => volunteerApi.applications(cursor), []);
  const { first, reload, items } = paged;
  const changed = (updated: Application) => paged.setItems((old) => old.map((a) => (a.id === updated.id ? updated : a)));
  return (
    <section>
      <PageTitle>{t("volunteer.applications.title")}</PageTitle>
      <Invitations />
      <ListState
        state={first}
        count={items.length}
        reload={reload}
        empty={
          <>
            {t("volunteer.applications.empty")} <a href="/find">{t("volunteer.recommended.search")}</a>
          </>
        }
      />
      <ul class="v-results">
        {items.map((application) => (
          <ApplicationCard key={application.id} application={application} changed={changed} />
        ))}
      </ul>
      <MoreButton paged={paged} />
    </section>
  );
}
