import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Timestamp } from './schema.js';

// The write-back tables (migration 0013); part of db/schema.ts's Database.

/** FastFollow-side edits of bidirectional fields, captured by triggers, waiting for (or done with) write-back. */
export interface SalesforceOutboxTable {
  seq: Generated<string>;
  salesforce_connection_id: string;
  object: 'Contact' | 'Opportunity';
  record_id: string;
  salesforce_id: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  changed_at: GeneratedTimestamp;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: GeneratedTimestamp;
  error_code: string | null;
  error_message: string | null;
  error_fix: string | null;
  finished_at: Timestamp | null;
}

export type OutboxStatus = 'pending' | 'written' | 'failed' | 'superseded';

/** A field changed on both sides: which value won, and the one discarded. */
export interface SalesforceWriteConflictsTable {
  id: Generated<string>;
  salesforce_connection_id: string;
  object: string;
  record_id: string;
  salesforce_id: string;
  field: string;
  fastfollow_value: string | null;
  salesforce_value: string | null;
  winner: 'salesforce' | 'fastfollow';
  detected_at: GeneratedTimestamp;
}


/** FastFollow contacts/deals born without a Salesforce id, queued for creation (migration 0014). */
export interface SalesforceBornRecordsTable {
  id: Generated<string>;
  salesforce_connection_id: string;
  object: 'Contact' | 'Opportunity';
  record_id: string;
  status: ColumnType<BornRecordStatus, BornRecordStatus | undefined, BornRecordStatus>;
  salesforce_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: GeneratedTimestamp;
  sending_since: Timestamp | null;
  error_code: string | null;
  error_message: string | null;
  error_fix: string | null;
  created_at: GeneratedTimestamp;
  finished_at: Timestamp | null;
}

export type BornRecordStatus = 'pending' | 'created' | 'linked' | 'failed' | 'skipped';

/** A custom field mapping of a connection (migration 0015); names as the org's describe spells them. */
export interface SalesforceFieldMappingsTable {
  salesforce_connection_id: string;
  object: 'Contact' | 'Account' | 'Opportunity';
  salesforce_field: string;
  salesforce_type: string;
  /** Whether the connected user may set the field on create (records born in FastFollow carry it then). */
  salesforce_createable: ColumnType<boolean, boolean | undefined, boolean>;
  fastfollow_field: string;
  direction: 'to_fastfollow' | 'to_salesforce' | 'both';
  /** A new Salesforce → FastFollow mapping whose existing values are still to be read (keyset by Id). */
  backfill_pending: ColumnType<boolean, boolean | undefined, boolean>;
  backfill_after_id: string | null;
  backfilled_at: Timestamp | null;
  /** Set when Salesforce refused the field on a write (e.g. field-level security changed). */
  broken_code: string | null;
  broken_message: string | null;
  broken_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

/** The org's describe of an object, as the connection's user sees it. */
export interface SalesforceDescribeCacheTable {
  salesforce_connection_id: string;
  object: string;
  fields: ColumnType<unknown[], string, string>;
  fetched_at: GeneratedTimestamp;
}
