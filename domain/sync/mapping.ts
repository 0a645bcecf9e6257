// Salesforce records (as jsforce returns REST query records, or Bulk API 2.0 CSV rows) → FastFollow
// rows for contacts and deals (docs/how-sync-works.md#mapping). Pure: no I/O, no clock, no time zone.
import type { SyncIssue, SyncIssueCode } from './issues.js';
import { characterLength, cleanText, toDateOnly, toExactDecimal, truncateCharacters } from './values.js';

/**
 * Longest value (in characters) written to each FastFollow column; longer values are cut and reported
 * as VALUE_TRUNCATED. Every standard Salesforce field fits (Contact.FirstName 40 + LastName 80,
 * Phone 40, Account.Name 255, Opportunity.Name 120, StageName 255), so only data from custom
 * mappings or oversized custom fields is ever cut. Email is never cut (see mapContact).
 */
export const MAX_LENGTH = {
  full_name: 255,
  /** RFC 5321: an address is at most 254 characters. */
  email: 254,
  phone: 255,
  company_name: 255,
  account_name: 255,
  title: 1000,
  stage: 255,
} as const;

/** Fields every record carries (jsforce marks them optional; Id is always selected by our queries). */
interface SalesforceRecordBase {
  attributes?: { type: string; url?: string };
  Id?: string;
  SystemModstamp?: string;
  IsDeleted?: boolean | string;
}

export interface SalesforceContactRecord extends SalesforceRecordBase {
  FirstName?: string | null;
  LastName?: string | null;
  Email?: string | null;
  Phone?: string | null;
  AccountId?: string | null;
  /** REST: the nested relationship (null when the contact has no account). */
  Account?: { Name?: string | null } | null;
  /** Bulk API 2.0 CSV: the relationship field as a flat column. */
  'Account.Name'?: string | null;
}

export interface SalesforceOpportunityRecord extends SalesforceRecordBase {
  Name?: string | null;
  /** REST JSON: number or null. Bulk CSV: decimal string, '' for null. */
  Amount?: number | string | null;
  StageName?: string | null;
  /** 'YYYY-MM-DD'. */
  CloseDate?: string | null;
  AccountId?: string | null;
}

export interface SalesforceAccountRecord extends SalesforceRecordBase {
  Name?: string | null;
}

export interface ContactRow {
  salesforce_contact_id: string;
  salesforce_account_id: string | null;
  full_name: string | null;
  /** Trimmed and lower-cased: the per-account key (unique on lower(email)). */
  email: string | null;
  phone: string | null;
  company_name: string | null;
}

export interface DealRow {
  salesforce_opportunity_id: string;
  salesforce_account_id: string | null;
  title: string | null;
  /** Exact decimal string for the numeric column; null when Salesforce has no Amount (never '0'). */
  value: string | null;
  stage: string | null;
  /** 'YYYY-MM-DD' for the date column. */
  expected_close_date: string | null;
}

export interface AccountRow {
  salesforce_account_id: string;
  name: string | null;
}

export interface Mapped<Row> {
  row: Row;
  issues: SyncIssue[];
}

/** Pragmatic check: one '@', non-empty local part, a dotted domain, no whitespace. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Collects issues for one record. */
class IssueLog {
  readonly issues: SyncIssue[] = [];
  constructor(readonly salesforceId: string) {}

  add(code: SyncIssueCode, field: string, message: string): void {
    this.issues.push({ code, field, message, salesforceId: this.salesforceId });
  }

  /** A text field: trimmed, NFC, null when empty; a non-text value is reported, not guessed at. */
  text(value: unknown, field: string): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return cleanText(value);
    if (typeof value === 'number' && Number.isFinite(value)) return cleanText(String(value));
    this.add('UNPARSEABLE_VALUE', field, `${field} is not text (got ${typeof value}); stored as empty.`);
    return null;
  }

  /** `text` cut to `max` characters, reporting the cut. */
  limit(text: string | null, max: number, field: string): string | null {
    if (text === null) return null;
    const length = characterLength(text);
    if (length <= max) return text;
    this.add('VALUE_TRUNCATED', field, `${field} has ${length} characters; stored the first ${max}.`);
    return truncateCharacters(text, max).trimEnd();
  }
}

function requireId(record: SalesforceRecordBase): string {
  const id = record.Id;
  if (typeof id !== 'string' || id.trim() === '') {
    // Not dirty data but a broken contract: every sync query selects Id.
    throw new TypeError('Salesforce record without an Id: the query must select Id');
  }
  return id.trim();
}

