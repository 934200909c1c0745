// Shapes of the services' answers that more than one area reads (orgs' OpenAPI document:
// OrgCard, Slot). An area's own shapes stay in its api module.

/** An organization as another object names it (an event's, an opportunity's, a post's). */
export interface OrgCard {
  org_id: string;
  slug: string;
  name: string;
  initials: string;
  colour: string;
  verified?: boolean;
}

/** One time slot of an opportunity, with its places. */
export interface Slot {
  id: string;
  starts_at?: string | null;
  ends_at?: string | null;
  places: number;
  taken: number;
  remaining: number;
}
