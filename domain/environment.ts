/** Which Salesforce login a connection uses: production orgs, or sandboxes (often copies of production). */
export const ENVIRONMENTS = ['production', 'sandbox'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
