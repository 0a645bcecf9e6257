// The SOQL the Salesforce → FastFollow sync sends, and the datetime handling around its watermark.
//
// Incremental reads take the window [watermark − lookback, now − safety lag) on
// SystemModstamp, ordered by SystemModstamp, Id:
// * the safety lag leaves out the last moments, where a transaction stamped earlier may not have
//   committed yet;
// * the lookback re-reads a stretch already applied, to catch rows that committed after the previous
//   window was read although their SystemModstamp falls inside it.
// Re-reading is safe because applying a record is idempotent: rows are upserted keyed by Salesforce
// Id, and a version is applied only when its SystemModstamp is not older than the stored one
// (the version guard in db/mirror.ts's upserts), so a re-read can rewrite a row with the same data but an older version never
// overwrites a newer one. After a window is fully applied, the next watermark is its `to`.
//
// Half-open on `to` (`<`), inclusive on `from` (`>=`): consecutive windows neither skip nor double a
// timestamp, however many thousands of rows share it.
//
// Datetime literals are whole seconds (`2024-05-01T12:00:00Z`), the form Salesforce documents; it
// ignores milliseconds in comparisons anyway. Both window bounds are therefore floored to the second:
// `from` floored reads a little more (harmless: applying is idempotent), `to` floored with `<` leaves
// the last partial second to the next window, whose `from` is at or before it.

import type { SyncedObject } from '../synced-objects.js';


const FIELDS: Readonly<Record<SyncedObject, readonly string[]>> = Object.freeze({
  Account: Object.freeze(['Id', 'Name', 'SystemModstamp', 'IsDeleted']),
  Contact: Object.freeze(['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'AccountId', 'Account.Name', 'SystemModstamp', 'IsDeleted']),
  Opportunity: Object.freeze(['Id', 'Name', 'Amount', 'StageName', 'CloseDate', 'AccountId', 'SystemModstamp', 'IsDeleted']),
});

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The fields read for each object: the default mapping plus the system fields the sync needs, and
 * `extra` (the connection's mapped custom fields, named as the org's describe spells them).
 */
export function fieldsFor(object: SyncedObject, extra: readonly string[] = []): readonly string[] {
  const fields = FIELDS[object];
  // Guards callers outside the type system: the object name is spliced into SOQL.
  if (!Object.hasOwn(FIELDS, object) || fields === undefined) throw new RangeError(`Not a synced object: ${String(object)}`);
  if (extra.length === 0) return fields;
  for (const name of extra) if (!FIELD_NAME.test(name)) throw new RangeError(`Not a field name: ${JSON.stringify(name)}`);
  const known = new Set(fields.map((name) => name.toLowerCase()));
  return [...fields, ...extra.filter((name) => !known.has(name.toLowerCase()))];
}

const ORDER = 'ORDER BY SystemModstamp, Id';

function selectFrom(object: SyncedObject, extra: readonly string[]): string {
  return `SELECT ${fieldsFor(object, extra).join(', ')} FROM ${object}`;
}

/** The initial full read over REST: every row, in keyset order (a lost locator resumes after the last applied key). */
export function initialQuery(object: SyncedObject, extra: readonly string[] = []): string {
  return `${selectFrom(object, extra)} ${ORDER}`;
}

/**
 * The initial full read as a Bulk API 2.0 job: no ORDER BY, which would turn off PK chunking and make
 * a timeout likelier on a big object. Nothing needs the order: a Bulk read continues by its results
 * locator, and a lost job is read again whole (applying is idempotent and version-guarded).
 */
export function bulkInitialQuery(object: SyncedObject, extra: readonly string[] = []): string {
  return selectFrom(object, extra);
}

/** A half-open window [from, to) of ISO instants; `from` null means "from the beginning". */
export interface SyncWindow {
  from: string | null;
  to: string;
}

export interface WindowInput {
  /** The last fully applied window's `to` (ISO or Salesforce form), null before the first sync. */
  watermark: string | null;
  now: Date;
  lookbackMs: number;
  safetyLagMs: number;
}

function requireDuration(name: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a non-negative number of milliseconds, got ${ms}`);
}

/** [watermark − lookback, now − safety lag). Check `isEmptyWindow` before querying. */
export function incrementalWindow({ watermark, now, lookbackMs, safetyLagMs }: WindowInput): SyncWindow {
  requireDuration('lookbackMs', lookbackMs);
  requireDuration('safetyLagMs', safetyLagMs);
  const to = formatSoqlDateTime(new Date(now.getTime() - safetyLagMs));
  if (watermark === null) return { from: null, to };
  const from = formatSoqlDateTime(new Date(parseSalesforceDateTime(watermark).getTime() - lookbackMs));
  return { from, to };
}

/** True when `to <= from`: nothing can be read yet (e.g. the previous cycle ran moments ago). */
export function isEmptyWindow(window: SyncWindow): boolean {
  if (window.from === null) return false;
  return parseSalesforceDateTime(window.to).getTime() <= parseSalesforceDateTime(window.from).getTime();
}

/** The incremental read of one window. Send with queryAll so deletes arrive with IsDeleted = true. */
export function incrementalQuery(object: SyncedObject, window: SyncWindow, extra: readonly string[] = []): string {
  if (isEmptyWindow(window)) throw new RangeError(`Empty window [${window.from}, ${window.to}): nothing to query`);
  const to = soqlDateTimeOf(window.to);
  const conditions = window.from === null ? `SystemModstamp < ${to}` : `SystemModstamp >= ${soqlDateTimeOf(window.from)} AND SystemModstamp < ${to}`;
  return `${selectFrom(object, extra)} WHERE ${conditions} ${ORDER}`;
}

/** A SOQL datetime literal (unquoted, UTC, whole seconds: the date is floored): 2024-01-01T00:00:00Z. */
export function formatSoqlDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid Date cannot be a SOQL datetime');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A stored window bound (ISO or Salesforce form) as a SOQL literal. */
export function soqlDateTimeOf(text: string): string {
  return formatSoqlDateTime(parseSalesforceDateTime(text));
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Parses Salesforce's JSON datetime ('2024-05-01T12:34:56.000+0000') and ISO forms ('…Z', '…+02:00')
 * to a Date, exact to the millisecond (digits beyond are dropped). Built with Date.UTC, so the
 * machine's time zone plays no part. Throws on anything else: a datetime without an offset is
 * ambiguous.
 */
export function parseSalesforceDateTime(text: string): Date {
  // Hot: every record's SystemModstamp comes through here. No closure or array per call.
  const m = DATETIME.exec(text.trim());
  if (!m) return notADateTime(text);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const fraction = m[7];
  const millis = fraction === undefined ? 0 : Number(fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0'));
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 14 || om > 59) return notADateTime(text);
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return notADateTime(text);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  if (year < 100) date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  if (date.getUTCDate() !== day) return notADateTime(text); // e.g. February 30th rolled over into March
  if (offsetMinutes !== 0) date.setTime(date.getTime() - offsetMinutes * 60_000);
  return date;
}

function notADateTime(text: string): never {
  throw new RangeError(`Not a Salesforce datetime: ${JSON.stringify(text)}`);
}
