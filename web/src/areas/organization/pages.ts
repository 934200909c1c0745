// The organization area's pages, one chunk loaded on the first visit to one of them (index.tsx):
// what a volunteer opens first never carries them.
export { ApplicationsPage } from "./applications";
export { DashboardPage, EditOrgPage } from "./dashboard";
export { CreateOrgPage, ManagePage } from "./manage";
export { ModerationPage } from "./moderation";
export { EventsPage, NewOpportunityPage, OpportunitiesPage, OpportunityManagePage } from "./opportunities";
export { NewsPage, PeoplePage, ReviewsPage } from "./people";
