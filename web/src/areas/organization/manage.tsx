// "My organizations" (/manage): the ones I manage and my invitations; "Create an
// organization" (/manage/new): POST /orgs, then its dashboard.
import { useState } from "preact/hooks";
import { ApiError } from "../../api";
import { ErrorBox, ListState, Loading, PageTitle } from "../../components";
import { useAction, useLoad, useLocale } from "../../hooks";
import { formatDate, t } from "../../i18n";
import { navigate } from "../../router";
import { orgApi, type Cause, type ManagedOrg } from "./api";
import {
  EMPTY_ORG_FORM,
  forgetOrg,
  knownOrgs,
  orgBody,
  orgId,
  rememberOrg,
  type OrgForm,
} from "./logic";
import { ActionError, managePath, myId, RoleTag, StatusTag, TextField } from "./parts";

async function myOrganizations(): Promise<ManagedOrg[]> {
  const me = myId();
  const ids = knownOrgs(me);
  const answers = await Promise.allSettled(ids.map((id) => orgApi.org(id)));
  const orgs: ManagedOrg[] = [];
  answers.forEach((answer, i) => {
    if (answer.status === "fulfilled" && answer.value.your_role) orgs.push(answer.value);
    else if (answer.status === "fulfilled" || (answer.reason instanceof ApiError && answer.reason.status === 404)) {
      forgetOrg(me, ids[i]); // no longer one of mine
    }
  });
  if (orgs.length === 0 && answers.some((a) => a.status === "rejected" && !(a.reason instanceof ApiError && a.reason.status === 404))) {
    throw (answers.find((a) => a.status === "rejected") as PromiseRejectedResult).reason;
  }
  return orgs;
}

function Invitations() {
  const locale = useLocale();
  const [state, reload] = useLoad(() => orgApi.invitations(), []);
  const action = useAction();
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <ErrorBox error={state.error} retry={reload} />;
  if (state.value.length === 0) return null;
  const accept = async (id: string) => {
    if (await action.run(() => orgApi.acceptInvitation(id))) {
      rememberOrg(myId(), id);
      navigate(managePath(id));
    }
  };
  const decline = async (id: string) => {
    if (await action.run(() => orgApi.declineInvitation(id))) reload();
  };
  return (
    <section class="card" aria-labelledby="org-invitations">
      <h2 id="org-invitations" class="section-title">
        {t("organization.invitations.title")}
      </h2>
      <ul class="plain-list">
        {state.value.map((inv) => (
          <li key={inv.org.org_id} class="row">
            <div>
              <strong>{inv.org.name}</strong>
              <p class="meta">
                {t("organization.invitations.as", { role: t(`organization.role.${inv.role}`) })}
                {inv.invited_by && <> · {t("organization.invitations.by", { name: inv.invited_by.display_name })}</>}
                {" · "}
                {formatDate(locale, inv.invited_at)}
              </p>
            </div>
            <div class="actions">
              <button type="button" class="button" disabled={action.busy} onClick={() => accept(inv.org.org_id)}>
                {t("organization.invitations.accept")}
                <span class="visually-hidden"> {inv.org.name}</span>
              </button>
              <button
                type="button"
                class="button button-quiet"
                disabled={action.busy}
                onClick={() => decline(inv.org.org_id)}
              >
                {t("organization.invitations.decline")}
                <span class="visually-hidden"> {inv.org.name}</span>
              </button>
            </div>
          </li>
        ))}
      </ul>
      <ActionError error={action.error} />
    </section>
  );
}

function OpenById() {
  const [value, setValue] = useState("");
  const submit = (e: Event) => {
    e.preventDefault();
    const id = orgId(value);
    if (id) navigate(managePath(id));
  };
  return (
    <form class="card inline-form" onSubmit={submit}>
      <TextField
        label={t("organization.open.label")}
        hint={t("organization.open.hint")}
        value={value}
        onInput={setValue}
        required
      />
      <button type="submit" class="button button-quiet">
        {t("organization.open.submit")}
      </button>
    </form>
  );
}

