// The profile (display name, about, skills, interests, languages, where, availability) and the
// privacy (who sees the full profile, whether organizations may find me): PATCH /users/me
// with only what changed.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { t, type MessageKey } from "../../i18n";
import { AVAILABILITY_PARTS } from "../../profile";
import { settingsApi, type MyProfile, type Visibility } from "./api";
import { isEmpty, profileFormOf, profilePatch, type ProfileForm } from "./logic";
import { SaveBar, Section, checkedOf, useSaving, valueOf } from "./parts";

function Field({
  id,
  label,
  hint,
  children,
}: {
  id: string;
  label: MessageKey;
  hint?: MessageKey;
  children: (describedBy: string | undefined) => JSX.Element;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div class="s-field">
      <label for={id}>{t(label)}</label>
      {children(hintId)}
      {hint && (
        <p id={hintId} class="meta">
          {t(hint)}
        </p>
      )}
    </div>
  );
}

export function ProfileSection({ profile }: { profile: MyProfile }) {
  const [baseline, setBaseline] = useState(() => profileFormOf(profile));
  const [form, setForm] = useState(baseline);
  const saving = useSaving();
  const set = <K extends keyof ProfileForm>(key: K, value: ProfileForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    saving.touch();
  };
  const text = (key: keyof ProfileForm) => (e: Event) => set(key, valueOf(e));
  const submit = (event: Event) => {
    event.preventDefault();
    void saving.run(async () => {
      const patch = profilePatch(baseline, form);
      if (isEmpty(patch)) return "unchanged";
      const saved = profileFormOf(await settingsApi.saveMe(patch));
      setBaseline(saved);
      setForm(saved);
      return "saved";
    });
  };
  return (
    <Section id="profile" title="settings.profile.title">
      {profile.email && <p class="meta s-email">{t("settings.profile.email", { email: profile.email })}</p>}
      <form class="s-form" onSubmit={submit}>
        <Field id="s-name" label="settings.profile.displayName">
          {() => (
            <input id="s-name" type="text" required maxLength={100} autoComplete="name" value={form.displayName}
              onInput={text("displayName")} />
          )}
        </Field>
        <Field id="s-bio" label="settings.profile.bio" hint="settings.profile.bioHint">
          {(hint) => (
            <textarea id="s-bio" rows={4} maxLength={500} aria-describedby={hint} value={form.bio}
              onInput={text("bio")} />
          )}
        </Field>
        <Field id="s-skills" label="settings.profile.skills" hint="settings.profile.tagsHint">
          {(hint) => <input id="s-skills" type="text" aria-describedby={hint} value={form.skills} onInput={text("skills")} />}
        </Field>
        <Field id="s-interests" label="settings.profile.interests" hint="settings.profile.tagsHint">
          {(hint) => (
            <input id="s-interests" type="text" aria-describedby={hint} value={form.interests} onInput={text("interests")} />
          )}
        </Field>
        <Field id="s-languages" label="settings.profile.languages" hint="settings.profile.languagesHint">
          {(hint) => (
            <input id="s-languages" type="text" aria-describedby={hint} autoCapitalize="none" value={form.languages}
              onInput={text("languages")} />
          )}
        </Field>

        <fieldset class="s-fieldset">
          <legend>{t("settings.profile.where")}</legend>
          <Field id="s-city" label="settings.profile.city">
            {() => (
              <input id="s-city" type="text" maxLength={100} autoComplete="address-level2" value={form.city}
                onInput={text("city")} />
            )}
          </Field>
          <div class="s-row">
            <Field id="s-lat" label="settings.profile.lat">
              {() => <input id="s-lat" type="text" inputMode="decimal" value={form.lat} onInput={text("lat")} />}
            </Field>
            <Field id="s-lng" label="settings.profile.lng">
              {() => <input id="s-lng" type="text" inputMode="decimal" value={form.lng} onInput={text("lng")} />}
            </Field>
          </div>
          <p class="meta s-note">{t("settings.profile.coarse")}</p>
          <Field id="s-radius" label="settings.profile.radius">
            {() => (
              <input id="s-radius" type="number" min={1} max={500} step={1} value={form.radius} onInput={text("radius")} />
            )}
          </Field>
        </fieldset>

        <fieldset class="s-fieldset">
          <legend>{t("settings.profile.availability")}</legend>
          <ul class="s-checks s-checks-grid">
            {AVAILABILITY_PARTS.map((part) => (
              <li key={part}>
                <label>
                  <input type="checkbox" checked={form.parts.includes(part)}
                    onChange={(e) => {
                      const on = checkedOf(e);
                      set("parts", on ? [...form.parts, part] : form.parts.filter((p) => p !== part));
                    }} />{" "}
                  {t(`settings.part.${part}` as MessageKey)}
                </label>
              </li>
            ))}
          </ul>
          <Field id="s-hours" label="settings.profile.hours">
            {() => <input id="s-hours" type="number" min={0} max={744} step={1} value={form.hours} onInput={text("hours")} />}
          </Field>
        </fieldset>
        <SaveBar saving={saving} label="settings.profile.save" />
      </form>
    </Section>
  );
}

const VISIBILITIES: readonly Visibility[] = ["public", "followers", "private"];

export function PrivacySection({ profile }: { profile: MyProfile }) {
  const [baseline, setBaseline] = useState({ visibility: profile.visibility, findable: profile.findable });
  const [visibility, setVisibility] = useState(profile.visibility);
  const [findable, setFindable] = useState(profile.findable);
  const saving = useSaving();
  const submit = (event: Event) => {
    event.preventDefault();
    void saving.run(async () => {
      const patch = {
        ...(visibility !== baseline.visibility ? { visibility } : {}),
        ...(findable !== baseline.findable ? { findable } : {}),
      };
      if (isEmpty(patch)) return "unchanged";
      const saved = await settingsApi.saveMe(patch);
      setBaseline({ visibility: saved.visibility, findable: saved.findable });
      setVisibility(saved.visibility);
      setFindable(saved.findable);
      return "saved";
    });
  };
  return (
    <Section id="privacy" title="settings.privacy.title">
      <form class="s-form" onSubmit={submit}>
        <fieldset class="s-fieldset">
          <legend>{t("settings.privacy.visibility")}</legend>
          <ul class="s-checks">
            {VISIBILITIES.map((v) => (
              <li key={v}>
                <label class="s-choice">
                  <input type="radio" name="s-visibility" value={v} checked={visibility === v}
                    aria-describedby={`s-visibility-${v}-hint`}
                    onChange={() => {
                      setVisibility(v);
                      saving.touch();
                    }} />{" "}
                  {t(`settings.privacy.${v}` as MessageKey)}
                </label>
                <p id={`s-visibility-${v}-hint`} class="meta s-hint">
                  {t(`settings.privacy.${v}Hint` as MessageKey)}
                </p>
              </li>
            ))}
          </ul>
        </fieldset>
        <label class="s-choice">
          <input type="checkbox" checked={findable} aria-describedby="s-findable-hint"
            onChange={(e) => {
              setFindable(checkedOf(e));
              saving.touch();
            }} />
{" "}
          {t("settings.privacy.findable")}
        </label>
        <p id="s-findable-hint" class="meta s-hint">
          {t("settings.privacy.findableHint")}
        </p>
        <SaveBar saving={saving} label="settings.privacy.save" />
      </form>
    </Section>
  );
}
