import type { ColumnType, Generated } from 'kysely';
import type { Environment } from '../domain/environment.js';
import type { SyncedObject } from '../domain/synced-objects.js';
import type { SalesforceReconciliationIdsTable, SalesforceReconciliationsTable } from './schema-reconciliations.js';
import type { SalesforceBornRecordsTable, SalesforceDescribeCacheTable, SalesforceFieldMappingsTable, SalesforceOutboxTable, SalesforceWriteConflictsTable } from './schema-write-back.js';

/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** timestamptz with a database default: optional on insert. */
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Postgres `date` is read as 'YYYY-MM-DD' (see connect.ts) so a CloseDate never drifts across time zones. */
export type DateOnly = ColumnType<string, string, string>;
/** Postgres `numeric` is read as a string to keep amounts exact. */
export type Numeric = ColumnType<string, string | number, string | number>;

// FastFollow's own tables (a contract: docs/contracts.md#postgres). The app owns them; the sync reads and writes them.
export interface ContactsTable {
  id: Generated<string>;
  account_id: string;
  full_name: string | null;
  email: string | null;
  phone: string | null;
  company_name: string | null;
  salesforce_contact_id: string | null;
  salesforce_account_id: string | null;
  salesforce_modstamp: Timestamp | null;
  /** The connection (account + environment) the row is mirrored from; null for FastFollow's own rows. */
  salesforce_connection_id: ColumnType<string | null, string | null | undefined, string | null>;
  salesforce_environment: ColumnType<Environment | null, Environment | null | undefined, Environment | null>;
  /** Values of custom field mappings (`custom.<key>`; migration 0015). */
  custom_fields: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface DealsTable {
  id: Generated<string>;
  account_id: string;
  title: string | null;
  value: Numeric | null;
  stage: string | null;
  expected_close_date: DateOnly | null;
  salesforce_opportunity_id: string | null;
  salesforce_account_id: string | null;
  salesforce_modstamp: Timestamp | null;
  /** The connection (account + environment) the row is mirrored from; null for FastFollow's own rows. */
  salesforce_connection_id: ColumnType<string | null, string | null | undefined, string | null>;
  salesforce_environment: ColumnType<Environment | null, Environment | null | undefined, Environment | null>;
  /** Values of custom field mappings (`custom.<key>`; migration 0015). */
  custom_fields: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface FollowupsTable {
  /** The app's followupId. */
  id: string;
  account_id: string;
  contact_id: string | null;
  deal_id: string | null;
  sent_at: Timestamp;
  subject: string;
  body: string | null;
  salesforce_task_id: string | null;
  logged_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  // Task logging (db/followups.ts): null on the app's own rows that were never posted to the sync.
  salesforce_connection_id: ColumnType<string | null, string | null | undefined, string | null>;
  salesforce_environment: ColumnType<Environment | null, Environment | null | undefined, Environment | null>;
  contact_email: ColumnType<string | null, string | null | undefined, string | null>;
  sender_email: ColumnType<string | null, string | null | undefined, string | null>;
  task_status: ColumnType<FollowupTaskStatus | null, FollowupTaskStatus | null | undefined, FollowupTaskStatus | null>;
  task_error_code: ColumnType<string | null, string | null | undefined, string | null>;
  task_error_message: ColumnType<string | null, string | null | undefined, string | null>;
  task_error_fix: ColumnType<string | null, string | null | undefined, string | null>;
  task_attempts: ColumnType<number, number | undefined, number>;
  /** Not before this time is the follow-up taken into a batch (a contact not in Salesforce yet is re-checked later). */
  task_next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Set before the batch's Salesforce call; still set afterwards = the call's outcome is unknown (reconciled before any retry). */
  task_batch_id: ColumnType<string | null, string | null | undefined, string | null>;
  task_sending_since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Until then the call may still be in flight in another process; after it, the batch may be reconciled. */
  task_sending_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type FollowupTaskStatus = 'pending' | 'logged' | 'failed';

/** Whether a stored grant is usable: distinct from the workflow's phase (domain/connection-status.ts). */
export type StoredConnectionState = 'active' | 'revoked' | 'disconnected';

export interface SalesforceConnectionsTable {
  id: Generated<string>;
  account_id: string;
  environment: Environment;
  status: StoredConnectionState;
  status_reason: string | null;
  org_id: string;
  user_id: string;
  username: string | null;
  login_url: string;
  instance_url: string;
  refresh_token_ciphertext: string | null;
  refresh_token_key_version: number | null;
  access_token_ciphertext: string | null;
  access_token_key_version: number | null;
  token_generation: Generated<number>;
  /** The token refresh lease (db/connections.ts): who refreshes, and until when others wait. */
  refresh_lease_owner: string | null;
  refresh_lease_until: Timestamp | null;
  /** Set before a token request, cleared once its outcome is recorded: still set = a refresh died mid-call. */
  refresh_in_flight_since: Timestamp | null;
  /** The org the connection's mirrored rows came from; differs from org_id after a reconnect to another org until its initial read starts. */
  mirrored_org_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Records born in FastFollow are created in Salesforce (production connections only; migration 0014). */
  create_born_records: ColumnType<boolean, boolean | undefined, boolean>;
  connected_at: GeneratedTimestamp;
  ended_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface SalesforceOauthStatesTable {
  state_hash: string;
  account_id: string;
  environment: Environment;
  verifier_ciphertext: string;
  verifier_key_version: number;
  /** sha256 (hex) of the browser binding cookie's value set by the connect step; null on states made before it. */
  binding_hash: string | null;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

export interface SalesforceAccountsTable {
  account_id: string;
  /** Primary key with salesforce_account_id: a sandbox copy has production's Account Ids. */
  salesforce_connection_id: string;
  salesforce_account_id: string;
  name: string | null;
  salesforce_modstamp: Timestamp;
}

export interface SalesforceSyncCursorsTable {
  connection_id: string;
  object: SyncedObject;
  initial_started_at: Timestamp | null;
  initial_done: ColumnType<boolean, boolean | undefined, boolean>;
  /** 'initial' or 'incremental': which read the locator/last key belong to. */
  mode: 'initial' | 'incremental' | null;
  locator: string | null;
  last_modstamp: Timestamp | null;
  last_id: string | null;
  window_from: Timestamp | null;
  window_to: Timestamp | null;
  watermark: Timestamp | null;
  /** bigint: read as a string by pg. */
  records_synced: ColumnType<string, number | string | undefined, number | string>;
  last_synced_at: Timestamp | null;
  /** The initial read's method, planned from the org's record counts. */
  method: 'rest' | 'bulk' | null;
  planned_records: number | null;
  bulk_job_id: string | null;
  /** Status polls made on bulk_job_id (the next waits longer); Bulk jobs of this read lost (failed, aborted, gone) and why. */
  bulk_job_polls: ColumnType<number, number | undefined, number>;
  bulk_jobs_lost: ColumnType<number, number | undefined, number>;
  bulk_job_lost_reason: string | null;
  bulk_job_lost_at: Timestamp | null;
  /** Set while a Bulk job is being asked for (before its id is kept): a crash then finds the job instead of creating another. */
  bulk_job_requested_at: Timestamp | null;
  /** When bulk_job_id was created (our clock): its status polls are due at ages from then. */
  bulk_job_created_at: Timestamp | null;
  /** The object's last Bulk job Salesforce finished: numberRecordsProcessed and totalProcessingTime (the org's rate). */
  bulk_completed_records: number | null;
  bulk_completed_processing_ms: number | null;
  updated_at: GeneratedTimestamp;
}

export interface SalesforceSyncErrorsTable {
  id: Generated<string>;
  connection_id: string;
  object: string;
  salesforce_id: string;
  code: string;
  field: string | null;
  message: string;
  occurrences: ColumnType<number, number | undefined, number>;
  first_seen_at: GeneratedTimestamp;
  last_seen_at: GeneratedTimestamp;
}

export interface SalesforcePendingRevocationsTable {
  id: Generated<string>;
  account_id: string;
  environment: Environment;
  /** What let go of the grant: a disconnect, a reconnect (the replaced grant), or an activation that failed. */
  reason: 'disconnect' | 'reconnect' | 'activation_failed';
  login_url: string;
  /** Erased once Salesforce revoked the grant (or said it was no longer valid). */
  refresh_token_ciphertext: string | null;
  refresh_token_key_version: number | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  outcome: 'revoked' | 'already_invalid' | null;
  created_at: GeneratedTimestamp;
  done_at: Timestamp | null;
}

/** Fixed-window counters of OAuth callbacks per client address, shared by every API replica. */
export interface CallbackRateLimitsTable {
  client_key: string;
  window_start: Timestamp;
  hits: number;
}

export interface Database {
  salesforce_outbox: SalesforceOutboxTable;
  salesforce_born_records: SalesforceBornRecordsTable;
  salesforce_field_mappings: SalesforceFieldMappingsTable;
  salesforce_describe_cache: SalesforceDescribeCacheTable;
  salesforce_write_conflicts: SalesforceWriteConflictsTable;
  salesforce_accounts: SalesforceAccountsTable;
  salesforce_sync_cursors: SalesforceSyncCursorsTable;
  salesforce_sync_errors: SalesforceSyncErrorsTable;
  salesforce_reconciliations: SalesforceReconciliationsTable;
  salesforce_reconciliation_ids: SalesforceReconciliationIdsTable;
  salesforce_connections: SalesforceConnectionsTable;
  salesforce_oauth_states: SalesforceOauthStatesTable;
  callback_rate_limits: CallbackRateLimitsTable;
  salesforce_pending_revocations: SalesforcePendingRevocationsTable;
  contacts: ContactsTable;
  deals: DealsTable;
  followups: FollowupsTable;
}
