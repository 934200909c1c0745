// Onboarding after a first sign-up (/welcome): skills, interests, causes, location and radius,
// availability, whether organizations may find you (all PATCH /users/me), causes joined
// (PUT/DELETE /causes/{slug}/membership), showing one's joins on Facebook (notifier's
// preferences, off by default) and the welcome notification's share-on-Facebook link.
import { useState } from "preact/hooks";
import { ErrorBox, Loading, PageTitle } from "../../components";
import { useLoad, useLocale } from "../../hooks";
import { t, type MessageKey } from "../../i18n";
import { AVAILABILITY_PARTS, coarse, joinTags, parseTags } from "../../profile";
import { volunteerApi, type CauseNode, type Profile } from "./data";
import { causeChanges, locationOf } from "./logic";
import "./volunteer.css";

interface Loaded {
  profile: Profile;
  causes: CauseNode[];
  joined: string[];
  sharing: boolean;
}

async function loadAll(): Promise<Loaded> {
  const [profile, causes, joined, sharing] = await Promise.all([
    volunteerApi.me(),
    volunteerApi.causes(),
    volunteerApi.myCauses(),
    volunteerApi.sharesJoins(),
  ]);
  return { profile, causes: causes.items, joined: joined.items.map((c) => c.slug), sharing };
}

function ShareLink() {
  const [share] = useLoad(() => volunteerApi.welcomeShareUrl(), []);
  if (share.status !== "ok" || !share.value) return null;
  return (
    <section class="card v-share" aria-labelledby="v-share-title">
      <h2 id="v-share-title">{t("volunteer.welcome.shareTitle")}</h2>
      <p>{t("volunteer.welcome.shareLead")}</p>
      <a class="button button-facebook" href={share.value} target="_blank" rel="noopener noreferrer">
        {t("volunteer.welcome.shareLink")}
      </a>
    </section>
  );
}

function CausePicker({
  causes,
  chosen,
  toggle,
}: {
  causes: CauseNode[];
  chosen: Set<string>;
  toggle: (slug: string, on: boolean) => void;
}) {
  return (
    <fieldset class="v-fieldset">
      <legend>{t("volunteer.welcome.causes")}</legend>
      <p class="meta">{t("volunteer.welcome.causesHint")}</p>
      {causes.map((group) => {
        const inGroup = [group, ...group.children].filter((c) => chosen.has(c.slug)).length;
        return (
          <details key={group.slug} class="v-cause-group" open={inGroup > 0}>
            <summary>
              {group.name}
              {inGroup > 0 && <span class="meta"> · {t("volunteer.welcome.chosen", { count: inGroup })}</span>}
            </summary>
            <ul class="v-checks">
              {[group, ...group.children].map((cause) => (
                <li key={cause.slug}>
                  <label>
                    <input
                      type="checkbox"
                      checked={chosen.has(cause.slug)}
                      onChange={(e) => toggle(cause.slug, (e.currentTarget as HTMLInputElement).checked)}
                    />{" "}
                    {cause === group ? t("volunteer.welcome.allOf", { name: group.name }) : cause.name}
                  </label>
                </li>
              ))}
            </ul>
          </details>
        );
      })}
    </fieldset>
  );
}

