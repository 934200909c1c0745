// What the settings sections share: a save in progress (busy, saved, nothing to save, the
// error) and the save button with its status line.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ErrorBox } from "../../components";
import { t, type MessageKey } from "../../i18n";

export type Outcome = "saved" | "unchanged";

export interface Saving {
  busy: boolean;
  outcome: Outcome | null;
  error: Error | null;
  /** Runs `work`; its answer says whether anything was saved. */
  run: (work: () => Promise<Outcome>) => Promise<void>;
  /** The form changed: the last outcome no longer holds. */
  touch: () => void;
}

export function useSaving(): Saving {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<Error | null>(null);
  return {
    busy,
    outcome,
    error,
    run: async (work) => {
      setBusy(true);
      setOutcome(null);
      setError(null);
      try {
        setOutcome(await work());
      } catch (failure) {
        setError(failure as Error);
      } finally {
        setBusy(false);
      }
    },
    touch: () => {
      setOutcome(null);
      setError(null);
    },
  };
}

export function SaveBar({ saving, label }: { saving: Saving; label: MessageKey }) {
  return (
    <>
      {saving.error && <ErrorBox error={saving.error} />}
      <div class="s-actions">
        <button type="submit" class="button" disabled={saving.busy}>
          {saving.busy ? t("settings.saving") : t(label)}
        </button>
        <p role="status" class="s-saved">
          {saving.outcome === "saved" && t("settings.saved")}
          {saving.outcome === "unchanged" && t("settings.unchanged")}
        </p>
      </div>
    </>
  );
}

/** A section of the settings page: a card with its h2 (the target of the page's contents). */
export function Section({ id, title, children }: { id: string; title: MessageKey; children: ComponentChildren }) {
  return (
    <section id={id} class="card s-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="section-title">
        {t(title)}
      </h2>
      {children}
    </section>
  );
}

/** The value of an input or select that fired `event`. */
export const valueOf = (event: Event) => (event.currentTarget as HTMLInputElement).value;
export const checkedOf = (event: Event) => (event.currentTarget as HTMLInputElement).checked;
