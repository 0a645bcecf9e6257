import { sql } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { SyncIssue } from '../domain/sync/issues.js';
import type { SalesforceAccountRecord, SalesforceContactRecord, SalesforceOpportunityRecord } from '../domain/sync/mapping.js';
import { parseSalesforceDateTime } from '../domain/sync/soql.js';

// What every object's apply shares: the record and result types and the upsert bookkeeping.

export type SalesforceRecord = SalesforceAccountRecord & SalesforceContactRecord & SalesforceOpportunityRecord & Record<string, unknown>;

/** Whose rows a page writes: one connection (account + environment); its rows are keyed by connection and Salesforce Id. */
export interface ApplyContext {
  accountId: string;
  connectionId: string;
  environment: Environment;
}

export interface ApplyResult {
  upserted: number;
  deleted: number;
  /** Rows newly mirrored minus rows removed: keeps the object's count current without recounting. */
  mirroredDelta: number;
  issues: SyncIssue[];
}

/** `xmax = 0` holds for a row this statement inserted (not one it updated): Postgres' upsert tell-tale. */
export const INSERTED = sql<boolean>`xmax = 0`.as('inserted');

export function countInserted(rows: Array<{ inserted: boolean }>): number {
  return rows.filter((row) => row.inserted).length;
}

export function countDeleted(results: Array<{ numDeletedRows: bigint }>): number {
  return results.reduce((sum, result) => sum + Number(result.numDeletedRows), 0);
}

export function isDeleted(record: SalesforceRecord): boolean {
  return record.IsDeleted === true || record.IsDeleted === 'true';
}

export function modstampOf(record: SalesforceRecord): Date {
  if (!record.SystemModstamp) throw new Error(`Salesforce record ${record.Id ?? '(no Id)'} has no SystemModstamp`);
  return parseSalesforceDateTime(record.SystemModstamp);
}
