// English: the source catalogue. Every key here must exist in fr.ts (TypeScript checks it).
// "{name}" is replaced by a value; an object picks a plural form by Intl.PluralRules.
import { en as community } from "../areas/community/messages";
import { en as organization } from "../areas/organization/messages";
import { en as people } from "../areas/people/messages";
import { en as settings } from "../areas/settings/messages";
import { en as volunteer } from "../areas/volunteer/messages";
import type { Message } from "./types";

export type { Message };

export const en = {
  ...volunteer,
  ...community,
  ...organization,
  ...people,
  ...settings,
  "app.name": "Jumo",
  "app.tagline": "Volunteers, friends and non-profits, together.",
  "app.skip": "Skip to content",
  "nav.main": "Main",
  "nav.feed": "Feed",
  "nav.notifications": "Notifications",
  "nav.signIn": "Sign in",
  "nav.signOut": "Sign out",
  "nav.menu": "Menu",
  "lang.label": "Language",
  "lang.en": "English",
  "lang.fr": "Français",
  "notifications.unread": { one: "{count} unread notification", other: "{count} unread notifications" },
  "signin.title": "Welcome to Jumo",
  "signin.lead": "Find where your help is needed, follow the organizations you care about, and see what your friends do.",
  "signin.facebook": "Continue with Facebook",
  "signin.privacy": "Jumo asks Facebook for your name, email and friends on Jumo. Nothing is posted without your consent.",
  "signin.failed": "Signing in did not work: {reason}",
  "common.loading": "Loading…",
  "common.retry": "Try again",
  "common.more": "Show more",
  "common.error": "Something went wrong: {message}",
  "common.offline": "The network is unreachable.",
  "feed.title": "Your feed",
  "feed.empty": "Nothing here yet. Follow organizations and friends to fill your feed.",
  "feed.catchUp": "Catch up",
  "feed.latest": "Latest",
  "feed.catchUpTitle": "Since your last visit",
  "feed.catchUpEmpty": "You are all caught up.",
  "feed.markSeen": "Mark as seen",
  "feed.why": "Why you see this",
  "feed.kind.post": "News",
  "feed.kind.opportunity": "Opportunity",
  "feed.kind.event": "Event",
  "feed.kind.other": "Activity",
  "feed.newItems": { one: "{count} new item", other: "{count} new items" },
  "notifications.title": "Notifications",
  "notifications.empty": "No notifications yet.",
  "notifications.markAll": "Mark all as read",
  "notifications.markRead": "Mark as read",
  "notifications.unreadBadge": "unread",
  "notifications.live": "Live",
  "org.notFound": "This organization does not exist, or is not visible.",
  "org.followers": { one: "{count} follower", other: "{count} followers" },
  "org.verified": "Verified",
  "org.mission": "Mission",
  "org.about": "About",
  "org.website": "Website",
  "org.causes": "Causes",
  "org.since": "On Jumo since {date}",
  "notFound.title": "Page not found",
  "notFound.body": "There is nothing at this address.",
  "notFound.home": "Go to your feed",
} as const;

export type MessageKey = keyof typeof en;
export type Catalogue = { readonly [K in MessageKey]: Message };
