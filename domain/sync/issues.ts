// Record-level problems found while mapping Salesforce data. Dirty data is never a crash and never a
// silent drop: the row is still written (with the offending value cleaned or nulled) and the issue is
// recorded where support can see it (health route: grouped by code, with the affected record ids).
//
// Messages never contain field values (names, emails, amounts): issues may be logged and stored with
// the sync errors, and contact data must not leak there. They name Salesforce fields and Ids only.

export type SyncIssueCode =
  | 'MISSING_EMAIL'
  | 'INVALID_EMAIL'
  | 'DUPLICATE_EMAIL'
  | 'VALUE_TRUNCATED'
  | 'UNPARSEABLE_VALUE';

export interface SyncIssue {
  code: SyncIssueCode;
  /** The Salesforce field the issue is about (API name, e.g. 'Email', 'Amount', 'Name'). */
  field: string;
  message: string;
  /** The record the issue is about. */
  salesforceId: string;
}
