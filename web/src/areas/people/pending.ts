// The follow requests I sent, as this browser remembers them: identity answers "requested" to
// the PUT that asks, but lists no one's outgoing requests, so the requester's "Requested" after
// a reload comes from here (localStorage, per account: ids only, no names). Following (read
// from the API) always wins over it; withdrawing or being accepted clears it.
import { parsePending, withPending } from "./logic";

const key = (myId: string) => `jumo.people.requested.${myId}`;

function read(myId: string): string[] {
  try {
    return parsePending(window.localStorage.getItem(key(myId)));
  } catch {
    return [];
  }
}

function write(myId: string, ids: string[]): void {
  try {
    if (ids.length) window.localStorage.setItem(key(myId), JSON.stringify(ids));
    else window.localStorage.removeItem(key(myId));
  } catch {
    // private mode: remembered for this page only (the API's answer is shown anyway)
  }
}

/** The people this browser remembers my asking to follow, newest first. */
export function pendingOf(myId: string): string[] {
  return read(myId);
}

/** Whether this browser remembers my asking to follow `id`. */
export function isPending(myId: string, id: string): boolean {
  return read(myId).includes(id);
}

/** Remember (or forget) my asking to follow `id`. */
export function setPending(myId: string, id: string, on: boolean): void {
  const ids = read(myId);
  if (ids.includes(id) === on) return;
  write(myId, withPending(ids, id, on));
}
