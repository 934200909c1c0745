// Search (/find): opportunities (GET /opportunities) or organizations (GET /orgs) by words,
// cause, skills, distance from the person's location, remote or on site, dates and their
// availability; each result with why it matched and its distance; cursor pages ("Show more").
// The filters live in the address (replaceState: a reload or a shared link gives them back).
import { useState } from "preact/hooks";
import type { Page } from "../../api";
import { ErrorBox, Loading, MoreButton, PageTitle } from "../../components";
import { partyPath } from "../../format";
import { useLoad, useLocale, usePaged } from "../../hooks";
import { formatDate, formatNumber, t, type MessageKey } from "../../i18n";
import { AVAILABILITY_PARTS, tagLabel } from "../../profile";
import { volunteerApi, type CauseNode, type OpportunityHit, type OrgHit, type Profile } from "./data";
import {
  filtersFromSearch,
  filtersToSearch,
  opportunityQuery,
  orgQuery,
  SORTS,
  type FindFilters,
  type Point,
  type SortChoice,
} from "./filters";
import { opportunityPath, roundKm } from "./logic";
import "./volunteer.css";

type Hit = ({ kind: "opportunity" } & OpportunityHit) | ({ kind: "organization" } & OrgHit);

function profilePoint(profile: Profile | null): Point | null {
  const location = profile?.location;
  return typeof location?.lat === "number" && typeof location?.lng === "number"
    ? { lat: location.lat, lng: location.lng }
    : null;
}

function search(filters: FindFilters, point: Point | null, cursor?: string | null): Promise<Page<Hit>> {
  if (filters.kind === "organizations") {
    return volunteerApi.organizations(orgQuery(filters, point), cursor).then((page) => ({
      ...page,
      items: page.items.map((item) => ({ kind: "organization" as const, ...item })),
    }));
  }
  return volunteerApi.opportunities(opportunityQuery(filters, point), cursor).then((page) => ({
    ...page,
    items: page.items.map((item) => ({ kind: "opportunity" as const, ...item })),
  }));
}

export function Distance({ km }: { km: number | null | undefined }) {
  const locale = useLocale();
  if (typeof km !== "number") return null;
  const text = km < 1 ? t("volunteer.find.close") : t("volunteer.find.away", { km: formatNumber(locale, roundKm(km)) });
  return <span class="v-distance">{text}</span>;
}

type Names = Record<string, string>;

/** "weekend_mornings" → "weekend mornings" / "matins le week-end". */
export function partWords(part: string): string {
  const known = (AVAILABILITY_PARTS as readonly string[]).includes(part);
  return known ? t(`volunteer.part.${part}` as MessageKey).toLocaleLowerCase() : part;
}

interface WhyProps {
  words: Array<{ word: string }>;
  causes: string[];
  skills?: string[];
  fits?: string[];
  names: Names;
}

function Why({ words, causes, skills, fits, names }: WhyProps) {
  causes = causes.map((slug) => names[slug] ?? slug);
  const parts = [
    ...(words.length ? [t("volunteer.find.whyWords", { words: words.map((w) => w.word).join(", ") })] : []),
    ...(causes.length ? [t("volunteer.find.whyCauses", { causes: causes.join(", ") })] : []),
    ...(skills?.length ? [t("volunteer.find.whySkills", { skills: skills.map(tagLabel).join(", ") })] : []),
    ...(fits?.length ? [t("volunteer.find.whyFits", { fits: fits.map(partWords).join(", ") })] : []),
  ];
  if (!parts.length) return null;
  return (
    <ul class="reasons" aria-label={t("volunteer.find.why")}>
      {parts.map((part) => (
        <li key={part}>{part}</li>
      ))}
    </ul>
  );
}

export function Commitment({ kind }: { kind: string }) {
  const known = ["one_off", "recurring", "ongoing"].includes(kind);
  return <span class="tag">{known ? t(`volunteer.commitment.${kind}` as MessageKey) : kind}</span>;
}

function OpportunityCard({ hit, names }: { hit: OpportunityHit; names: Names }) {
  const locale = useLocale();
  const orgPath = partyPath("org", hit.org_id);
  return (
    <li class="card v-result">
      <h3 class="v-result-title">
        <a href={opportunityPath(hit.id)}>{hit.title}</a>
      </h3>
      <p class="meta">
        <Commitment kind={hit.commitment} /> {orgPath ? <a href={orgPath}>{hit.org_name}</a> : hit.org_name}
        {" · "}
        {hit.remote ? t("volunteer.find.remote") : [hit.city, hit.country].filter(Boolean).join(", ")}
        {hit.next_at && <> · {t("volunteer.find.next", { date: formatDate(locale, hit.next_at, true) })}</>}
        {" · "}
        {t("volunteer.find.places", { count: hit.places })} <Distance km={hit.why.distance_km} />
      </p>
      <Why words={hit.why.words} causes={hit.why.causes} skills={hit.why.skills} fits={hit.why.fits} names={names} />
    </li>
  );
}

