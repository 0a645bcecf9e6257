import { isDeleted, modstampOf, rowsAsJson, type ApplyContext, type SalesforceRecord } from './mirror-rows.js';
import { resolveDuplicateEmails } from '../domain/sync/duplicates.js';
import type { SyncIssue } from '../domain/sync/issues.js';
import { mapAccount, mapContact, mapOpportunity } from '../domain/sync/mapping.js';
import type { SyncedObject } from '../domain/synced-objects.js';

// The part of applying a slice of records that needs no database: mapping each record to its table row,
// settling duplicate emails inside the slice, and the upsert's JSON. Done apart from the writes so a page's
// next slice can be prepared while Postgres writes the current one (the worker's CPU and Postgres' overlap).

/** A table row as the upsert writes it: the owner's columns, the mapped fields, salesforce_modstamp. */
export type MirrorRow = Record<string, unknown> & { salesforce_modstamp: Date };

export interface PreparedSlice {
  object: SyncedObject;
  /** The slice as read (its Ids are the ones whose sync errors are replaced). */
  records: SalesforceRecord[];
  live: SalesforceRecord[];
  deletedIds: string[];
  /** One row per live record (contacts: a duplicate email inside the slice already given to its earliest Id). */
  rows: MirrorRow[];
  /** `rows` as the upsert's JSON, made ahead: used when the rows reach the upsert unchanged. */
  json: string | null;
  /** Mapping issues and the slice's own duplicate emails. */
  issues: SyncIssue[];
}

/** Records mapped per turn of the event loop: short enough that the writes' statements are not held up. */
const PIECE = 250;

/** The slice prepared at once (callers that do not overlap it with writes). */
export function prepareSlice(context: ApplyContext, object: SyncedObject, records: SalesforceRecord[]): PreparedSlice {
  const draft = startSlice(object, records);
  mapPiece(context, draft, 0, draft.live.length);
  return finishSlice(draft);
}

/** The slice prepared in pieces, yielding to the event loop between them, so pending statements go on meanwhile. */
export async function prepareSliceInTurns(context: ApplyContext, object: SyncedObject, records: SalesforceRecord[]): Promise<PreparedSlice> {
  const draft = startSlice(object, records);
  for (let start = 0; start < draft.live.length; start += PIECE) {
    await nextTurn();
    mapPiece(context, draft, start, Math.min(draft.live.length, start + PIECE));
  }
  await nextTurn();
  return finishSlice(draft);
}

/**
 * The page's slices in order, each next one prepared in the background while the caller writes the one
 * before: one slice ahead, so the worker holds one slice of prepared rows more, not the page's.
 */
export async function* preparedSlices(context: ApplyContext, object: SyncedObject, records: SalesforceRecord[], sliceSize: number): AsyncGenerator<PreparedSlice> {
  const prepare = (start: number) => prepareSliceInTurns(context, object, records.slice(start, start + sliceSize));
  let next = records.length > 0 ? prepare(0) : null;
  for (let start = 0; next !== null; start += sliceSize) {
    const current = next;
    // Not awaited until its turn; a failure (a record without SystemModstamp) surfaces then.
    next = start + sliceSize < records.length ? prepare(start + sliceSize) : null;
    next?.catch(() => undefined);
    yield await current;
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

type Draft = Omit<PreparedSlice, 'json'>;

function startSlice(object: SyncedObject, records: SalesforceRecord[]): Draft {
  const live: SalesforceRecord[] = [];
  const deletedIds: string[] = [];
  for (const record of records) {
    if (isDeleted(record)) deletedIds.push(String(record.Id));
    else live.push(record);
  }
  return { object, records, live, deletedIds, rows: [], issues: [] };
}

function mapPiece({ accountId, connectionId, environment }: ApplyContext, draft: Draft, from: number, to: number): void {
  for (let index = from; index < to; index++) {
    const record = draft.live[index]!;
    const mapped = draft.object === 'Account' ? mapAccount(record) : draft.object === 'Contact' ? mapContact(record) : mapOpportunity(record);
    if (mapped.issues.length > 0) draft.issues.push(...mapped.issues);
    // Accounts carry no environment column: the connection implies it.
    const owner = draft.object === 'Account' ? { account_id: accountId, salesforce_connection_id: connectionId } : { account_id: accountId, salesforce_connection_id: connectionId, salesforce_environment: environment };
    draft.rows.push({ ...owner, ...mapped.row, salesforce_modstamp: modstampOf(record) });
  }
}

function finishSlice(draft: Draft): PreparedSlice {
  if (draft.object !== 'Contact' || draft.rows.length === 0) return { ...draft, json: draft.rows.length > 0 ? rowsAsJson(draft.rows) : null };
  const batch = resolveDuplicateEmails(draft.rows as Array<MirrorRow & { salesforce_contact_id: string; email: string | null }>);
  const rows = batch.rows as MirrorRow[];
  return { ...draft, rows, issues: [...draft.issues, ...batch.issues], json: rowsAsJson(rows) };
}
