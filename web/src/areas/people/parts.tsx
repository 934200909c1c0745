// Pieces the people pages share: a person's picture or initials, the follow button with its
// state, a request's accept / decline, a list of people that grows page by page.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Page } from "../../api";
import { ErrorBox, errorText, Loading, MoreButton } from "../../components";
import { useAction, usePaged } from "../../hooks";
import { initials } from "../../format";
import { formatDate, getLocale, t } from "../../i18n";
import { answerRequest, follow, unfollow, type FollowEntry, type PersonSummary, type Visibility } from "./api";
import { hueOf, needsApproval, personPath, pictureSrc, relationAfter, type Relation } from "./logic";
import { setPending } from "./pending";

export function Avatar({ person, large = false }: { person: PersonSummary; large?: boolean }) {
  const src = pictureSrc(person.picture_url, window.location.origin);
  const size = large ? " people-avatar-large" : "";
  if (src) return <img class={`people-avatar${size}`} src={src} alt="" />;
  return (
    <span class={`people-avatar${size} people-hue-${hueOf(person.id)}`} aria-hidden="true">
      {initials(person.display_name)}
    </span>
  );
}

interface FollowProps {
  myId: string;
  person: PersonSummary & { visibility?: Visibility };
  relation: Relation;
  onChange?: (relation: Relation) => void;
  /** In a list: the button's accessible name says whom it follows. */
  named?: boolean;
}

/** The follow button and where I stand: one button whose words change, never disabled while
 * it works (a disabled button drops the focus), so the focus stays on it. */
export function FollowButton({ myId, person, relation: initial, onChange, named = false }: FollowProps) {
  const [relation, setRelation] = useState(initial);
  const [said, setSaid] = useState("");
  const { busy, error, run } = useAction();
  useEffect(() => setRelation(initial), [initial]);
  if (relation === "self") return null;
  const name = person.display_name;
  const asks = person.visibility !== undefined && needsApproval(person.visibility);
  const act = () =>
    run(async () => {
      const state = relation === "none" ? await follow(person.id) : await unfollow(person.id);
      const next = relationAfter(state);
      setPending(myId, person.id, next === "requested");
      setRelation(next);
      setSaid(
        next === "following"
          ? t("people.follow.done", { name })
          : next === "requested"
            ? t("people.follow.asked", { name })
            : relation === "requested"
              ? t("people.follow.withdrawn", { name })
              : t("people.follow.undone", { name }),
      );
      onChange?.(next);
    });
  const label =
    relation === "following"
      ? t("people.follow.unfollow")
      : relation === "requested"
        ? t("people.follow.withdraw")
        : asks
          ? t("people.follow.ask")
          : t("people.follow.follow");
  return (
    <div class="people-follow">
      {relation !== "none" && (
        <span class={`people-state people-state-${relation}`}>
          {relation === "following" ? t("people.state.following") : t("people.state.requested")}
        </span>
      )}
      <button
        type="button"
        class={relation === "none" ? "button" : "button button-quiet"}
        aria-disabled={busy}
        onClick={() => !busy && void act()}
      >
        {label}
        {named && <span class="visually-hidden"> {name}</span>}
      </button>
      <span class="people-said" role="status">
        {said}
      </span>
      {error && (
        <p class="people-problem" role="alert">
          {errorText(error)}
        </p>
      )}
    </div>
  );
}

/** Accept / Decline of one request; afterwards the answer, focused (the buttons are gone). */
export function RequestAnswer({ entry, onAnswered }: { entry: PersonSummary; onAnswered?: (approved: boolean) => void }) {
  const [answered, setAnswered] = useState<"accepted" | "declined" | null>(null);
  const { busy, error, run } = useAction();
  const done = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (answered) done.current?.focus();
  }, [answered]);
  const answer = (approve: boolean) =>
    run(async () => {
      await answerRequest(entry.id, approve);
      setAnswered(approve ? "accepted" : "declined");
      onAnswered?.(approve);
    });
  const name = entry.display_name;
  if (answered) {
    return (
      <p ref={done} tabIndex={-1} class="people-answered" role="status">
        {answered === "accepted" ? t("people.requests.accepted", { name }) : t("people.requests.declined", { name })}
      </p>
    );
  }
  return (
    <div class="people-answer">
      <button type="button" class="button" disabled={busy} onClick={() => void answer(true)}>
        {t("people.requests.accept")}
        <span class="visually-hidden"> {name}</span>
      </button>
      <button type="button" class="button button-quiet" disabled={busy} onClick={() => void answer(false)}>
        {t("people.requests.decline")}
        <span class="visually-hidden"> {name}</span>
      </button>
      {error && (
        <p class="people-problem" role="alert">
          {errorText(error)}
        </p>
      )}
    </div>
  );
}

/** One person in a list: picture, name (a link to their page), a line under it, actions. */
export function PersonRow({ person, meta, children }: { person: PersonSummary; meta?: string; children?: ComponentChildren }) {
  return (
    <li class="people-row">
      <Avatar person={person} />
      <div class="people-row-text">
        <a class="people-name" href={personPath(person.id)}>
          {person.display_name}
        </a>
        {meta && <p class="meta">{meta}</p>}
      </div>
      {children && <div class="people-row-actions">{children}</div>}
    </li>
  );
}

export const sinceText = (entry: FollowEntry) => t("people.since", { date: formatDate(getLocale(), entry.since) });

interface ListProps {
  load: (cursor?: string | null) => Promise<Page<FollowEntry>>;
  empty: string;
  label: string;
  /** What a row holds besides the name (buttons). */
  actions?: (entry: FollowEntry) => ComponentChildren;
}

/** A list of people, page after page ("Show more"), with its loading, empty and error states. */
export function PeopleList({ load, empty, label, actions }: ListProps) {
  const paged = usePaged(load, []);
  const { first, reload, items } = paged;
  if (first.status === "loading") return <Loading />;
  if (first.status === "error") return <ErrorBox error={first.error} retry={reload} />;
  return (
    <div>
      {items.length === 0 && <p class="empty">{empty}</p>}
      {items.length > 0 && (
        <ul class="people-list" aria-label={label}>
          {items.map((entry) => (
            <PersonRow key={entry.id} person={entry} meta={sinceText(entry)}>
              {actions?.(entry)}
            </PersonRow>
          ))}
        </ul>
      )}
      <MoreButton paged={paged} />
    </div>
  );
}
