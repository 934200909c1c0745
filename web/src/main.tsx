// The entry: locale, the API client on the session's token, a silent refresh, then the app.
import { render } from "preact";
import { api } from "./api";
import { App } from "./app";
import { session } from "./auth";
import { initLocale } from "./i18n";
import "./styles.css";

// Facebook's redirects end in "#_=_": drop it from the address the person sees and shares.
if (window.location.hash === "#_=_") {
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
}
initLocale();
api.useTokens({ token: () => session.token(), renew: () => session.refresh() });
render(<App />, document.getElementById("app")!);
void session.refresh();
