// Notification preferences (the notifier's GET/PUT /notifications/preferences): each kind in
// the app and by email, the digest, quiet hours for email; and sharing one's joins on Facebook
// (the Facebook channel of the join kinds, off unless the person turns it on).
import { useEffect, useRef, useState } from "preact/hooks";
import { en } from "../../locales/en";
import { t, type MessageKey } from "../../i18n";
import { slugLabel } from "../../profile";
import { settingsApi, type Digest, type Preferences } from "./api";
import {
  DIGESTS,
  groupedKinds,
  isEmpty,
  notificationFormOf,
  preferencesChange,
  sharingChange,
  sharingOf,
  timeZones,
  type NotificationForm,
} from "./logic";
import { SaveBar, Section, checkedOf, useSaving, valueOf } from "./parts";

const CHANNELS = ["in_app", "email"] as const;

/** The browser's time zone, and every one it knows (for quiet hours). */
function browserZones(): { zone: string; zones: string[] } {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const supported = (Intl as unknown as { supportedValuesOf?: (what: string) => string[] }).supportedValuesOf;
  return { zone, zones: timeZones(supported ? supported("timeZone") : [], zone) };
}

function kindLabel(kind: string): string {
  const key = `settings.kind.${kind}`;
  return key in en ? t(key as MessageKey) : slugLabel(kind);
}

export function NotificationsSection({ prefs }: { prefs: Preferences }) {
  const [{ zone, zones }] = useState(browserZones);
  const [baseline, setBaseline] = useState(() => notificationFormOf(prefs, zone));
  const [form, setForm] = useState(baseline);
  const saving = useSaving();
  const change = (next: Partial<NotificationForm>) => {
    setForm((f) => ({ ...f, ...next }));
    saving.touch();
  };
  const tick = (kind: string, channel: (typeof CHANNELS)[number], on: boolean) =>
    change({ kinds: { ...form.kinds, [kind]: { ...form.kinds[kind], [channel]: on } } });
  const submit = (event: Event) => {
    event.preventDefault();
    void saving.run(async () => {
      const body = preferencesChange(baseline, form);
      if (isEmpty(body)) return "unchanged";
      const saved = notificationFormOf(await settingsApi.savePreferences(body), zone);
      setBaseline(saved);
      setForm(saved);
      return "saved";
    });
  };
  return (
    <Section id="notifications" title="settings.notifications.title">
      <p class="meta">{t("settings.notifications.lead")}</p>
      {prefs.email_stopped && (
        <p class="s-warning">{t("settings.notifications.emailStopped", { reason: prefs.email_stopped })}</p>
      )}
      <form class="s-form" onSubmit={submit}>
        <table class="s-kinds">
          <caption class="visually-hidden">{t("settings.notifications.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("settings.notifications.kind")}</th>
              {CHANNELS.map((channel) => (
                <th key={channel} scope="col" id={`s-col-${channel}`}>
                  {t(`settings.channel.${channel}` as MessageKey)}
                </th>
              ))}
            </tr>
          </thead>
          {groupedKinds(form.kinds).map(({ group, kinds }) => (
            <tbody key={group}>
              <tr>
                <th scope="rowgroup" colSpan={3} class="s-group">
                  {t(`settings.group.${group}` as MessageKey)}
                </th>
              </tr>
              {kinds.map((kind) => (
                <tr key={kind}>
                  <th scope="row" id={`s-kind-${kind}`}>
                    {kindLabel(kind)}
                  </th>
                  {CHANNELS.map((channel) => (
                    <td key={channel}>
                      <input type="checkbox" checked={form.kinds[kind][channel]}
                        aria-labelledby={`s-kind-${kind} s-col-${channel}`}
                        onChange={(e) => tick(kind, channel, checkedOf(e))} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          ))}
        </table>

        <div class="s-field">
          <label for="s-digest">{t("settings.notifications.digest")}</label>
          <select id="s-digest" value={form.digest} aria-describedby="s-digest-hint"
            onChange={(e) => change({ digest: valueOf(e) as Digest })}>
            {DIGESTS.map((d) => (
              <option key={d} value={d}>
                {t(`settings.digest.${d}` as MessageKey)}
              </option>
            ))}
          </select>
          <p id="s-digest-hint" class="meta">{t("settings.notifications.digestHint")}</p>
        </div>

        <fieldset class="s-fieldset">
          <legend>{t("settings.notifications.quietTitle")}</legend>
          <label class="s-choice">
            <input type="checkbox" checked={form.quiet} onChange={(e) => change({ quiet: checkedOf(e) })} />{" "}
            {t("settings.notifications.quiet")}
          </label>
          {form.quiet && (
            <div class="s-row">
              <div class="s-field">
                <label for="s-quiet-start">{t("settings.notifications.from")}</label>
                <input id="s-quiet-start" type="time" required value={form.start}
                  onInput={(e) => change({ start: valueOf(e) })} />
              </div>
              <div class="s-field">
                <label for="s-quiet-end">{t("settings.notifications.to")}</label>
                <input id="s-quiet-end" type="time" required value={form.end}
                  onInput={(e) => change({ end: valueOf(e) })} />
              </div>
              <div class="s-field s-wide">
                <label for="s-quiet-zone">{t("settings.notifications.zone")}</label>
                <select id="s-quiet-zone" value={form.zone} onChange={(e) => change({ zone: valueOf(e) })}>
                  {timeZones(zones, form.zone).map((z) => (
                    <option key={z} value={z}>
                      {z}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          )}
        </fieldset>
        <SaveBar saving={saving} label="settings.notifications.save" />
      </form>
    </Section>
  );
}

export function FacebookSection({ prefs }: { prefs: Preferences }) {
  const [state, setState] = useState(() => sharingOf(prefs.kinds));
  const [sharing, setSharing] = useState(state === "on");
  const [touched, setTouched] = useState(false);
  const box = useRef<HTMLInputElement>(null);
  const saving = useSaving();
  useEffect(() => {
    if (box.current) box.current.indeterminate = state === "partly" && !touched;
  }, [state, touched]);
  const submit = (event: Event) => {
    event.preventDefault();
    void saving.run(async () => {
      if (!touched || (sharing && state === "on") || (!sharing && state === "off")) return "unchanged";
      const saved = await settingsApi.savePreferences(sharingChange(sharing));
      const now = sharingOf(saved.kinds);
      setState(now);
      setSharing(now === "on");
      setTouched(false);
      return "saved";
    });
  };
  return (
    <Section id="facebook" title="settings.facebook.title">
      <form class="s-form" onSubmit={submit}>
        <label class="s-choice">
          <input ref={box} type="checkbox" checked={sharing} aria-describedby="s-facebook-hint"
            onChange={(e) => {
              setSharing(checkedOf(e));
              setTouched(true);
              saving.touch();
            }} />{" "}
          {t("settings.facebook.share")}
        </label>
        <p id="s-facebook-hint" class="meta s-hint">
          {t(state === "partly" ? "settings.facebook.partly" : "settings.facebook.hint")}
        </p>
        <SaveBar saving={saving} label="settings.facebook.save" />
      </form>
    </Section>
  );
}
