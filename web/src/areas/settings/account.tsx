// My data (GET /users/me/export saved as a JSON file) and deleting my account (DELETE
// /users/me after a confirmation; then signed out, on the sign-in page).
import { useEffect, useRef, useState } from "preact/hooks";
import { session } from "../../auth";
import { ErrorBox } from "../../components";
import { t } from "../../i18n";
import { live } from "../../live";
import { navigate } from "../../router";
import { downloadExport, settingsApi } from "./api";
import { exportName } from "./logic";
import { Section, checkedOf } from "./parts";

export function DataSection() {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const download = async () => {
    setBusy(true);
    setDone(null);
    setError(null);
    const name = exportName();
    try {
      await downloadExport(name);
      setDone(name);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section id="data" title="settings.data.title">
      <p>{t("settings.data.lead")}</p>
      <div class="s-actions">
        <button type="button" class="button button-quiet" disabled={busy} onClick={() => void download()}>
          {t("settings.data.download")}
        </button>
        <p role="status" class="s-saved">
          {done && t("settings.data.downloaded", { name: done })}
        </p>
      </div>
      {error && <ErrorBox error={error} />}
      <p class="meta">
        {t("settings.data.record")} <a href="/my/record">{t("settings.data.recordLink")}</a>
      </p>
    </Section>
  );
}

export function DeleteSection() {
  const [asking, setAsking] = useState(false);
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) heading.current?.focus();
  }, [asking]);
  const cancel = () => {
    setAsking(false);
    setUnderstood(false);
    setError(null);
    window.setTimeout(() => opener.current?.focus(), 0);
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    live.stop(); // the stream and the unread count would ask with a token about to die
    try {
      await settingsApi.deleteMe();
    } catch (failure) {
      setError(failure as Error);
      setBusy(false);
      void live.start();
      return;
    }
    await session.logout().catch(() => undefined); // clears the cookie; the session is signed out
    navigate("/signin", true);
  };
  return (
    <Section id="delete" title="settings.delete.title">
      <p>{t("settings.delete.lead")}</p>
      {!asking && (
        <button ref={opener} type="button" class="button s-danger-quiet"
          onClick={() => setAsking(true)}>
          {t("settings.delete.start")}
        </button>
      )}
      {asking && (
        <div id="s-delete-confirm" class="s-confirm" role="group" aria-labelledby="s-delete-confirm-title">
          <h3 id="s-delete-confirm-title" ref={heading} tabIndex={-1} class="s-confirm-title">
            {t("settings.delete.confirmTitle")}
          </h3>
          <ul>
            <li>{t("settings.delete.what1")}</li>
            <li>{t("settings.delete.what2")}</li>
            <li>{t("settings.delete.what3")}</li>
          </ul>
          <label class="s-choice">
            <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(checkedOf(e))} />{" "}
            {t("settings.delete.understand")}
          </label>
          {error && <ErrorBox error={error} />}
          <div class="s-actions">
            <button type="button" class="button s-danger" disabled={!understood || busy} onClick={() => void remove()}>
              {busy ? t("settings.delete.deleting") : t("settings.delete.confirm")}
            </button>
            <button type="button" class="button button-quiet" disabled={busy} onClick={cancel}>
              {t("settings.delete.cancel")}
            </button>
          </div>
        </div>
      )}
    </Section>
  );
}