function OrgCard({ hit, names }: { hit: OrgHit; names: Names }) {
  return (
    <li class="card v-result">
      <h3 class="v-result-title">
        <a href={partyPath("org", hit.id) ?? "#"}>{hit.name}</a>
      </h3>
      <p class="meta">
        {hit.verified && <span class="tag tag-verified">{t("org.verified")}</span>}{" "}
        {[hit.city, hit.country].filter(Boolean).join(", ")} <Distance km={hit.why.distance_km} />
      </p>
      {hit.mission && <p class="v-mission">{hit.mission}</p>}
      {hit.causes.length > 0 && (
        <p class="meta">{t("volunteer.find.orgCauses", { causes: hit.causes.map((c) => names[c] ?? c).join(", ") })}</p>
      )}
      <Why words={hit.why.words} causes={hit.why.causes} names={names} />
    </li>
  );
}

interface ResultsProps {
  filters: FindFilters;
  point: Point | null;
  names: Names;
  /** Bumped by each Search: the same filters are asked again. */
  round: number;
}

function Results({ filters, point, names, round }: ResultsProps) {
  const paged = usePaged((cursor) => search(filters, point, cursor), [filtersToSearch(filters), point?.lat, point?.lng, round]);
  const { first, reload, items, next } = paged;
  if (first.status === "loading") return <Loading />;
  if (first.status === "error") return <ErrorBox error={first.error} retry={reload} />;
  return (
    <section aria-labelledby="v-results-title">
      <h2 id="v-results-title" class="section-title">
        {t("volunteer.find.results")}
      </h2>
      {first.value.capped === true && <p class="meta">{t("volunteer.find.capped")}</p>}
      <p role="status" class="meta">
        {items.length
          ? t(next ? "volunteer.find.shownMore" : "volunteer.find.shown", { count: items.length })
          : t("volunteer.find.none")}
      </p>
      <ul class="v-results">
        {items.map((hit) =>
          hit.kind === "opportunity" ? (
            <OpportunityCard key={hit.id} hit={hit} names={names} />
          ) : (
            <OrgCard key={hit.id} hit={hit} names={names} />
          ),
        )}
      </ul>
      <MoreButton paged={paged} />
    </section>
  );
}

function causeOptions(tree: CauseNode[]) {
  return tree.map((group) => (
    <optgroup key={group.slug} label={group.name}>
      <option value={group.slug}>{t("volunteer.welcome.allOf", { name: group.name })}</option>
      {group.children.map((c) => (
        <option key={c.slug} value={c.slug}>
          {c.name}
        </option>
      ))}
    </optgroup>
  ));
}

