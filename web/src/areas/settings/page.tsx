// My settings (/settings): the profile, privacy, notifications, Facebook sharing, my data and
// deleting my account, one section each, with the page's contents on top. The profile and the
// preferences load apart: one service down leaves the other's sections usable.
import { ErrorBox, Loading, PageTitle } from "../../components";
import { useLoad, useLocale } from "../../hooks";
import { t, type MessageKey } from "../../i18n";
import { DataSection, DeleteSection } from "./account";
import { settingsApi } from "./api";
import { FacebookSection, NotificationsSection } from "./notifications";
import { PrivacySection, ProfileSection } from "./profile";
import "./settings.css";

const CONTENTS: Array<[string, MessageKey]> = [
  ["profile", "settings.profile.title"],
  ["privacy", "settings.privacy.title"],
  ["notifications", "settings.notifications.title"],
  ["facebook", "settings.facebook.title"],
  ["data", "settings.data.title"],
  ["delete", "settings.delete.title"],
];

export function SettingsPage() {
  useLocale();
  const [profile, reloadProfile] = useLoad(() => settingsApi.me(), []);
  const [prefs, reloadPrefs] = useLoad(() => settingsApi.preferences(), []);
  return (
    <div class="s-page">
      <PageTitle>{t("settings.title")}</PageTitle>
      <nav aria-label={t("settings.contents")} class="s-contents">
        <ul>
          {CONTENTS.map(([id, label]) => (
            <li key={id}>
              {/* In-page links: data-external keeps the router's hands off the #fragment. */}
              <a href={`#${id}`} data-external>
                {t(label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {profile.status === "loading" && <Loading />}
      {profile.status === "error" && <ErrorBox error={profile.error} retry={reloadProfile} />}
      {profile.status === "ok" && (
        <>
          <ProfileSection profile={profile.value} />
          <PrivacySection profile={profile.value} />
        </>
      )}
      {prefs.status === "loading" && profile.status !== "loading" && <Loading />}
      {prefs.status === "error" && <ErrorBox error={prefs.error} retry={reloadPrefs} />}
      {prefs.status === "ok" && (
        <>
          <NotificationsSection prefs={prefs.value} />
          <FacebookSection prefs={prefs.value} />
        </>
      )}
      <DataSection />
      <DeleteSection />
    </div>
  );
}
