import { heartbeat, log } from '@temporalio/activity';
import type jsforce from 'jsforce';
import type { Db } from '../../db/connect.js';
import type { CursorRow } from '../../db/cursors.js';
import { countMirrored, removeMirroredRecords, type ApplyContext } from '../../db/mirror.js';
import {
  finishIdReconciliation,
  loadReconciliation,
  mirroredIdsNotListed,
  recordDeletesCovered,
  restartIdListing,
  stageListedIds,
  startIdReconciliation,
  type ReconciliationKey,
  type ReconciliationRow,
} from '../../db/reconciliations.js';
import type { SyncedObject } from '../../domain/synced-objects.js';
import { SALESFORCE_API_VERSION, withSalesforce } from '../../salesforce/client.js';
import { salesforceErrorCode } from '../../salesforce/error-code.js';
import type { ActivityDependencies } from '../dependencies.js';
import { toActivityFailure } from '../failures.js';
import type { SyncPageResult } from './sync-page.js';

// Deletes queryAll can no longer show: a record leaves Salesforce's recycle bin when the bin is
// emptied, when it ages out (15 days), or at once on a hard delete, and from then on neither queryAll
// nor getDeleted lists it. So, per object, at most daily — and sooner after a long pause — one
// getDeleted call checks whether anything left the bin after the point our deletes are known applied
// (`covered_through`). If not, its list is applied and nothing more is needed; if so (its
// earliestDateAvailable is past that point), or that point is older than getDeleted reaches, the
// object's Ids are listed (Id only, 2,000 per call) and mirrored rows whose Ids are gone are removed.

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** A check at least this often, however healthy the connection. */
export const DELETES_CHECK_EVERY_MS = DAY_MS;
/** getDeleted answers for at most 15 days back: from further back, the Ids are reconciled directly. */
const GET_DELETED_REACH_MS = 14 * DAY_MS;
/** Mirrored rows removed per transaction at the end of a reconciliation. */
const REMOVE_BATCH = 2_000;

export type PageOwner = ApplyContext & { object: SyncedObject };

/** After a pause or outage this long (10 poll intervals: 20 minutes by default), the deletes are checked on resume. */
export function longPauseMs(pollIntervalMs: number): number {
  return 10 * pollIntervalMs;
}

/** Pure: whether the object's deletes should be checked now. */
export function deletesCheckDue(row: Pick<ReconciliationRow, 'checked_at'>, watermark: Date | null, now: Date, pollIntervalMs: number): boolean {
  if (!row.checked_at) return true;
  const sinceCheck = now.getTime() - row.checked_at.getTime();
  if (sinceCheck >= DELETES_CHECK_EVERY_MS) return true;
  const pause = longPauseMs(pollIntervalMs);
  return watermark !== null && now.getTime() - watermark.getTime() >= pause && sinceCheck >= pause;
}

interface GetDeletedAnswer {
  deletedRecords: Array<{ id: string; deletedDate: string }>;
  earliestDateAvailable: string;
  latestDateCovered: string;
}

type Step = Omit<SyncPageResult, 'recordsSynced' | 'apiUsage' | 'done'> & { apiUsage: { used: number; limit: number } | undefined };

/**
 * One step of the deletes check for an incremental read, run before the object's window: null when
 * nothing is due (the window is read as usual), else the counts of this step (the workflow calls
 * again, and the window follows once the check or reconciliation is done).
 */
export async function reconcileDeletesStep(deps: ActivityDependencies, owner: PageOwner, cursor: CursorRow, stop: AbortSignal): Promise<SyncPageResult | null> {
  const { db } = deps;
  const key: ReconciliationKey = { connectionId: owner.connectionId, object: owner.object };
  let row = await loadReconciliation(db, key);
  const now = new Date();
  if (!row.running_since) {
    if (!row.covered_through) {
      // The initial read saw everything live when it started: deletes are known up to then, and checked as
      // of then — so a long pause before the first window (or a long initial read) still leads to a check.
      const readStarted = cursor.initial_started_at ?? now;
      await recordDeletesCovered(db, key, readStarted, readStarted);
      row = await loadReconciliation(db, key);
    }
    if (!deletesCheckDue(row, cursor.watermark, now, deps.sync.pollIntervalMs)) return null;
  }
  let apiCalls = 0;
  const countCall = () => {
    stop.throwIfAborted();
    apiCalls++;
  };
  const step = await withSalesforce(deps.tokens, owner.connectionId, async (conn) => {
    const result = row.running_since ? await listIds(conn, db, owner, row, countCall) : await checkDeletes(conn, db, owner, row, now, countCall);
    return { ...result, apiUsage: conn.limitInfo?.apiUsage };
  }).catch((error: unknown) => {
    throw toActivityFailure(error);
  });
  const recordsSynced = await db.transaction().execute((trx) => countMirrored(trx, owner.connectionId, owner.object));
  return { ...step, done: false, apiCalls, recordsSynced, apiUsage: step.apiUsage ? { used: step.apiUsage.used, max: step.apiUsage.limit } : null };
}

