import type { SalesforceRecord } from '../../db/mirror.js';

/** What one read returned, and where the next read starts. */
export interface FetchedPage {
  records: SalesforceRecord[];
  done: boolean;
  locator: string | null;
}

/** Called once per Salesforce API request, so the page reports what it cost. */
export type CountCall = () => void;
