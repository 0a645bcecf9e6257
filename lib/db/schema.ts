import type { ColumnType, Generated } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** timestamptz with a database default: optional on insert. */
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Postgres `date` is read as 'YYYY-MM-DD' (see connect.ts) so a CloseDate never drifts across time zones. */
export type DateOnly = ColumnType<string, string, string>;
/** Postgres `numeric` is read as a string to keep amounts exact. */
export type Numeric = ColumnType<string, string | number, string | number>;

// FastFollow's own tables (DESIGN §3.5 ⚑). The app owns them; the sync reads and writes them.
export interface ContactsTable {
  id: Generated<string>;
  account_id: string;
  full_name: string | null;
  email: string | null;
  phone: string | null;
  company_name: string | null;
  salesforce_contact_id: string | null;
  salesforce_account_id: string | null;
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
}

export type SalesforceEnvironment = 'production' | 'sandbox';
export type ConnectionStatus = 'active' | 'revoked' | 'disconnected';

export interface SalesforceConnectionsTable {
  id: Generated<string>;
  account_id: string;
  environment: SalesforceEnvironment;
  status: ConnectionStatus;
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
  connected_at: GeneratedTimestamp;
  ended_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface SalesforceOauthStatesTable {
  state_hash: string;
  account_id: string;
  environment: SalesforceEnvironment;
  verifier_ciphertext: string;
  verifier_key_version: number;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: GeneratedTimestamp;
}

export interface Database {
  salesforce_connections: SalesforceConnectionsTable;
  salesforce_oauth_states: SalesforceOauthStatesTable;
  contacts: ContactsTable;
  deals: DealsTable;
  followups: FollowupsTable;
}