export function ManagePage() {
  const [state, reload] = useLoad(myOrganizations, []);
  return (
    <section class="manage-list">
      <PageTitle>{t("organization.mine.title")}</PageTitle>
      <p>
        <a class="button" href="/manage/new">
          {t("organization.create.title")}
        </a>
      </p>
      <Invitations />
      <section class="card" aria-labelledby="org-mine">
        <h2 id="org-mine" class="section-title">
          {t("organization.mine.list")}
        </h2>
        <ListState state={state} count={state.status === "ok" ? state.value.length : 0} reload={reload} empty={t("organization.mine.empty")} />
        {state.status === "ok" && state.value.length > 0 && (
          <ul class="plain-list">
            {state.value.map((org) => (
              <li key={org.id} class="row">
                <div>
                  <a href={managePath(org.id)}>
                    <strong>{org.name}</strong>
                  </a>
                  <p class="meta">
                    <StatusTag status={org.status} /> <RoleTag role={org.your_role} />
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
        <p class="fine">{t("organization.mine.device")}</p>
      </section>
      <OpenById />
    </section>
  );
}

/** The causes as checkboxes (GET /causes), one folding group per family: a family holding a
 * chosen cause starts open, so the list stays short on a phone. */
export function CausePicker({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  const [state, reload] = useLoad<Cause[]>(() => orgApi.causes(), []);
  // Which families are open: those holding a chosen cause when the form starts, then as the
  // person folds them (unchecking a family's last cause does not fold it under their hand).
  const [opened, setOpened] = useState<Set<string> | null>(null);
  const families = state.status === "ok" ? state.value : [];
  const isOpen = (family: Cause) =>
    opened ? opened.has(family.slug) : [family, ...(family.children ?? [])].some((c) => value.includes(c.slug));
  const fold = (family: Cause, open: boolean) => {
    const next = new Set(opened ?? families.filter(isOpen).map((f) => f.slug));
    if (open) next.add(family.slug);
    else next.delete(family.slug);
    setOpened(next);
  };
  const toggle = (slug: string, on: boolean) =>
    onChange(on ? [...value, slug] : value.filter((s) => s !== slug));
  const box = (cause: Cause) => (
    <li key={cause.slug}>
      <label>
        <input
          type="checkbox"
          checked={value.includes(cause.slug)}
          onChange={(e) => toggle(cause.slug, (e.currentTarget as HTMLInputElement).checked)}
        />{" "}
        {cause.name}
      </label>
    </li>
  );
  return (
    <fieldset class="field causes-picker">
      <legend class="field-label">{t("organization.form.causes")}</legend>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" &&
        state.value.map((family) => {
          const members = [family, ...(family.children ?? [])];
          const chosen = members.filter((c) => value.includes(c.slug)).length;
          return (
            <details
              key={family.slug}
              class="cause-family"
              open={isOpen(family)}
              onToggle={(e) => {
                const open = (e.currentTarget as HTMLDetailsElement).open;
                if (open !== isOpen(family)) fold(family, open);
              }}
            >
              <summary>
                {family.name}
                {chosen > 0 && <span class="tag">{t("organization.form.chosen", { count: chosen })}</span>}
              </summary>
              <ul class="checks">{members.map(box)}</ul>
            </details>
          );
        })}
    </fieldset>
  );
}

/** The organization's fields (create and edit). */
export function OrgFormFields({ form, set }: { form: OrgForm; set: (f: OrgForm) => void }) {
  const field = (key: keyof OrgForm) => (value: string) => set({ ...form, [key]: value });
  return (
    <>
      <TextField label={t("organization.form.name")} value={form.name} onInput={field("name")} required maxLength={120} />
      <TextField label={t("organization.form.mission")} value={form.mission} onInput={field("mission")} rows={2} />
      <TextField
        label={t("organization.form.description")}
        value={form.description}
        onInput={field("description")}
        rows={4}
      />
      <TextField label={t("organization.form.website")} value={form.website} onInput={field("website")} type="url" />
      <TextField
        label={t("organization.form.email")}
        value={form.contactEmail}
        onInput={field("contactEmail")}
        type="email"
      />
      <CausePicker value={form.causes} onChange={(causes) => set({ ...form, causes })} />
      <fieldset class="field">
        <legend class="field-label">{t("organization.form.hq")}</legend>
        <div class="field-row">
          <TextField label={t("organization.form.city")} value={form.city} onInput={field("city")} />
          <TextField
            label={t("organization.form.country")}
            hint={t("organization.form.countryHint")}
            value={form.country}
            onInput={field("country")}
            maxLength={2}
            autoComplete="country"
          />
        </div>
        <div class="field-row">
          <TextField label={t("organization.form.lat")} value={form.lat} onInput={field("lat")} inputMode="decimal" />
          <TextField label={t("organization.form.lng")} value={form.lng} onInput={field("lng")} inputMode="decimal" />
        </div>
      </fieldset>
    </>
  );
}

export function CreateOrgPage() {
  const [form, setForm] = useState<OrgForm>(EMPTY_ORG_FORM);
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const built = orgBody(form);
    if ("problem" in built) {
      setProblem(t(`organization.form.problem.${built.problem}`));
      return;
    }
    setProblem(null);
    let created: ManagedOrg | null = null;
    await action.run(async () => {
      created = await orgApi.create(built.body);
    });
    if (created) {
      const org: ManagedOrg = created;
      rememberOrg(myId(), org.id);
      navigate(managePath(org.id));
    }
  };
  return (
    <section>
      <PageTitle>{t("organization.create.title")}</PageTitle>
      <p>{t("organization.create.lead")}</p>
      <form class="card form" onSubmit={submit} noValidate>
        <OrgFormFields form={form} set={(f) => (setForm(f), setProblem(null))} />
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        <ActionError error={action.error} />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy}>
            {t("organization.create.submit")}
          </button>
          <a href="/manage">{t("organization.cancel")}</a>
        </div>
      </form>
    </section>
  );
}
