// A person's page (/people/:id, GET /users/{id}): name, picture or initials, and what their
// visibility lets me see (bio, where, languages, skills, interests, when they are free); follow,
// ask to follow or unfollow them (PUT/DELETE /users/{id}/follow); their request to follow me,
// answered here; whom they follow and who follows them when I may see it.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { LoadFailed, Loading, PageTitle } from "../../components";
import { getLocale, t } from "../../i18n";
import { useLoad } from "../../hooks";
import { orderedParts } from "../../profile";
import { followList, myself, person as getPerson, tiesWith, type PersonProfile } from "./api";
import { languageName, relationOf, type Relation } from "./logic";
import { Avatar, FollowButton, PeopleList, RequestAnswer } from "./parts";
import { isPending, setPending } from "./pending";
import "./people.css";

export function ProfilePage({ id }: { id: string }) {
  const [state, reload] = useLoad(async () => {
    const [profile, me] = await Promise.all([getPerson(id), myself()]);
    const self = me.id === profile.id;
    const ties = self ? { following: false, followsMe: false, asksMe: false } : await tiesWith(profile.id);
    if (ties.following) setPending(me.id, profile.id, false); // accepted since: the API says so
    const relation = relationOf({ myId: me.id, id: profile.id, following: ties.following, requested: isPending(me.id, profile.id) });
    return { profile, myId: me.id, relation, ties };
  }, [id]);
  const [fresh, setFresh] = useState<PersonProfile | null>(null);
  const [round, setRound] = useState(0);
  const [accepted, setAccepted] = useState(false);
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") {
    return (
      <LoadFailed error={state.error} retry={reload}>
        <p>{t("people.profile.notFound")}</p>
        <p>
          <a href="/people">{t("people.profile.toPeople")}</a>
        </p>
      </LoadFailed>
    );
  }
  const { myId, relation, ties } = state.value;
  const profile = fresh?.id === state.value.profile.id ? fresh : state.value.profile;
  // What I may see changes with following someone whose profile is for followers.
  const changed = (_next: Relation) => {
    setRound((n) => n + 1); // their followers now list me, or no longer
    if (profile.visibility !== "public") {
      getPerson(profile.id).then(setFresh, () => undefined);
    }
  };
  const self = relation === "self";
  return (
    <article class="people-profile">
      <header class="card">
        <div class="people-head">
          <Avatar person={profile} large />
          <div>
            <PageTitle>{profile.display_name}</PageTitle>
            <p class="meta">
              {t(`people.visibility.${profile.visibility}`)}
              {(ties.followsMe || accepted) && <span class="tag people-tag">{t("people.profile.followsYou")}</span>}
            </p>
          </div>
        </div>
        {self ? (
          <p class="people-note">{t("people.profile.yours")}</p>
        ) : (
          <FollowButton myId={myId} person={profile} relation={relation} onChange={changed} />
        )}
        {!self && relation === "none" && profile.visibility !== "public" && (
          <p class="meta">{t("people.profile.approves", { name: profile.display_name })}</p>
        )}
        {ties.asksMe && (
          <section class="people-asks" aria-labelledby="asks-title">
            <h2 id="asks-title" class="section-title">
              {t("people.profile.asksYou", { name: profile.display_name })}
            </h2>
            <RequestAnswer entry={profile} onAnswered={setAccepted} />
          </section>
        )}
      </header>
      {profile.limited ? <Limited profile={profile} /> : <About profile={profile} />}
      {!profile.limited && <Connections key={round} profile={profile} self={self} />}
    </article>
  );
}

function Limited({ profile }: { profile: PersonProfile }) {
  const key = profile.visibility === "followers" ? "people.profile.limitedFollowers" : "people.profile.limitedPrivate";
  return (
    <section class="card" aria-labelledby="about-title">
      <h2 id="about-title" class="section-title">
        {t("people.profile.about")}
      </h2>
      <p class="people-note" data-testid="people-limited">
        {t(key, { name: profile.display_name })}
      </p>
    </section>
  );
}

function About({ profile }: { profile: PersonProfile }) {
  const locale = getLocale();
  const parts = orderedParts(profile.availability?.parts);
  const hours = profile.availability?.hours_per_month;
  const city = profile.location?.city?.trim();
  const facts: Array<[string, ComponentChildren]> = [];
  if (city) facts.push([t("people.profile.city"), city]);
  if (profile.languages?.length) facts.push([t("people.profile.languages"), profile.languages.map((l) => languageName(l, locale)).join(", ")]);
  if (parts.length || typeof hours === "number") {
    facts.push([
      t("people.profile.available"),
      [parts.map((p) => t(`people.part.${p}`)).join(", "), typeof hours === "number" ? t("people.profile.hours", { count: hours }) : ""]
        .filter(Boolean)
        .join(" · "),
    ]);
  }
  const tags = (title: string, list: string[] | undefined) =>
    list && list.length > 0 ? (
      <>
        <h3 class="people-subtitle">{title}</h3>
        <ul class="chips">
          {list.map((tag) => (
            <li key={tag}>{tag}</li>
          ))}
        </ul>
      </>
    ) : null;
  const empty = !profile.bio?.trim() && facts.length === 0 && !profile.skills?.length && !profile.interests?.length;
  return (
    <section class="card" aria-labelledby="about-title">
      <h2 id="about-title" class="section-title">
        {t("people.profile.about")}
      </h2>
      {empty && <p class="empty">{t("people.profile.nothing", { name: profile.display_name })}</p>}
      {profile.bio?.trim() && <p class="people-bio">{profile.bio}</p>}
      {facts.length > 0 && (
        <dl class="people-facts">
          {facts.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      {tags(t("people.profile.skills"), profile.skills)}
      {tags(t("people.profile.interests"), profile.interests)}
    </section>
  );
}

function Connections({ profile, self }: { profile: PersonProfile; self: boolean }) {
  const who = self ? "me" : profile.id;
  const name = profile.display_name;
  return (
    <div class="people-columns">
      <section class="card" aria-labelledby="following-title">
        <h2 id="following-title" class="section-title">
          {self ? t("people.list.iFollow") : t("people.list.theyFollow", { name })}
        </h2>
        <PeopleList
          load={(cursor) => followList(who, "following", cursor)}
          empty={self ? t("people.list.iFollowNone") : t("people.list.theyFollowNone", { name })}
          label={self ? t("people.list.iFollow") : t("people.list.theyFollow", { name })}
        />
      </section>
      <section class="card" aria-labelledby="followers-title">
        <h2 id="followers-title" class="section-title">
          {self ? t("people.list.followMe") : t("people.list.followThem", { name })}
        </h2>
        <PeopleList
          load={(cursor) => followList(who, "followers", cursor)}
          empty={self ? t("people.list.followMeNone") : t("people.list.followThemNone", { name })}
          label={self ? t("people.list.followMe") : t("people.list.followThem", { name })}
        />
      </section>
    </div>
  );
}
