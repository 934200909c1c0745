// An organization's people (/manage/:id/people): members and their roles, pending invitations,
// inviting admins and editors; its news (/manage/:id/news) and its reviews (/manage/:id/reviews).
import { useState } from "preact/hooks";
import { ErrorBox, Loading } from "../../components";
import { useAction, useLoad, useLocale } from "../../hooks";
import { formatDate, formatRelative, t } from "../../i18n";
import { orgApi, type ManagedOrg, type Member, type Review, type Role } from "./api";
import { personId } from "./logic";
import { ActionError, Done, myId, OrgFrame, TextField } from "./parts";

const ROLES: Role[] = ["editor", "admin", "owner"];

function rolesFor(mine: Role | null | undefined): Role[] {
  if (mine === "owner") return ROLES;
  if (mine === "admin") return ["editor", "admin"];
  return [];
}

function MemberRow({ org, member, onChange }: { org: ManagedOrg; member: Member; onChange: () => void }) {
  const action = useAction();
  const roles = rolesFor(org.your_role);
  const me = member.user_id === myId();
  const canChange = roles.length > 0 && roles.includes(member.role) && !me;
  const setRole = async (role: Role) => {
    if (await action.run(() => orgApi.changeRole(org.id, member.user_id, role))) onChange();
  };
  const remove = async () => {
    if (await action.run(() => orgApi.removeMember(org.id, member.user_id))) onChange();
  };
  return (
    <li class="row">
      <div>
        <strong>{member.display_name}</strong>
        {me && <span class="meta"> ({t("organization.people.you")})</span>}
        <p class="meta">
          {member.state === "invited"
            ? t("organization.people.invitedAs", { role: t(`organization.role.${member.role}`) })
            : t(`organization.role.${member.role}`)}
        </p>
      </div>
      <div class="actions">
        {canChange && member.state === "active" && (
          <label>
            <span class="visually-hidden">{t("organization.people.roleOf", { name: member.display_name })}</span>
            <select
              value={member.role}
              disabled={action.busy}
              onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {t(`organization.role.${r}`)}
                </option>
              ))}
            </select>
          </label>
        )}
        {canChange && (
          <button type="button" class="button button-quiet" disabled={action.busy} onClick={remove}>
            {member.state === "invited" ? t("organization.people.withdraw") : t("organization.people.remove")}
            <span class="visually-hidden"> {member.display_name}</span>
          </button>
        )}
      </div>
      <ActionError error={action.error} />
    </li>
  );
}