function optionalId(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * Email as the per-account key: trimmed, NFC, lower-cased (JS toLowerCase; identical to Postgres
 * lower() for ASCII, which is what addresses are in practice).
 * - missing → null + MISSING_EMAIL (the contact is still stored; the unique index allows many nulls);
 * - malformed → kept as normalised + INVALID_EMAIL (it is still what the customer typed);
 * - longer than MAX_LENGTH.email → null + INVALID_EMAIL: it cannot be a deliverable address, and a
 *   cut-off address would be a *different* key that might collide with a real contact's.
 */
function mapEmail(value: unknown, log: IssueLog): string | null {
  const text = log.text(value, 'Email');
  if (text === null) {
    log.add('MISSING_EMAIL', 'Email', 'Contact has no email; stored without one.');
    return null;
  }
  const email = text.toLowerCase();
  if (characterLength(email) > MAX_LENGTH.email) {
    log.add('INVALID_EMAIL', 'Email', `Email is longer than ${MAX_LENGTH.email} characters; stored without one.`);
    return null;
  }
  if (!EMAIL_PATTERN.test(email)) {
    log.add('INVALID_EMAIL', 'Email', 'Email is not a valid address; stored as it is.');
  }
  return email;
}

/** FirstName + LastName, each trimmed, joined by one space; runs of whitespace become one space. */
function fullName(first: string | null, last: string | null): string | null {
  const joined = [first, last]
    .filter((part): part is string => part !== null)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return joined === '' ? null : joined;
}

function companyName(record: SalesforceContactRecord, accountNamesById: ReadonlyMap<string, string> | undefined, log: IssueLog): string | null {
  const nested = record.Account && typeof record.Account === 'object' ? log.text(record.Account.Name, 'Account.Name') : null;
  const flat = log.text(record['Account.Name'], 'Account.Name');
  const accountId = optionalId(record.AccountId);
  const looked = accountId !== null ? log.text(accountNamesById?.get(accountId), 'Account.Name') : null;
  return log.limit(nested ?? flat ?? looked, MAX_LENGTH.company_name, 'Account.Name');
}

/**
 * A Contact → a contacts row. `accountNamesById` fills company_name when the record does not carry
 * its Account.Name (e.g. a query without the relationship); the record's own value wins.
 */
export function mapContact(record: SalesforceContactRecord, accountNamesById?: ReadonlyMap<string, string>): Mapped<ContactRow> {
  const id = requireId(record);
  const log = new IssueLog(id);
  const name = fullName(log.text(record.FirstName, 'FirstName'), log.text(record.LastName, 'LastName'));
  const row: ContactRow = {
    salesforce_contact_id: id,
    salesforce_account_id: optionalId(record.AccountId),
    full_name: log.limit(name, MAX_LENGTH.full_name, 'Name'),
    email: mapEmail(record.Email, log),
    phone: log.limit(log.text(record.Phone, 'Phone'), MAX_LENGTH.phone, 'Phone'),
    company_name: companyName(record, accountNamesById, log),
  };
  return { row, issues: log.issues };
}

/** Amount → exact decimal string. null/'' (Bulk CSV's null) → null, never '0'. */
function mapAmount(value: unknown, log: IssueLog): string | null {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) return null;
  const decimal = typeof value === 'number' || typeof value === 'string' ? toExactDecimal(value) : undefined;
  if (decimal === undefined) {
    log.add('UNPARSEABLE_VALUE', 'Amount', 'Amount is not a finite number; stored as empty.');
    return null;
  }
  return decimal;
}

function mapCloseDate(value: unknown, log: IssueLog): string | null {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) return null;
  const date = typeof value === 'string' ? toDateOnly(value) : undefined;
  if (date === undefined) {
    log.add('UNPARSEABLE_VALUE', 'CloseDate', 'CloseDate is not a calendar date (YYYY-MM-DD); stored as empty.');
    return null;
  }
  return date;
}

/** An Opportunity → a deals row. */
export function mapOpportunity(record: SalesforceOpportunityRecord): Mapped<DealRow> {
  const id = requireId(record);
  const log = new IssueLog(id);
  const row: DealRow = {
    salesforce_opportunity_id: id,
    salesforce_account_id: optionalId(record.AccountId),
    title: log.limit(log.text(record.Name, 'Name'), MAX_LENGTH.title, 'Name'),
    value: mapAmount(record.Amount, log),
    stage: log.limit(log.text(record.StageName, 'StageName'), MAX_LENGTH.stage, 'StageName'),
    expected_close_date: mapCloseDate(record.CloseDate, log),
  };
  return { row, issues: log.issues };
}

/** An Account → its id and name (the source of contacts.company_name). */
export function mapAccount(record: SalesforceAccountRecord): Mapped<AccountRow> {
  const id = requireId(record);
  const log = new IssueLog(id);
  const row: AccountRow = {
    salesforce_account_id: id,
    name: log.limit(log.text(record.Name, 'Name'), MAX_LENGTH.account_name, 'Name'),
  };
  return { row, issues: log.issues };
}
