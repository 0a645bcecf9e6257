import type { ColumnType } from 'kysely';
import type { Timestamp } from './schema.js';

// The delete-reconciliation tables (migration 0011); part of db/schema.ts's Database.

/** Per connection and object: deletes known applied through `covered_through`, and the Id reconciliation (db/reconciliations.ts). */
export interface SalesforceReconciliationsTable {
  connection_id: string;
  object: string;
  covered_through: Timestamp | null;
  /** The last check (getDeleted) or reconciliation: the daily schedule counts from here. */
  checked_at: Timestamp | null;
  /** An Id reconciliation in progress: when it started, why, and its query locator. */
  running_since: Timestamp | null;
  running_reason: string | null;
  locator: string | null;
  last_run_at: Timestamp | null;
  last_reason: string | null;
  last_removed: ColumnType<number, number | undefined, number>;
  total_removed: ColumnType<string, number | string | undefined, number | string>;
}

/** Ids Salesforce listed so far in a reconciliation in progress. */
export interface SalesforceReconciliationIdsTable {
  connection_id: string;
  object: string;
  salesforce_id: string;
}
