// Recommended opportunities (/find/recommended, GET /opportunities/recommended): best first,
// each with its "why" (the sentence) and the reasons that scored.
import { useEffect, useState } from "preact/hooks";
import { ErrorBox, Loading, PageTitle } from "../../components";
import { partyPath } from "../../format";
import { useLoad, useLocale } from "../../hooks";
import { t } from "../../i18n";
import { volunteerApi, type Recommended } from "./data";
import { Commitment } from "./find";
import { opportunityPath } from "./logic";
import "./volunteer.css";

function RecommendedCard({ item }: { item: Recommended }) {
  const orgPath = partyPath("org", item.org_id);
  const reasons = item.terms.filter((term) => term.points > 0 && term.sentence);
  return (
    <li class="card v-result">
      <h2 class="v-result-title">
        <a href={opportunityPath(item.id)}>{item.title}</a>
      </h2>
      <p class="meta">
        <Commitment kind={item.commitment} /> {orgPath ? <a href={orgPath}>{item.org_name}</a> : item.org_name}
        {" · "}
        {item.remote ? t("volunteer.find.remote") : item.city}
      </p>
      {item.why && (
        <p class="v-why">
          <strong>{t("volunteer.recommended.why")}</strong> {item.why}
        </p>
      )}
      {reasons.length > 1 && (
        <ul class="reasons" aria-label={t("volunteer.find.why")}>
          {reasons.map((term) => (
            <li key={term.name}>{term.sentence}</li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function RecommendedPage() {
  useLocale();
  const [items, setItems] = useState<Recommended[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [more, setMore] = useState<"idle" | "loading" | Error>("idle");
  const [first, reload] = useLoad(() => volunteerApi.recommended(), []);
  useEffect(() => {
    if (first.status === "ok") {
      setItems(first.value.items);
      setNext(first.value.next_cursor);
    }
  }, [first]);
  const loadMore = async () => {
    setMore("loading");
    try {
      const page = await volunteerApi.recommended(next);
      setItems((old) => [...old, ...page.items]);
      setNext(page.next_cursor);
      setMore("idle");
    } catch (error) {
      setMore(error as Error);
    }
  };
  return (
    <section>
      <PageTitle>{t("volunteer.recommended.title")}</PageTitle>
      <p>
        {t("volunteer.recommended.lead")} <a href="/welcome">{t("volunteer.recommended.profile")}</a>
      </p>
      {first.status === "loading" && <Loading />}
      {first.status === "error" && <ErrorBox error={first.error} retry={reload} />}
      {first.status === "ok" && !items.length && <p class="empty">{t("volunteer.recommended.empty")}</p>}
      <ul class="v-results">
        {items.map((item) => (
          <RecommendedCard key={item.id} item={item} />
        ))}
      </ul>
      {more instanceof Error && <ErrorBox error={more} />}
      {next && (
        <button type="button" class="button button-quiet" onClick={loadMore} disabled={more === "loading"}>
          {more === "loading" ? t("common.loading") : t("common.more")}
        </button>
      )}
      <p>
        <a href="/find">{t("volunteer.recommended.search")}</a>
      </p>
    </section>
  );
}
