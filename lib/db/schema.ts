import type { ColumnType, Generated } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
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
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
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
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
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
  created_at: Generated<Timestamp>;
}

export interface Database {
  contacts: ContactsTable;
  deals: DealsTable;
  followups: FollowupsTable;
}
