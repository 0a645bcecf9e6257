import { setImmediate as nextTurn } from 'node:timers/promises';
import { isDeleted, modstampOf, rowsAsJson, type SalesforceRecord } from './mirror-rows.js';
import { resolveDuplicateEmails } from '../domain/sync/duplicates.js';
import type { SyncIssue } from '../domain/sync/issues.js';
import { mapAccount, mapContact, mapOpportunity } from '../domain/sync/mapping.js';
import type { SyncedObject } from '../domain/synced-objects.js';

// The part of applying a slice of records that needs no database: mapping each record to its table row,
// settling duplicate emails inside the slice, and the upsert's JSON. Done apart from the writes so a page's
// next slice can be prepared while Postgres writes the current one (the worker's CPU and Postgres' overlap).

/** A table row as the upsert writes it (the owner's columns aside): the mapped fields and salesforce_modstamp. */
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
  /** The same JSON in pieces of JSON_PIECE rows (no brackets): a piece holding no changed row is used as is. */
  jsonParts: string[];
  /** Mapping issues and the slice's own duplicate emails. */
  issues: SyncIssue[];
}

/** Records mapped per turn of the event loop: short enough that the writes' statements are not held up. */
const PIECE = 250;

/** The slice prepared at once (callers that do not overlap it with writes). */
export function prepareSlice(object: SyncedObject, records: SalesforceRecord[]): PreparedSlice {
  const steps = preparation(object, records);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/** The slice prepared in pieces, yielding to the event loop between them, so pending statements go on meanwhile. */
async function prepareSliceInTurns(object: SyncedObject, records: SalesforceRecord[]): Promise<PreparedSlice> {
  const steps = preparation(object, records);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** A slice's preparation in pieces: each `yield` is where the event loop may take a turn. */
function* preparation(object: SyncedObject, records: SalesforceRecord[]): Generator<void, PreparedSlice> {
  const draft = startSlice(object, records);
  for (let start = 0; start < draft.live.length; start += PIECE) {
    yield;
    mapPiece(draft, start, Math.min(draft.live.length, start + PIECE));
  }
  yield;
  const slice = settleSlice(draft);
  const jsonParts: string[] = [];
  for (let start = 0; start < slice.rows.length; start += JSON_PIECE) {
    if (start > 0) yield;
    jsonParts.push(jsonPiece(slice.rows, start));
  }
  return { ...slice, json: joinJson(jsonParts), jsonParts };
}

/**
 * Rows turned into the upsert's JSON per turn of the event loop (~1 ms): a whole slice's JSON in one go
 * held the event loop ~10 ms, and with it the answer of the statement before (Postgres waited).
 */
const JSON_PIECE = 500;

/** Rows `from`…`from + JSON_PIECE` as JSON array elements (no brackets). */
function jsonPiece(rows: readonly MirrorRow[], from: number): string {
  return rowsAsJson(rows.slice(from, from + JSON_PIECE)).slice(1, -1);
}

function joinJson(parts: string[]): string | null {
  return parts.length > 0 ? `[${parts.join(',')}]` : null;
}

/**
 * The slice's JSON after the apply changed or dropped some of its rows (`now[i]`: row i as it is now,
 * null if dropped): only the pieces holding a change are made again (dirty data changes a few rows of a
 * slice; its whole JSON again held the worker ~10 ms while Postgres waited).
 */
export function jsonAfterChanges(slice: Pick<PreparedSlice, 'rows' | 'jsonParts'>, now: ReadonlyArray<MirrorRow | null>): string | null {
  const parts: string[] = [];
  for (let from = 0, piece = 0; from < now.length; from += JSON_PIECE, piece++) {
    const to = Math.min(now.length, from + JSON_PIECE);
    let same = true;
    for (let i = from; i < to && same; i++) same = now[i] === slice.rows[i];
    if (same) {
      parts.push(slice.jsonParts[piece]!);
      continue;
    }
    const kept = now.slice(from, to).filter((row): row is MirrorRow => row !== null);
    if (kept.length > 0) parts.push(rowsAsJson(kept).slice(1, -1));
  }
  return joinJson(parts);
}

/**
 * Records to apply: `records`, and while they are still arriving (a chunk being parsed), the promise that
 * settles when all are in and where to say which rows were taken (the parse keeps only a little ahead).
 */
export interface RecordSource {
  records: SalesforceRecord[];
  arriving?: Promise<void>;
  taken?: (count: number) => void;
}

/** The first slice's size: small, so Postgres starts writing as soon as a few rows are ready (the pipeline's warm-up; each next slice is twice the one before, up to the page's slice size). */
const FIRST_SLICE = 1_000;

/**
 * The page's slices in order, each next one prepared in the background while the caller writes the one
 * before: one slice ahead, so the worker holds one slice of prepared rows more, not the page's. Records
 * still arriving are waited for slice by slice; a failed arrival (malformed CSV) fails the slice waiting.
 * `onAllPrepared` is called once the last slice is prepared (while it is still to be written).
 */
export async function* preparedSlices(object: SyncedObject, source: RecordSource, sliceSize: number, onAllPrepared?: () => void): AsyncGenerator<PreparedSlice> {
  const arrival = arrivalOf(source);
  const prepare = async (start: number, size: number) => {
    source.taken?.(start + size);
    await arrival.until(start + size);
    const part = source.records.slice(start, start + size);
    return part.length > 0 ? prepareSliceInTurns(object, part) : null;
  };
  // Each slice's preparation; the one that finds no records left means every slice is prepared.
  const watched = (preparing: Promise<PreparedSlice | null>) => {
    preparing.then((slice) => slice === null && onAllPrepared?.(), () => undefined);
    return preparing;
  };
  const first = Math.min(FIRST_SLICE, sliceSize);
  let next: Promise<PreparedSlice | null> = watched(prepare(0, first));
  let size = first;
  for (let start = first; ; start += size) {
    const current = await next;
    if (current === null) return;
    // Doubling up to `sliceSize`: Postgres writes a slice in about the time the worker needs to prepare
    // one twice its size, so each next slice is ready about when the one before is written.
    size = Math.min(sliceSize, size * 2);
    // Not awaited until its turn; a failure (a record without SystemModstamp) surfaces then.
    next = watched(prepare(start, size));
    yield current;
  }
}

/** Waits, turn by turn, until `source` holds `count` records or all it will hold. */
function arrivalOf(source: RecordSource): { until(count: number): Promise<void> } {
  let settled = source.arriving === undefined;
  let failure: { error: unknown } | undefined;
  source.arriving?.then(
    () => (settled = true),
    (error: unknown) => {
      settled = true;
      failure = { error };
    },
  );
  return {
    async until(count) {
      while (!settled && source.records.length < count) await nextTurn();
      if (failure && source.records.length < count) throw failure.error;
    },
  };
}

type Draft = Omit<PreparedSlice, 'json' | 'jsonParts'>;

function startSlice(object: SyncedObject, records: SalesforceRecord[]): Draft {
  const live: SalesforceRecord[] = [];
  const deletedIds: string[] = [];
  for (const record of records) {
    if (isDeleted(record)) deletedIds.push(String(record.Id));
    else live.push(record);
  }
  return { object, records, live, deletedIds, rows: [], issues: [] };
}

function mapPiece(draft: Draft, from: number, to: number): void {
  for (let index = from; index < to; index++) {
    const record = draft.live[index]!;
    const mapped = draft.object === 'Account' ? mapAccount(record) : draft.object === 'Contact' ? mapContact(record) : mapOpportunity(record);
    if (mapped.issues.length > 0) draft.issues.push(...mapped.issues);
    // Set on the mapped row (new, only ours) in place: a copy per record was a third of the worker's apply CPU.
    const row = mapped.row as unknown as MirrorRow;
    row.salesforce_modstamp = modstampOf(record);
    draft.rows.push(row);
  }
}

/** Contacts: a duplicate email inside the slice goes to its earliest Id (the other rows lose it, with an issue). */
function settleSlice(draft: Draft): Draft {
  if (draft.object !== 'Contact' || draft.rows.length === 0) return draft;
  const batch = resolveDuplicateEmails(draft.rows as Array<MirrorRow & { salesforce_contact_id: string; email: string | null }>);
  return { ...draft, rows: batch.rows as MirrorRow[], issues: [...draft.issues, ...batch.issues] };
}

/** Slices whose first one is being prepared already: taken by the page's apply when its turn comes. */
export type SlicesInPreparation = AsyncIterable<PreparedSlice>;

/**
 * `slices` with its first step taken now, so its first slice is prepared before anyone asks for it (e.g.
 * while the page before is still written); the rest on demand. A failure surfaces when that step is taken.
 */
export function preparingNow(slices: AsyncGenerator<PreparedSlice>): SlicesInPreparation {
  let first: Promise<IteratorResult<PreparedSlice>> | undefined = slices.next();
  first.catch(() => undefined);
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const step = first ?? slices.next();
        first = undefined;
        return step;
      },
      return: () => slices.return(undefined),
    }),
  };
}
