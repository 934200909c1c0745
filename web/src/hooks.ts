// Hooks that tie the small stores (locale, session, live) to Preact components.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, appendPage, type Page } from "./api";
import { getLocale, onLocale, type Locale } from "./i18n";
import { live } from "./live";
import { session, type AuthState } from "./auth";

export function useLocale(): Locale {
  const [locale, setLocale] = useState(getLocale());
  useEffect(() => onLocale(setLocale), []);
  return locale;
}

export function useAuth(): AuthState {
  const [state, setState] = useState(session.state);
  useEffect(() => {
    setState(session.state);
    return session.onChange(setState);
  }, []);
  return state;
}

export function useLive(): typeof live {
  const [, tick] = useState(0);
  useEffect(() => live.subscribe(() => tick((n) => n + 1)), []);
  return live;
}

export type Loaded<T> =
  | { status: "loading" }
  | { status: "ok"; value: T }
  | { status: "error"; error: ApiError | Error };

/** Runs `load` when `key` changes; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, key: unknown[]): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let alive = true;
    setState({ status: "loading" });
    load().then(
      (value) => alive && setState({ status: "ok", value }),
      (error: Error) => alive && setState({ status: "error", error }),
    );
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...key, round]);
  return [state, () => setRound((n) => n + 1)];
}

/** Runs one action at a time: `busy` while it runs; `run` answers whether it succeeded, and
 * a failure is kept in `error` (cleared when the next action starts) for the page to show. */
export function useAction(): {
  busy: boolean;
  error: Error | null;
  run: (action: () => Promise<unknown>) => Promise<boolean>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** A list read page by page: `first` is the first page (loaded again when `key` changes),
 * `items` what is shown, `more.load()` appends the next page (shown by <MoreButton>), and
 * `setItems` changes items in place. A page that arrives after `key` changed is dropped. */
export interface Paged<T, P> {
  first: Loaded<P>;
  reload: () => void;
  items: T[];
  setItems: (update: (items: T[]) => T[]) => void;
  next: string | null;
  more: { busy: boolean; error: Error | null; load: () => Promise<boolean> };
}

export function usePaged<P extends Page<{ id: string }>>(
  load: (cursor: string | null) => Promise<P>,
  key: unknown[],
): Paged<P["items"][number], P> {
  type T = P["items"][number];
  const [first, reload] = useLoad(() => load(null), key);
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const round = useRef(0);
  const paging = useAction();
  useEffect(() => {
    round.current += 1;
    if (first.status === "ok") {
      setItems(first.value.items);
      setNext(first.value.next_cursor);
    }
  }, [first]);
  const loadMore = () => {
    const asked = round.current;
    return paging.run(async () => {
      if (!next) return;
      const page = await load(next);
      if (asked !== round.current) return;
      setItems((old) => appendPage(old, page.items));
      setNext(page.next_cursor);
    });
  };
  return { first, reload, items, setItems, next, more: { busy: paging.busy, error: paging.error, load: loadMore } };
}
