import type { SalesforceRecord } from '../../db/mirror.js';

/** What one read returned, and where the next read starts. */
export interface FetchedPage {
  records: SalesforceRecord[];
  done: boolean;
  locator: string | null;
  /**
   * Set while a Bulk chunk is still being parsed into `records` (in turns, so its first slices can be
   * written meanwhile): settles once every row is in, rejects if the CSV is malformed.
   */
  arriving?: Promise<void>;
  /** Set with `arriving`: the reader took the rows up to `count` (the parse keeps only a little ahead of that). */
  taken?: (count: number) => void;
  /** Set with `arriving`: the page will not be applied, so its download stops instead of waiting for a reader. */
  cancel?: () => void;
}

/** Called once per Salesforce API request, so the page reports what it cost. */
export type CountCall = () => void;
