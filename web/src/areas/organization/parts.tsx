// What the organization area's pages share: who I am, an organization's frame (its name, its
// state, the managing tabs), a status line, and running one action at a time with its error.
import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import { session } from "../../auth";
import { ErrorBox, LoadFailed, Loading, PageTitle } from "../../components";
import { useLoad } from "../../hooks";
import { t } from "../../i18n";
import { pathFor } from "../../router";
import { orgApi, type ManagedOrg, type OrgStatus, type Role } from "./api";
import { rememberOrg, tokenClaims } from "./logic";
import "./organization.css";

/** The signed-in person's id (from the access token: what the services read too). */
export function myId(): string {
  return tokenClaims(session.token()).sub ?? "";
}

export const MANAGE = "/manage/:id";
export const managePath = (id: string, tail = ""): string => pathFor(MANAGE, { id }) + tail;

export function StatusTag({ status }: { status: OrgStatus }) {
  return <span class={`tag org-status org-status-${status}`}>{t(`organization.status.${status}`)}</span>;
}

export function RoleTag({ role }: { role: Role | null | undefined }) {
  return role ? <span class="tag">{t(`organization.role.${role}`)}</span> : null;
}

const TABS = [
  { tail: "", label: "organization.tab.overview" },
  { tail: "/edit", label: "organization.tab.edit" },
  { tail: "/people", label: "organization.tab.people" },
  { tail: "/news", label: "organization.tab.news" },
  { tail: "/opportunities", label: "organization.tab.opportunities" },
  { tail: "/applications", label: "organization.tab.applications" },
  { tail: "/events", label: "organization.tab.events" },
  { tail: "/reviews", label: "organization.tab.reviews" },
] as const;

function ManageTabs({ id, here }: { id: string; here: string }) {
  return (
    <nav class="manage-tabs" aria-label={t("organization.tabs")}>
      <ul>
        {TABS.map((tab) => (
          <li key={tab.tail}>
            <a href={managePath(id, tab.tail)} aria-current={here === tab.tail ? "page" : undefined}>
              {t(tab.label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** An organization's managing page: loads it, remembers it, shows its name, state and tabs;
 * `title` is the page's h1 (the organization's name on its overview). */
export function OrgFrame({
  id,
  tab,
  title,
  children,
}: {
  id: string;
  tab: string;
  title?: string;
  children: (org: ManagedOrg, reload: () => void) => ComponentChildren;
}): JSX.Element {
  const [state, reload] = useLoad(async () => {
    const org = await orgApi.org(id);
    if (org.your_role) rememberOrg(myId(), org.id);
    return org;
  }, [id]);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") {
    return (
      <LoadFailed error={state.error} retry={reload} title={t("organization.notFound.title")}>
        <p>{t("organization.notFound.text")}</p>
        <p>
          <a href="/manage">{t("organization.backToList")}</a>
        </p>
      </LoadFailed>
    );
  }
  const org = state.value;
  return (
    <div class="manage">
      <header class="manage-head">
        <span class="avatar" aria-hidden="true" style={{ background: org.colour }}>
          {org.initials}
        </span>
        <div>
          {title ? (
            <>
              <p class="manage-org-name">{org.name}</p>
              <PageTitle>{title}</PageTitle>
            </>
          ) : (
            <PageTitle>{org.name}</PageTitle>
          )}
          <p class="meta">
            <StatusTag status={org.status} /> <RoleTag role={org.your_role} />
          </p>
        </div>
      </header>
      <ManageTabs id={org.id} here={tab} />
      {org.your_role ? (
        children(org, reload)
      ) : (
        <p class="card">{t("organization.notMember")}</p>
      )}
    </div>
  );
}

/** A short result line read out by screen readers (role=status). */
export function Done({ text }: { text: string | null }) {
  return (
    <p class="done" role="status" aria-live="polite">
      {text ?? ""}
    </p>
  );
}

export function ActionError({ error }: { error: Error | null }) {
  return error ? <ErrorBox error={error} /> : null;
}

/** A labelled text input (or textarea with `rows`), its hint tied to it by aria-describedby. */
export function TextField({
  label,
  value,
  onInput,
  rows,
  hint,
  type = "text",
  required,
  maxLength,
  min,
  step,
  inputMode,
  autoComplete,
}: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  rows?: number;
  hint?: string;
  type?: string;
  required?: boolean;
  maxLength?: number;
  min?: number;
  step?: string;
  inputMode?: "text" | "decimal" | "numeric" | "email" | "url";
  autoComplete?: string;
}) {
  const [hintId] = useState(() => `hint-${Math.random().toString(36).slice(2, 9)}`);
  const input = (e: Event) => onInput((e.currentTarget as HTMLInputElement).value);
  const described = hint ? hintId : undefined;
  return (
    <div class="field">
      <label class="field">
        <span class="field-label">{label}</span>
        {rows ? (
          <textarea rows={rows} value={value} onInput={input} aria-describedby={described} required={required} maxLength={maxLength} />
        ) : (
          <input
            type={type}
            value={value}
            onInput={input}
            aria-describedby={described}
            required={required}
            maxLength={maxLength}
            min={min}
            step={step}
            inputMode={inputMode}
            autoComplete={autoComplete}
          />
        )}
      </label>
      {hint && (
        <span class="field-hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}
