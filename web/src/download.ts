// A download of an API answer that needs the token (so not a plain link): fetched, then
// handed to the browser as a file through a short-lived object URL.
import { api } from "./api";

export async function downloadFrom(path: string, filename: string, accept = "application/json"): Promise<void> {
  const answer = await api.response(path, { headers: { Accept: accept } });
  const blob = await answer.blob();
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = filename;
  anchor.rel = "noopener";
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
