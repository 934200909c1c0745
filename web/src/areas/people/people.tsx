// People (/people): who asks to follow me (GET /users/me/follow-requests, accept or decline),
// people I may know (GET /users/me/suggestions: Facebook friends on Jumo I do not follow yet),
// whom I follow and who follows me (GET /users/me/following, /users/me/followers).
import { useState } from "preact/hooks";
import { ErrorBox, ListState, Loading, PageTitle } from "../../components";
import { t } from "../../i18n";
import { useLoad } from "../../hooks";
import { ApiError } from "../../api";
import { followList, followRequests, myFollowingIds, myself, person, suggestions, type PersonProfile } from "./api";
import { personPath, relationOf } from "./logic";
import { FollowButton, PeopleList, PersonRow, RequestAnswer } from "./parts";
import { isPending, pendingOf, setPending } from "./pending";
import "./people.css";

export function PeoplePage() {
  const [me, reload] = useLoad(() => myself(), []);
  // Accepting a request adds a follower; following a suggestion adds to whom I follow.
  const [followers, setFollowers] = useState(0);
  const [following, setFollowing] = useState(0);
  if (me.status === "loading") return <Loading />;
  if (me.status === "error") return <ErrorBox error={me.error} retry={reload} />;
  const myId = me.value.id;
  return (
    <div class="people-page">
      <PageTitle>{t("people.title")}</PageTitle>
      <p class="people-lead">
        <a href={personPath(myId)}>{t("people.myProfile")}</a>
      </p>
      <section class="card" aria-labelledby="requests-title">
        <h2 id="requests-title" class="section-title">
          {t("people.requests.title")}
        </h2>
        <p class="meta">{t(me.value.visibility === "public" ? "people.requests.helpPublic" : "people.requests.help")}</p>
        <PeopleList
          load={followRequests}
          empty={t("people.requests.none")}
          label={t("people.requests.title")}
          actions={(entry) => <RequestAnswer entry={entry} onAnswered={(approved) => approved && setFollowers((n) => n + 1)} />}
        />
      </section>
      <SentRequests myId={myId} />
      <Suggestions myId={myId} onFollow={() => setFollowing((n) => n + 1)} />
      <div class="people-columns">
        <section class="card" aria-labelledby="following-title">
          <h2 id="following-title" class="section-title">
            {t("people.list.iFollow")}
          </h2>
          <PeopleList
            key={following}
            load={(cursor) => followList("me", "following", cursor)}
            empty={t("people.list.iFollowNone")}
            label={t("people.list.iFollow")}
          />
        </section>
        <section class="card" aria-labelledby="followers-title">
          <h2 id="followers-title" class="section-title">
            {t("people.list.followMe")}
          </h2>
          <PeopleList
            key={followers}
            load={(cursor) => followList("me", "followers", cursor)}
            empty={t("people.list.followMeNone")}
            label={t("people.list.followMe")}
          />
        </section>
      </div>
    </div>
  );
}

function Suggestions({ myId, onFollow }: { myId: string; onFollow: () => void }) {
  const [state, reload] = useLoad(() => suggestions(), []);
  return (
    <section class="card" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title" class="section-title">
        {t("people.suggestions.title")}
      </h2>
      <p class="meta">{t("people.suggestions.help")}</p>
      <ListState state={state} count={state.status === "ok" ? state.value.items.length : 0} reload={reload} empty={t("people.suggestions.none")} />
      {state.status === "ok" && state.value.items.length > 0 && (
        <ul class="people-list" aria-label={t("people.suggestions.title")}>
          {state.value.items.map((person) => (
            <PersonRow key={person.id} person={person}>
              <FollowButton
                myId={myId}
                person={person}
                named
                relation={relationOf({ myId, id: person.id, following: false, requested: isPending(myId, person.id) })}
                onChange={() => onFollow()}
              />
            </PersonRow>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The requests I sent that this browser remembers (identity lists no one's outgoing
 * requests): those now followed, or of someone gone, are forgotten; the others shown. */
function SentRequests({ myId }: { myId: string }) {
  const [state] = useLoad(async () => {
    const wanted = pendingOf(myId).slice(0, 20);
    if (!wanted.length) return [];
    const followed = await myFollowingIds();
    const people = await Promise.all(
      wanted.map(async (id) => {
        if (followed.has(id)) return null;
        try {
          return await person(id);
        } catch (e) {
          if (e instanceof ApiError && e.status === 404) return null;
          throw e;
        }
      }),
    );
    wanted.forEach((id, i) => people[i] === null && setPending(myId, id, false));
    return people.filter((p): p is PersonProfile => p !== null);
  }, []);
  if (state.status !== "ok" || state.value.length === 0) return null;
  return (
    <section class="card" aria-labelledby="sent-title">
      <h2 id="sent-title" class="section-title">
        {t("people.sent.title")}
      </h2>
      <p class="meta">{t("people.sent.help")}</p>
      <ul class="people-list" aria-label={t("people.sent.title")}>
        {state.value.map((profile) => (
          <PersonRow key={profile.id} person={profile}>
            <FollowButton myId={myId} person={profile} named relation="requested" />
          </PersonRow>
        ))}
      </ul>
    </section>
  );
}