type Counts = Pick<Step, 'fetched' | 'upserted' | 'deleted' | 'issues'>;
const NOTHING: Counts = { fetched: 0, upserted: 0, deleted: 0, issues: 0 };

/** One getDeleted call: applies its list when it covers the gap, else starts an Id reconciliation. */
async function checkDeletes(conn: jsforce.Connection, db: Db, owner: PageOwner, row: ReconciliationRow, now: Date, countCall: () => void): Promise<Counts> {
  const key = { connectionId: owner.connectionId, object: owner.object };
  const coveredThrough = row.covered_through!;
  if (now.getTime() - coveredThrough.getTime() > GET_DELETED_REACH_MS) {
    await startIdReconciliation(db, key, now, 'deletes last confirmed longer ago than the recycle bin keeps them');
    return NOTHING;
  }
  // Salesforce wants start a minute or more before end; earlier than needed only repeats known deletes.
  const start = new Date(Math.min(coveredThrough.getTime() - MINUTE_MS, now.getTime() - 2 * MINUTE_MS));
  countCall();
  const answer = await conn.request<GetDeletedAnswer>(
    `/services/data/v${SALESFORCE_API_VERSION}/sobjects/${owner.object}/deleted/?start=${encodeURIComponent(start.toISOString())}&end=${encodeURIComponent(now.toISOString())}`,
  );
  // earliestDateAvailable is the (whole-minute) deletion time of the latest record that left the bin:
  // one deleted after our covered point may never have been seen by queryAll.
  if (Date.parse(answer.earliestDateAvailable) + MINUTE_MS > coveredThrough.getTime()) {
    log.info('Deleted records left the recycle bin since deletes were last confirmed; reconciling Ids', { object: owner.object });
    await startIdReconciliation(db, key, now, 'records left the recycle bin (emptied, hard-deleted or expired) before they were read');
    return NOTHING;
  }
  const ids = answer.deletedRecords.map((record) => record.id);
  const removed = await db.transaction().execute(async (trx) => {
    const applied = ids.length > 0 ? await removeMirroredRecords(trx, owner, owner.object, ids) : undefined;
    await recordDeletesCovered(trx, key, new Date(Math.min(Date.parse(answer.latestDateCovered), now.getTime())), now);
    return applied ? -applied.mirroredDelta : 0;
  });
  return { ...NOTHING, fetched: ids.length, deleted: removed };
}

type IdPage = { records: Array<{ Id: string }>; done: boolean; nextRecordsUrl?: string };

/** One page of the object's Ids (a fresh listing, or its next page); at the end, the rows whose Ids are gone go. */
async function listIds(conn: jsforce.Connection, db: Db, owner: PageOwner, row: ReconciliationRow, countCall: () => void): Promise<Counts> {
  const key = { connectionId: owner.connectionId, object: owner.object };
  let page: IdPage;
  try {
    countCall();
    page = row.locator
      ? await conn.request<IdPage>(row.locator)
      : ((await conn.query(`SELECT Id FROM ${owner.object}`, { autoFetch: false })) as unknown as IdPage);
  } catch (error) {
    if (salesforceErrorCode(error) !== 'INVALID_QUERY_LOCATOR') throw error;
    log.warn('Id listing locator expired; listing the Ids again', { object: owner.object });
    await restartIdListing(db, key);
    return NOTHING;
  }
  const ids = page.records.map((record) => record.Id);
  await stageListedIds(db, key, ids, page.done ? null : (page.nextRecordsUrl ?? null));
  if (!page.done) return { ...NOTHING, fetched: ids.length };
  const removed = await removeUnlisted(db, owner);
  const reason = row.running_reason ?? 'scheduled';
  await finishIdReconciliation(db, key, { removed, coveredThrough: row.running_since!, at: new Date(), reason });
  log.info('Id reconciliation done', { object: owner.object, removed });
  return { ...NOTHING, fetched: ids.length, deleted: removed };
}

/** Removes, in short transactions, every mirrored row of the object whose Id Salesforce did not list. */
async function removeUnlisted(db: Db, owner: PageOwner): Promise<number> {
  let removed = 0;
  for (;;) {
    const gone = await mirroredIdsNotListed(db, owner, REMOVE_BATCH);
    if (gone.length === 0) return removed;
    const batch = await db.transaction().execute(async (trx) => -(await removeMirroredRecords(trx, owner, owner.object, gone)).mirroredDelta);
    removed += batch;
    heartbeat();
    if (batch === 0) return removed; // nothing removable left (never loop on rows another writer holds)
  }
}
