import type jsforce from 'jsforce';
import { soqlString } from './org-directory.js';

// Lookups before creating records born in FastFollow: existing contacts with the same email (linked,
// not duplicated), and records the integration user created since a create call whose answer was lost.

const FIELD = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Contacts with these emails (one query; ≤ 200 emails), the oldest per email, keyed by lower-cased email. */
export async function contactIdsByEmail(conn: jsforce.Connection, emails: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (emails.length === 0) return found;
  const soql = `SELECT Id, Email FROM Contact WHERE Email IN (${emails.map(soqlString).join(', ')}) ORDER BY CreatedDate, Id`;
  const result = await conn.query<{ Id: string; Email: string | null }>(soql);
  for (const record of result.records) {
    const key = record.Email?.trim().toLowerCase();
    if (key && !found.has(key)) found.set(key, record.Id);
  }
  return found;
}

/** Records of `type` the user created since `since`, with `fields`, oldest first (every page). */
export async function createdSince(conn: jsforce.Connection, type: 'Contact' | 'Opportunity', userId: string, since: Date, fields: string[], countCall: () => void): Promise<Array<Record<string, unknown>>> {
  for (const field of fields) if (!FIELD.test(field)) throw new Error(`Not a field name: ${JSON.stringify(field)}`);
  const stamp = since.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const soql = `SELECT Id, ${fields.join(', ')} FROM ${type} WHERE CreatedById = ${soqlString(userId)} AND CreatedDate >= ${stamp} ORDER BY CreatedDate, Id`;
  countCall();
  let page = await conn.query<Record<string, unknown>>(soql, { autoFetch: false });
  const records = [...page.records];
  while (!page.done && page.nextRecordsUrl) {
    countCall();
    page = await conn.queryMore<Record<string, unknown>>(page.nextRecordsUrl);
    records.push(...page.records);
  }
  return records;
}