function InviteForm({ org, onInvited }: { org: ManagedOrg; onInvited: () => void }) {
  const roles = rolesFor(org.your_role);
  const [who, setWho] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const id = personId(who);
    if (!id) return;
    setDone(null);
    let name = "";
    if (await action.run(async () => (name = (await orgApi.invite(org.id, id, role)).display_name))) {
      setWho("");
      setDone(t("organization.people.invited", { name }));
      onInvited();
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="org-invite">
      <h2 id="org-invite" class="section-title">
        {t("organization.people.invite")}
      </h2>
      <TextField
        label={t("organization.people.who")}
        hint={t("organization.people.whoHint")}
        value={who}
        onInput={setWho}
        required
      />
      <label class="field">
        <span class="field-label">{t("organization.people.role")}</span>
        <select value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`organization.role.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <ActionError error={action.error} />
      <div class="actions">
        <button type="submit" class="button" disabled={action.busy}>
          {t("organization.people.send")}
        </button>
      </div>
      <Done text={done} />
    </form>
  );
}

function People({ org }: { org: ManagedOrg }) {
  const admin = rolesFor(org.your_role).length > 0;
  const [state, reload] = useLoad(
    async () => ({
      active: await orgApi.members(org.id, "active"),
      invited: admin ? await orgApi.members(org.id, "invited") : [],
    }),
    [org.id],
  );
  return (
    <>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" && (
        <section class="card" aria-labelledby="org-members">
          <h2 id="org-members" class="section-title">
            {t("organization.people.members")}
          </h2>
          <ul class="plain-list">
            {state.value.active.map((m) => (
              <MemberRow key={m.user_id} org={org} member={m} onChange={reload} />
            ))}
          </ul>
        </section>
      )}
      {state.status === "ok" && admin && (
        <section class="card" aria-labelledby="org-invited">
          <h2 id="org-invited" class="section-title">
            {t("organization.people.pending")}
          </h2>
          {state.value.invited.length === 0 ? (
            <p class="empty">{t("organization.people.noPending")}</p>
          ) : (
            <ul class="plain-list">
              {state.value.invited.map((m) => (
                <MemberRow key={m.user_id} org={org} member={m} onChange={reload} />
              ))}
            </ul>
          )}
        </section>
      )}
      {/* Outside what reloads: its "invited" line stays after the lists are read again. */}
      {admin && <InviteForm org={org} onInvited={reload} />}
    </>
  );
}

export function PeoplePage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="/people" title={t("organization.people.title")}>
      {(org) => <People org={org} />}
    </OrgFrame>
  );
}

function NewsForm({ org, onPosted }: { org: ManagedOrg; onPosted: () => void }) {
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [important, setImportant] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!title.trim() || !body.trim()) return;
    setDone(null);
    if (await action.run(() => orgApi.post(org.id, { title: title.trim(), body: body.trim(), important }))) {
      setTitle("");
      setBody("");
      setImportant(false);
      setDone(t("organization.news.posted"));
      onPosted();
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="org-news-new">
      <h2 id="org-news-new" class="section-title">
        {t("organization.news.post")}
      </h2>
      <TextField label={t("organization.news.titleField")} value={title} onInput={setTitle} required maxLength={200} />
      <TextField label={t("organization.news.body")} value={body} onInput={setBody} rows={5} required />
      <label class="check">
        <input
          type="checkbox"
          checked={important}
          onChange={(e) => setImportant((e.currentTarget as HTMLInputElement).checked)}
        />{" "}
        {t("organization.news.important")}
      </label>
      <ActionError error={action.error} />
      <div class="actions">
        <button type="submit" class="button" disabled={action.busy}>
          {t("organization.news.publish")}
        </button>
      </div>
      <Done text={done} />
    </form>
  );
}

function News({ org }: { org: ManagedOrg }) {
  const locale = useLocale();
  const [round, setRound] = useState(0);
  const [state, reload] = useLoad(() => orgApi.posts(org.id), [org.id, round]);
  return (
    <>
      {org.verified ? (
        <NewsForm org={org} onPosted={() => setRound((n) => n + 1)} />
      ) : (
        <p class="card">{t("organization.verifiedOnly")}</p>
      )}
      <section class="card" aria-labelledby="org-news">
        <h2 id="org-news" class="section-title">
          {t("organization.news.published")}
        </h2>
        {state.status === "loading" && <Loading />}
        {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
        {state.status === "ok" && state.value.items.length === 0 && (
          <p class="empty">{t("organization.news.empty")}</p>
        )}
        {state.status === "ok" && (
          <ul class="plain-list">
            {state.value.items.map((p) => (
              <li key={p.id} class="post">
                <h3>{p.title}</h3>
                <p class="meta">
                  {formatRelative(locale, p.published_at)}
                  {p.important && <> · {t("organization.news.importantTag")}</>}
                  {p.hidden && <> · {t("organization.hidden")}</>}
                </p>
                <p class="post-body">{p.body}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function NewsPage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="/news" title={t("organization.news.title")}>
      {(org) => <News org={org} />}
    </OrgFrame>
  );
}

function ReviewItem({ review, canAnswer }: { review: Review; canAnswer: boolean }) {
  const locale = useLocale();
  const [current, setCurrent] = useState(review);
  const [text, setText] = useState("");
  const action = useAction();
  const answer = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    await action.run(async () => setCurrent(await orgApi.answerReview(review.id, text.trim())));
  };
  return (
    <li class="review">
      <p>
        <strong>{current.author.display_name}</strong>{" "}
        <span class="stars" aria-label={t("organization.reviews.stars", { count: current.stars })}>
          {"★".repeat(current.stars)}
          {"☆".repeat(Math.max(0, 5 - current.stars))}
        </span>
        {current.volunteered && <span class="tag tag-verified">{t("organization.reviews.volunteered")}</span>}
      </p>
      <p class="meta">{formatDate(locale, current.created_at)}</p>
      <p>{current.text}</p>
      {current.answer ? (
        <div class="answer">
          <p class="meta">{t("organization.reviews.yourAnswer", { date: formatDate(locale, current.answer.answered_at) })}</p>
          <p>{current.answer.text}</p>
        </div>
      ) : (
        canAnswer && (
          <form class="form" onSubmit={answer}>
            <TextField
              label={t("organization.reviews.answerTo", { name: current.author.display_name })}
              value={text}
              onInput={setText}
              rows={3}
              required
            />
            <ActionError error={action.error} />
            <button type="submit" class="button" disabled={action.busy}>
              {t("organization.reviews.answer")}
            </button>
          </form>
        )
      )}
    </li>
  );
}

export function ReviewsPage({ id }: { id: string }) {
  return (
    <OrgFrame id={id} tab="/reviews" title={t("organization.reviews.title")}>
      {(org) => <Reviews org={org} />}
    </OrgFrame>
  );
}

function Reviews({ org }: { org: ManagedOrg }) {
  const [state, reload] = useLoad(() => orgApi.reviews(org.id), [org.id]);
  const canAnswer = org.your_role === "owner" || org.your_role === "admin";
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <ErrorBox error={state.error} retry={reload} />;
  return (
    <section class="card">
      {state.value.items.length === 0 ? (
        <p class="empty">{t("organization.reviews.empty")}</p>
      ) : (
        <ul class="plain-list">
          {state.value.items.map((r) => (
            <ReviewItem key={r.id} review={r} canAnswer={canAnswer} />
          ))}
        </ul>
      )}
    </section>
  );
}
