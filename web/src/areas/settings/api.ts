// The settings area's API: identity's own profile (GET/PATCH/DELETE /users/me, GET
// /users/me/export) and the notifier's preferences (GET/PUT /notifications/preferences), the
// shapes as their OpenAPI documents give them, all through `api` (the gateway, the token in memory).
import { api } from "../../api";
import { downloadFrom } from "../../download";

export type Visibility = "public" | "followers" | "private";
export type Digest = "daily" | "weekly" | "never";

export interface Location {
  city?: string | null;
  lat?: number | null;
  lng?: number | null;
}

export interface Availability {
  parts: string[];
  hours_per_month?: number | null;
}

/** identity's PrivateProfile (GET /users/me). */
export interface MyProfile {
  id: string;
  display_name: string;
  picture_url?: string | null;
  visibility: Visibility;
  bio?: string | null;
  skills: string[];
  interests: string[];
  languages: string[];
  location?: Location | null;
  availability?: Availability | null;
  email?: string | null;
  findable: boolean;
  radius_km: number;
  created_at: string;
}

/** identity's ProfilePatch: only the fields sent change; null clears an optional one. */
export interface ProfilePatch {
  display_name?: string;
  bio?: string | null;
  skills?: string[];
  interests?: string[];
  languages?: string[];
  location?: Location | null;
  availability?: Availability | null;
  visibility?: Visibility;
  findable?: boolean;
  radius_km?: number;
}

/** Where one kind of notification reaches the person (`facebook` for joins only). */
export interface Channels {
  in_app: boolean;
  email: boolean;
  facebook?: boolean | null;
}

export interface QuietHours {
  start: string;
  end: string;
  time_zone: string;
}

/** The notifier's PreferencesOut (defaults filled in). */
export interface Preferences {
  kinds: Record<string, Channels>;
  digest: Digest;
  quiet_hours?: QuietHours | null;
  email_stopped?: string | null;
}

/** The notifier's PreferencesIn: only what it names changes. */
export interface PreferencesChange {
  kinds?: Record<string, Partial<Channels>>;
  digest?: Digest;
  quiet_hours?: QuietHours | null;
}

export const settingsApi = {
  me: () => api.get<MyProfile>("/users/me"),
  saveMe: (patch: ProfilePatch) => api.request<MyProfile>("/users/me", { method: "PATCH", body: patch }),
  deleteMe: () => api.request<void>("/users/me", { method: "DELETE" }),
  preferences: () => api.get<Preferences>("/notifications/preferences"),
  savePreferences: (change: PreferencesChange) =>
    api.request<Preferences>("/notifications/preferences", { method: "PUT", body: change }),
};

/** GET /users/me/export handed to the browser as a JSON file. */
export const downloadExport = (filename: string) => downloadFrom("/users/me/export", filename);
