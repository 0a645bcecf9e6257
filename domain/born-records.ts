import { comparable, toSalesforceValue, type WriteBackObject } from './write-back.js';

// Records born in FastFollow (no Salesforce id yet) as the Salesforce records to create: the
// required fields derived from FastFollow's columns, or the reason they cannot be. Pure.

/** A FastFollow contact or deal waiting to be created in Salesforce (its current columns). */
export interface BornRecord {
  queueId: string;
  object: WriteBackObject;
  recordId: string;
  /** FastFollow column → value (text form), e.g. full_name, email, phone / title, value, stage, expected_close_date. */
  columns: Record<string, string | null>;
  /** The row's custom_fields (values of custom mappings). */
  custom?: Record<string, unknown>;
  /** Set when an earlier create call's answer was never stored: Salesforce may already have the record. */
  sendingSince: Date | null;
}

export type Derived =
  | { ok: true; fields: Record<string, string | number | null> }
  | { ok: false; code: 'REQUIRED_FIELD_MISSING'; message: string; fix: string };

const blank = (value: string | null | undefined): boolean => value === null || value === undefined || value.trim() === '';

/** full_name → FirstName + LastName: the last word is the last name (Salesforce requires one). */
export function splitFullName(fullName: string | null): { FirstName: string | null; LastName: string | null } {
  const words = (fullName ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { FirstName: null, LastName: null };
  return { FirstName: words.length > 1 ? words.slice(0, -1).join(' ') : null, LastName: words[words.length - 1]! };
}

function missing(what: string, columns: string[]): Derived {
  return {
    ok: false,
    code: 'REQUIRED_FIELD_MISSING',
    message: `This FastFollow ${what} cannot be created in Salesforce: ${columns.join(', ')} ${columns.length > 1 ? 'are' : 'is'} empty, and Salesforce requires ${columns.length > 1 ? 'them' : 'it'}.`,
    fix: `Fill in ${columns.join(', ')} in FastFollow; the ${what} is created in Salesforce on the next sync after the edit.`,
  };
}

/** The Salesforce fields of a born contact or deal, or why it cannot be created. */
export function deriveCreateFields(record: BornRecord): Derived {
  const c = record.columns;
  if (record.object === 'Contact') {
    const name = splitFullName(c.full_name ?? null);
    if (!name.LastName) return missing('contact', ['full_name']);
    return { ok: true, fields: { ...name, Email: toSalesforceValue('Email', c.email ?? null), Phone: toSalesforceValue('Phone', c.phone ?? null) } };
  }
  const empty = (['title', 'stage', 'expected_close_date'] as const).filter((column) => blank(c[column]));
  if (empty.length > 0) return missing('deal', empty);
  return {
    ok: true,
    fields: {
      Name: c.title!.trim(),
      StageName: c.stage!.trim(),
      CloseDate: c.expected_close_date!.slice(0, 10),
      Amount: toSalesforceValue('Amount', c.value ?? null),
    },
  };
}

/**
 * Whether a Salesforce record is the one a lost create call made from these fields: every field we
 * sent has the same value there. Used only for records the integration user created since the call.
 */
export function matchesSent(sent: Record<string, unknown>, found: Record<string, unknown>): boolean {
  return Object.entries(sent).every(([field, value]) => comparable(field, value) === comparable(field, found[field]));
}

/** An email as Salesforce lookups compare it (trimmed, lower-cased); null when empty. */
export function emailKey(email: string | null | undefined): string | null {
  return blank(email) ? null : email!.trim().toLowerCase();
}
