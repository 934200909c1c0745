// Recommended opportunities (/find/recommended, GET /opportunities/recommended): best first,
// each with its "why" (the sentence) and the reasons that scored.
import { ListState, MoreButton, PageTitle } from "../../components";
import { partyPath } from "../../format";
import { useLoad, useLocale, usePaged } from "../../hooks";
import { t, type MessageKey } from "../../i18n";
import { tagLabel } from "../../profile";
import { causeNames, volunteerApi, type Recommended } from "./data";
import { Commitment, partWords } from "./find";
import { opportunityPath, termWords, type Words } from "./logic";
import "./volunteer.css";

type Names = Record<string, string>;

function listWords(list: NonNullable<Words["list"]>, names: Names): string {
  const words = list.items.map((item) => {
    if (list.kind === "skills") return tagLabel(item);
    return list.kind === "causes" ? (names[item] ?? item) : partWords(item);
  });
  return words.join(", ");
}

/** The reasons that scored, each in the person's language (orgs' sentence for one unknown). */
function reasonsOf(item: Recommended, names: Names): string[] {
  return item.terms
    .filter((term) => term.points > 0)
    .map((term) => {
      const words = termWords(term, item.remote);
      if (!words) return term.sentence;
      const values: Record<string, string | number> = { ...words.values };
      if (words.list) values.list = listWords(words.list, names);
      return t(words.key as MessageKey, values);
    })
    .filter(Boolean);
}

function RecommendedCard({ item, names }: { item: Recommended; names: Names }) {
  const orgPath = partyPath("org", item.org_id);
  const reasons = reasonsOf(item, names);
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
      {(reasons.length > 0 || item.why) && (
        <p class="v-why">
          <strong>{t("volunteer.recommended.why")}</strong> {reasons.length ? reasons.join(" · ") : item.why}
        </p>
      )}
    </li>
  );
}

export function RecommendedPage() {
  useLocale();
  const paged = usePaged((cursor) => volunteerApi.recommended(cursor), []);
  const { first, reload, items } = paged;
  const [causes] = useLoad(() => causeNames(), []);
  const names: Names = causes.status === "ok" ? causes.value : {};
  return (
    <section>
      <PageTitle>{t("volunteer.recommended.title")}</PageTitle>
      <p>
        {t("volunteer.recommended.lead")} <a href="/welcome">{t("volunteer.recommended.profile")}</a>
      </p>
      <ListState state={first} count={items.length} reload={reload} empty={t("volunteer.recommended.empty")} />
      <ul class="v-results">
        {items.map((item) => (
          <RecommendedCard key={item.id} item={item} names={names} />
        ))}
      </ul>
      <MoreButton paged={paged} />
      <p>
        <a href="/find">{t("volunteer.recommended.search")}</a>
      </p>
    </section>
  );
}