function OnboardingForm({ loaded }: { loaded: Loaded }) {
  const { profile } = loaded;
  const [skills, setSkills] = useState(joinTags(profile.skills));
  const [interests, setInterests] = useState(joinTags(profile.interests));
  const [causes, setCauses] = useState(new Set(loaded.joined));
  const [joined, setJoined] = useState(loaded.joined);
  const [city, setCity] = useState(profile.location?.city ?? "");
  const [lat, setLat] = useState(profile.location?.lat?.toString() ?? "");
  const [lng, setLng] = useState(profile.location?.lng?.toString() ?? "");
  const [radius, setRadius] = useState(String(profile.radius_km ?? 25));
  const [parts, setParts] = useState(new Set<string>(profile.availability?.parts ?? []));
  const [hours, setHours] = useState(profile.availability?.hours_per_month?.toString() ?? "");
  const [findable, setFindable] = useState(profile.findable);
  const [sharing, setSharing] = useState(loaded.sharing);
  const [wasSharing, setWasSharing] = useState(loaded.sharing);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [locating, setLocating] = useState(false);

  const toggleIn = (set: Set<string>, key: string, on: boolean) => {
    const next = new Set(set);
    if (on) next.add(key);
    else next.delete(key);
    return next;
  };
  const here = () => {
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLat(String(coarse(position.coords.latitude)));
        setLng(String(coarse(position.coords.longitude)));
        setLocating(false);
      },
      () => setLocating(false),
      { maximumAge: 600_000, timeout: 10_000 },
    );
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setSaved(false);
    setError(null);
    try {
      const hoursNumber = hours.trim() === "" ? null : Math.max(0, Math.min(744, Math.round(Number(hours))));
      await volunteerApi.saveMe({
        skills: parseTags(skills),
        interests: parseTags(interests),
        location: locationOf(city, lat, lng),
        radius_km: Math.max(1, Math.min(500, Math.round(Number(radius) || 25))),
        availability: {
          parts: AVAILABILITY_PARTS.filter((p) => parts.has(p)),
          hours_per_month: Number.isFinite(hoursNumber) ? hoursNumber : null,
        },
        findable,
      });
      const change = causeChanges(joined, causes);
      await Promise.all([
        ...change.join.map((slug) => volunteerApi.joinCause(slug)),
        ...change.leave.map((slug) => volunteerApi.leaveCause(slug)),
      ]);
      setJoined([...causes]);
      if (sharing !== wasSharing) {
        await volunteerApi.setSharesJoins(sharing);
        setWasSharing(sharing);
      }
      setSaved(true);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="v-form" onSubmit={submit} noValidate>
      <section class="card">
        <h2>{t("volunteer.welcome.aboutYou")}</h2>
        <div class="v-field">
          <label for="v-skills">{t("volunteer.welcome.skills")}</label>
          <input id="v-skills" type="text" value={skills} aria-describedby="v-skills-hint"
            onInput={(e) => setSkills((e.currentTarget as HTMLInputElement).value)} />
          <p id="v-skills-hint" class="meta">{t("volunteer.welcome.tagsHint")}</p>
        </div>
        <div class="v-field">
          <label for="v-interests">{t("volunteer.welcome.interests")}</label>
          <input id="v-interests" type="text" value={interests} aria-describedby="v-interests-hint"
            onInput={(e) => setInterests((e.currentTarget as HTMLInputElement).value)} />
          <p id="v-interests-hint" class="meta">{t("volunteer.welcome.tagsHint")}</p>
        </div>
      </section>

      <section class="card">
        <CausePicker causes={loaded.causes} chosen={causes} toggle={(slug, on) => setCauses((c) => toggleIn(c, slug, on))} />
      </section>

      <section class="card">
        <h2>{t("volunteer.welcome.where")}</h2>
        <div class="v-field">
          <label for="v-city">{t("volunteer.welcome.city")}</label>
          <input id="v-city" type="text" autoComplete="address-level2" value={city}
            onInput={(e) => setCity((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="v-row">
          <div class="v-field">
            <label for="v-lat">{t("volunteer.welcome.lat")}</label>
            <input id="v-lat" type="text" inputMode="decimal" value={lat}
              onInput={(e) => setLat((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="v-field">
            <label for="v-lng">{t("volunteer.welcome.lng")}</label>
            <input id="v-lng" type="text" inputMode="decimal" value={lng}
              onInput={(e) => setLng((e.currentTarget as HTMLInputElement).value)} />
          </div>
        </div>
        <p class="meta">{t("volunteer.welcome.coarse")}</p>
        {"geolocation" in navigator && (
          <button type="button" class="button button-quiet" onClick={here} disabled={locating}>
            {locating ? t("common.loading") : t("volunteer.welcome.locate")}
          </button>
        )}
        <div class="v-field">
          <label for="v-radius">{t("volunteer.welcome.radius")}</label>
          <input id="v-radius" type="number" min={1} max={500} step={1} value={radius}
            onInput={(e) => setRadius((e.currentTarget as HTMLInputElement).value)} />
        </div>
      </section>

      <section class="card">
        <fieldset class="v-fieldset">
          <legend>{t("volunteer.welcome.availability")}</legend>
          <ul class="v-checks v-checks-grid">
            {AVAILABILITY_PARTS.map((part) => (
              <li key={part}>
                <label>
                  <input type="checkbox" checked={parts.has(part)}
                    onChange={(e) => {
                      const on = (e.currentTarget as HTMLInputElement).checked;
                      setParts((p) => toggleIn(p, part, on));
                    }} />{" "}
                  {t(`volunteer.part.${part}` as MessageKey)}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <div class="v-field">
          <label for="v-hours">{t("volunteer.welcome.hours")}</label>
          <input id="v-hours" type="number" min={0} max={744} step={1} value={hours}
            onInput={(e) => setHours((e.currentTarget as HTMLInputElement).value)} />
        </div>
      </section>

      <section class="card">
        <h2>{t("volunteer.welcome.privacy")}</h2>
        <label class="v-check">
          <input type="checkbox" checked={findable} aria-describedby="v-findable-hint"
            onChange={(e) => setFindable((e.currentTarget as HTMLInputElement).checked)} />{" "}
          {t("volunteer.welcome.findable")}
        </label>
        <p id="v-findable-hint" class="meta">{t("volunteer.welcome.findableHint")}</p>
        <label class="v-check">
          <input type="checkbox" checked={sharing} aria-describedby="v-sharing-hint"
            onChange={(e) => setSharing((e.currentTarget as HTMLInputElement).checked)} />{" "}
          {t("volunteer.welcome.shareJoins")}
        </label>
        <p id="v-sharing-hint" class="meta">{t("volunteer.welcome.shareJoinsHint")}</p>
      </section>

      {error && <ErrorBox error={error} />}
      <div class="v-actions">
        <button type="submit" class="button" disabled={saving}>
          {saving ? t("volunteer.welcome.saving") : t("volunteer.welcome.save")}
        </button>
        <p role="status" class="v-saved">
          {saved && (
            <>
              {t("volunteer.welcome.saved")} <a href="/find/recommended">{t("volunteer.welcome.next")}</a>
            </>
          )}
        </p>
      </div>
    </form>
  );
}

export function WelcomePage() {
  useLocale();
  const [state, reload] = useLoad(loadAll, []);
  return (
    <section>
      <PageTitle>{t("volunteer.welcome.title")}</PageTitle>
      <p class="v-lead">{t("volunteer.welcome.lead")}</p>
      {state.status === "loading" && <Loading />}
      {state.status === "error" && <ErrorBox error={state.error} retry={reload} />}
      {state.status === "ok" && <OnboardingForm loaded={state.value} />}
      <ShareLink />
    </section>
  );
}
