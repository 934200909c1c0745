// Signed out: what Jumo is, and "Continue with Facebook" (a plain link: the login is a
// sequence of redirects through identity and Facebook, back to the page the person wanted).
import { loginUrl } from "../auth";
import { PageTitle } from "../components";
import { t } from "../i18n";

export function SignInPage({ returnTo }: { returnTo: string }) {
  return (
    <section class="signin card">
      <PageTitle>{t("signin.title")}</PageTitle>
      <p class="lead">{t("signin.lead")}</p>
      <a class="button button-facebook" href={loginUrl(returnTo)} data-external>
        {t("signin.facebook")}
      </a>
      <p class="fine">{t("signin.privacy")}</p>
    </section>
  );
}
