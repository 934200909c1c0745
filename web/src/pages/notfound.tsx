import { PageTitle } from "../components";
import { t } from "../i18n";

export function NotFoundPage() {
  return (
    <section class="card">
      <PageTitle>{t("notFound.title")}</PageTitle>
      <p>{t("notFound.body")}</p>
      <p>
        <a href="/">{t("notFound.home")}</a>
      </p>
    </section>
  );
}
