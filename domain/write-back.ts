// Write-back of FastFollow-side edits (the outbox) to Salesforce: which fields flow back, how many
// edits of one record become one write, and who wins when a field changed on both sides. Pure.

export type WriteBackObject = 'Contact' | 'Opportunity';

/** The bidirectional fields: FastFollow column → Salesforce field. */
export const WRITE_BACK_FIELDS: Record<WriteBackObject, Readonly<Record<string, string>>> = {
  Contact: { email: 'Email', phone: 'Phone' },
  Opportunity: { title: 'Name', value: 'Amount', stage: 'StageName', expected_close_date: 'CloseDate' },
};

/** One captured edit (an outbox row). */
export interface OutboxEdit {
  seq: string;
  object: WriteBackObject;
  recordId: string;
  salesforceId: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
  changedAt: Date;
}

export interface PendingField {
  field: string;
  salesforceField: string;
  /** The last value FastFollow gave the field (the one to write). */
  value: string | null;
  /** The value before the first unsent edit: what Salesforce had as far as FastFollow knew. */
  before: string | null;
  changedAt: Date;
  seqs: string[];
  /** Every value the field had in these edits: Salesforce showing one of them is not a Salesforce change (e.g. a write re-sent after a crash). */
  history: Array<string | null>;
}

/** Every unsent edit of one record, coalesced: the last value per field, in sequence order. */
export interface PendingRecord {
  object: WriteBackObject;
  recordId: string;
  salesforceId: string;
  fields: PendingField[];
}

const bySeq = (a: OutboxEdit, b: OutboxEdit) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0);

/** Mapped custom fields written back, per object: FastFollow field (`custom.<key>`) → Salesforce field. */
export type CustomWriteFields = Partial<Record<WriteBackObject, Readonly<Record<string, string>>>>;

/** The Salesforce field an edit writes, if any (a custom field only while it is mapped to Salesforce). */
export function salesforceFieldOf(edit: Pick<OutboxEdit, 'object' | 'field'>, custom: CustomWriteFields = {}): string | undefined {
  return Object.hasOwn(WRITE_BACK_FIELDS[edit.object], edit.field) ? WRITE_BACK_FIELDS[edit.object][edit.field] : custom[edit.object]?.[edit.field];
}

/** Coalesces edits into one pending write per record (records in the order of their first edit); edits of unmapped fields are left out. */
export function coalesceEdits(edits: OutboxEdit[], custom: CustomWriteFields = {}): PendingRecord[] {
  const records = new Map<string, PendingRecord & { byField: Map<string, PendingField> }>();
  for (const edit of [...edits].sort(bySeq)) {
    const salesforceField = salesforceFieldOf(edit, custom);
    if (!salesforceField) continue;
    const key = `${edit.object}:${edit.salesforceId}`;
    let record = records.get(key);
    if (!record) {
      record = { object: edit.object, recordId: edit.recordId, salesforceId: edit.salesforceId, fields: [], byField: new Map() };
      records.set(key, record);
    }
    const known = record.byField.get(edit.field);
    if (known) {
      known.value = edit.newValue;
      known.changedAt = edit.changedAt;
      known.seqs.push(edit.seq);
      known.history.push(edit.newValue);
    } else {
      const field = { field: edit.field, salesforceField, value: edit.newValue, before: edit.oldValue, changedAt: edit.changedAt, seqs: [edit.seq], history: [edit.oldValue, edit.newValue] };
      record.byField.set(edit.field, field);
      record.fields.push(field);
    }
  }
  return [...records.values()].map(({ byField: _byField, ...record }) => record);
}

/** A FastFollow value as Salesforce takes it (Amount is a number; empty is null). */
export function toSalesforceValue(salesforceField: string, value: string | null): string | number | null {
  if (value === null || value.trim() === '') return null;
  if (salesforceField === 'Amount') return Number(value);
  return value;
}

/** Comparable form of a value on either side (trimmed; numbers as numbers; emails case-insensitive). */
export function comparable(salesforceField: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (text === '') return null;
  if (salesforceField === 'Amount') return String(Number(text));
  if (salesforceField === 'Email') return text.toLowerCase();
  if (salesforceField === 'CloseDate') return text.slice(0, 10);
  return text;
}

export interface WriteConflict {
  field: string;
  fastfollowValue: string | null;
  salesforceValue: string | null;
  winner: 'salesforce' | 'fastfollow';
}

export interface Resolution {
  /** Salesforce fields to write (empty: nothing to send for this record). */
  changes: Record<string, string | number | boolean | null>;
  /** Fields Salesforce already has FastFollow's value of (nothing to write). */
  unchanged: PendingField[];
  /** Fields Salesforce won (a conflict): FastFollow's edit is dropped. */
  overruled: PendingField[];
  written: PendingField[];
  conflicts: WriteConflict[];
}

/**
 * Compares a pending record with Salesforce's current values. A field Salesforce changed since
 * FastFollow last knew it (its value is none of the field's values in these edits) is a conflict:
 * Salesforce wins for Opportunity (deal) fields; for Contact fields the newer edit wins, FastFollow's
 * edit time against the record's SystemModstamp (a tie goes to Salesforce).
 */
export function resolveRecord(record: PendingRecord, current: Record<string, unknown>): Resolution {
  const resolution: Resolution = { changes: {}, unchanged: [], overruled: [], written: [], conflicts: [] };
  const modstamp = typeof current.SystemModstamp === 'string' ? Date.parse(current.SystemModstamp) : Number.NaN;
  for (const field of record.fields) {
    const theirs = comparable(field.salesforceField, current[field.salesforceField]);
    const ours = comparable(field.salesforceField, field.value);
    if (theirs === ours) {
      resolution.unchanged.push(field);
      continue;
    }
    if (!field.history.some((value) => comparable(field.salesforceField, value) === theirs)) {
      const fastfollowWins = record.object === 'Contact' && field.changedAt.getTime() > modstamp;
      const raw = current[field.salesforceField];
      const salesforceValue = raw === null || raw === undefined ? null : String(raw);
      resolution.conflicts.push({ field: field.field, fastfollowValue: field.value, salesforceValue, winner: fastfollowWins ? 'fastfollow' : 'salesforce' });
      if (!fastfollowWins) {
        resolution.overruled.push(field);
        continue;
      }
    }
    resolution.changes[field.salesforceField] = toSalesforceValue(field.salesforceField, field.value);
    resolution.written.push(field);
  }
  return resolution;
}

/** Per-record codes worth another try later (the record was locked, Salesforce was busy). */
export const TRANSIENT_RECORD_CODES: ReadonlySet<string> = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG']);
/** Tries before a transient per-record failure is stored as failed. */
export const MAX_RECORD_ATTEMPTS = 8;

/** Seconds before a record that failed transiently `attempts` times is tried again (2 s doubling, at most 5 min). */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}
