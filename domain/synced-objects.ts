/** The Salesforce objects the sync mirrors, in the order it reads them (Accounts first: contacts take their names). */
export const SYNCED_OBJECTS = ['Account', 'Contact', 'Opportunity'] as const;
export type SyncedObject = (typeof SYNCED_OBJECTS)[number];
