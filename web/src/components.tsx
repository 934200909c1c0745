// Pieces every page uses: loading and error states, a page heading that takes focus.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "./api";
import type { Loaded, Paged } from "./hooks";
import { t } from "./i18n";
import { hasNavigated } from "./router";

export function Loading() {
  return (
    <p class="status" role="status" aria-live="polite">
      {t("common.loading")}
    </p>
  );
}

export function errorText(error: Error): string {
  if (error instanceof ApiError && error.status === 0) return t("common.offline");
  return t("common.error", { message: error.message });
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div class="error" role="alert">
      <p>{errorText(error)}</p>
      {retry && (
        <button type="button" class="button" onClick={retry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

/** What a page shows when its object did not load: for a 404, a "not found" card holding what
 * the page says about it (and where to go instead); for any other failure, the error and a retry. */
export function LoadFailed({
  error,
  retry,
  title,
  children,
}: {
  error: Error;
  retry: () => void;
  title?: string;
  children: ComponentChildren;
}) {
  if (error instanceof ApiError && error.status === 404) {
    return (
      <section class="card">
        <PageTitle>{title ?? t("notFound.title")}</PageTitle>
        {children}
      </section>
    );
  }
  return <ErrorBox error={error} retry={retry} />;
}

/** What a list shows instead of (or before) its items: loading, the error with a retry, or
 * `empty` when it loaded and holds nothing (`count` items). */
export function ListState({
  state,
  count,
  reload,
  empty,
}: {
  state: Loaded<unknown>;
  count: number;
  reload: () => void;
  empty?: ComponentChildren;
}) {
  if (state.status === "loading") return <Loading />;
  if (state.status === "error") return <ErrorBox error={state.error} retry={reload} />;
  return count === 0 && empty ? <p class="empty">{empty}</p> : null;
}

/** The page's h1; focused when the person navigated to this page (not on the first load, where
 * the browser's own order starts at the skip link), so keyboard and screen-reader users land
 * on the new page's title. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (hasNavigated()) ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} class="page-title">
      {children}
    </h1>
  );
}

/** "Show more" under a list read page by page (usePaged), and the error of the last try. The
 * button is never disabled while it works (that would drop the keyboard's focus): a click
 * then does nothing. */
export function MoreButton({ paged }: { paged: Pick<Paged<unknown, unknown>, "next" | "more"> }) {
  const { busy, error, load } = paged.more;
  return (
    <>
      {error && <ErrorBox error={error} />}
      {paged.next && (
        <button type="button" class="button button-quiet" aria-disabled={busy} onClick={() => !busy && void load()}>
          {busy ? t("common.loading") : t("common.more")}
        </button>
      )}
    </>
  );
}