export function FindPage() {
  useLocale();
  const [draft, setDraft] = useState<FindFilters>(() => filtersFromSearch(window.location.search));
  const [applied, setApplied] = useState<FindFilters>(draft);
  const [round, setRound] = useState(0); // each Search asks again, even with the same filters
  // The less used filters fold away (a phone's screen), open when the address sets one.
  const [more, setMore] = useState(
    () => Boolean(draft.skills || draft.remote || draft.from || draft.to || draft.available || draft.sort),
  );
  const [context] = useLoad(
    () => Promise.all([volunteerApi.causes().then((c) => c.items), volunteerApi.me()]),
    [],
  );
  const tree = context.status === "ok" ? context.value[0] : [];
  const point = context.status === "ok" ? profilePoint(context.value[1]) : null;
  const names: Names = Object.fromEntries(tree.flatMap((g) => [g, ...g.children]).map((c) => [c.slug, c.name]));
  const set = <K extends keyof FindFilters>(key: K, value: FindFilters[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (event: Event) => {
    event.preventDefault();
    window.history.replaceState(null, "", `/find${filtersToSearch(draft)}`);
    setApplied({ ...draft });
    setRound((n) => n + 1);
  };
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  const checked = (e: Event) => (e.currentTarget as HTMLInputElement).checked;
  const opportunities = draft.kind === "opportunities";
  return (
    <section>
      <PageTitle>{t("volunteer.find.title")}</PageTitle>
      <p>
        <a href="/find/recommended">{t("volunteer.find.recommendedLink")}</a>
      </p>
      <form class="card v-form v-filters" role="search" aria-label={t("volunteer.find.filters")} onSubmit={submit}>
        <fieldset class="v-fieldset v-kind">
          <legend>{t("volunteer.find.kind")}</legend>
          {(["opportunities", "organizations"] as const).map((kind) => (
            <label key={kind} class="v-check">
              <input type="radio" name="kind" value={kind} checked={draft.kind === kind}
                onChange={() => set("kind", kind)} />{" "}
              {t(`volunteer.find.kind.${kind}`)}
            </label>
          ))}
        </fieldset>
        <div class="v-field">
          <label for="v-q">{t("volunteer.find.q")}</label>
          <input id="v-q" type="search" value={draft.q} maxLength={200} onInput={(e) => set("q", value(e))} />
        </div>
        <div class="v-row">
          <div class="v-field">
            <label for="v-cause">{t("volunteer.find.cause")}</label>
            <select id="v-cause" value={draft.cause} onChange={(e) => set("cause", value(e))}>
              <option value="">{t("volunteer.find.anyCause")}</option>
              {causeOptions(tree)}
            </select>
          </div>
        </div>
        <div class="v-row">
          <div class="v-field">
            <label class="v-check">
              <input type="checkbox" checked={draft.nearMe} disabled={!point} aria-describedby="v-near-hint"
                onChange={(e) => set("nearMe", checked(e))} />{" "}
              {t("volunteer.find.nearMe")}
            </label>
            <p id="v-near-hint" class="meta">
              {point ? (
                context.status === "ok" && (context.value[1].location?.city ?? `${point.lat}, ${point.lng}`)
              ) : (
                <a href="/welcome">{t("volunteer.find.noLocation")}</a>
              )}
            </p>
          </div>
          <div class="v-field">
            <label for="v-fradius">{t("volunteer.find.radius")}</label>
            <input id="v-fradius" type="number" min={1} max={500} value={draft.radius} disabled={!draft.nearMe}
              placeholder="25" onInput={(e) => set("radius", value(e))} />
          </div>
        </div>
        <details class="v-more" open={more} onToggle={(e) => setMore((e.currentTarget as HTMLDetailsElement).open)}>
          <summary>{t(opportunities ? "volunteer.find.more" : "volunteer.find.moreOrgs")}</summary>
        {opportunities && (
          <>
            <div class="v-field">
              <label for="v-fskills">{t("volunteer.find.skills")}</label>
              <input id="v-fskills" type="text" value={draft.skills} aria-describedby="v-fskills-hint"
                onInput={(e) => set("skills", value(e))} />
              <p id="v-fskills-hint" class="meta">{t("volunteer.welcome.tagsHint")}</p>
            </div>
            <div class="v-row">
              <div class="v-field">
                <label for="v-remote">{t("volunteer.find.where")}</label>
                <select id="v-remote" value={draft.remote}
                  onChange={(e) => set("remote", value(e) as FindFilters["remote"])}>
                  <option value="">{t("volunteer.find.where.any")}</option>
                  <option value="remote">{t("volunteer.find.where.remote")}</option>
                  <option value="onsite">{t("volunteer.find.where.onsite")}</option>
                </select>
              </div>
              <div class="v-field">
                <label for="v-from">{t("volunteer.find.from")}</label>
                <input id="v-from" type="date" value={draft.from} onInput={(e) => set("from", value(e))} />
              </div>
              <div class="v-field">
                <label for="v-to">{t("volunteer.find.to")}</label>
                <input id="v-to" type="date" value={draft.to} onInput={(e) => set("to", value(e))} />
              </div>
            </div>
            <label class="v-check">
              <input type="checkbox" checked={draft.available} onChange={(e) => set("available", checked(e))} />{" "}
              {t("volunteer.find.available")}
            </label>
          </>
        )}
          <div class="v-field v-sort">
            <label for="v-sort">{t("volunteer.find.sort")}</label>
            <select id="v-sort" value={draft.sort} onChange={(e) => set("sort", value(e) as SortChoice)}>
              {SORTS[draft.kind].map((sort) => (
                <option key={sort} value={sort} disabled={sort === "distance" && !draft.nearMe}>
                  {t(`volunteer.find.sort.${sort || "default"}`)}
                </option>
              ))}
            </select>
          </div>
        </details>
        <div class="v-actions">
          <button type="submit" class="button v-search">
            {t("volunteer.find.search")}
          </button>
        </div>
      </form>
      {context.status === "error" && <ErrorBox error={context.error} />}
      {/* Without "near me" the search needs no profile: it starts at once, alongside it. */}
      {context.status === "loading" && applied.nearMe ? (
        <Loading />
      ) : (
        <Results filters={applied} point={applied.nearMe ? point : null} names={names} round={round} />
      )}
    </section>
  );
}
