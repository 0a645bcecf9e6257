import { heartbeat } from '@temporalio/activity';
import { loadOrCreateCursor, type CursorRow } from '../../db/cursors.js';
import type { SyncedObject } from '../../domain/synced-objects.js';
import { withSalesforce } from '../../salesforce/client.js';
import type { ActivityDependencies } from '../dependencies.js';
import { toActivityFailure } from '../failures.js';
import { applyAndAdvance } from './apply-and-advance.js';
import type { FetchedPage } from './fetched-page.js';
import { nextRead, type NextRead, type SyncMode } from './next-read.js';
import { whileHeartbeating } from '../connection-stop.js';
import { planInitialReads, type InitialReadEstimate } from './plan-initial-reads.js';
import { nextPollWait, readBulkChunk, type BulkWait } from './read-bulk-chunk.js';
import { readRestPage } from './read-rest-page.js';
import { readFieldNames } from '../../db/field-mappings.js';
import { flagHiddenMappedField } from '../hidden-mapped-field.js';
import { reconcileDeletesStep } from './reconcile-deletes.js';
import { startBulkJobsTogether } from './start-bulk-jobs.js';
import { applyInitialRun, NO_PAGE } from './initial-run.js';
import { planInitialSync, type InitialPlanResult } from './initial-plan.js';
import { ownerOfPage } from './page-owner.js';

export interface SyncPageInput {
  connectionId: string;
  object: SyncedObject;
  mode: SyncMode;
  lookbackMs: number;
  safetyLagMs: number;
}

/** Counts only: record contents never enter Temporal history. */
export interface SyncPageResult {
  done: boolean;
  fetched: number;
  upserted: number;
  deleted: number;
  issues: number;
  /** Rows of this object mirrored in FastFollow now (after this page). */
  recordsSynced: number;
  apiCalls: number;
  apiUsage: { used: number; max: number } | null;
  /** A Bulk job is still processing (or was just replaced): call again after this long (the workflow's durable timer). */
  waitMs?: number;
  /** Set by the page that planned the initial read: its size and expected calls (auto-planning). */
  estimate?: InitialReadEstimate;
}

/** Heartbeats while a page runs, so a dead worker's page is retried elsewhere within the heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 3_000;

function nothingRead(cursor: CursorRow): SyncPageResult {
  return { done: true, fetched: 0, upserted: 0, deleted: 0, issues: 0, recordsSynced: Number(cursor.records_synced), apiCalls: 0, apiUsage: null };
}

/**
 * Reads the page in one Salesforce session: plans the initial reads first if nobody has yet. Every
 * request is counted first, and none is made once `stop` is aborted (a disconnect).
 */
async function fetchPage({ db, tokens, sync }: ActivityDependencies, connectionId: string, cursor: CursorRow, read: NextRead, stop: AbortSignal) {
  let apiCalls = 0;
  const countCall = () => {
    stop.throwIfAborted();
    apiCalls++;
  };
  const fetched = await withSalesforce(tokens, connectionId, async (conn) => {
    let current = cursor;
    let estimate: InitialReadEstimate | undefined;
    if (read.mode === 'initial' && !current.method) {
      estimate = await planInitialReads(conn, db, connectionId, sync.bulkMinRecords, countCall);
      await startBulkJobsTogether(conn, db, connectionId, countCall);
      current = await loadOrCreateCursor(db, { connectionId, object: cursor.object });
      // This object's job was just asked for with the others: its first status poll comes after the usual wait.
      if (current.method === 'bulk' && current.bulk_job_id) {
        const wait: BulkWait = await nextPollWait(db, current);
        return { page: wait, cursor: current, apiUsage: conn.limitInfo?.apiUsage, estimate };
      }
    }
    const page: FetchedPage | BulkWait =
      read.mode === 'initial' && current.method === 'bulk'
        ? await readBulkChunk(conn, db, current, countCall)
        : await readRestPage(conn, current, read, countCall, await readFieldNames(db, connectionId, current.object));
    return { page, cursor: current, apiUsage: conn.limitInfo?.apiUsage, estimate };
  }).catch(async (error: unknown) => {
    await flagHiddenMappedField(db, connectionId, error);
    // Typed by Salesforce error code (a revoked grant included) so the workflow decides.
    throw toActivityFailure(error);
  });
  return { ...fetched, apiCalls };
}

async function syncOnePage(deps: ActivityDependencies, input: SyncPageInput, stop: AbortSignal): Promise<SyncPageResult> {
  const { db } = deps;
  const { connectionId, object } = input;
  const { accountId, environment } = await ownerOfPage(db, connectionId);
  const cursor = await loadOrCreateCursor(db, { connectionId, object });
  if (input.mode === 'incremental') {
    // Deletes queryAll can no longer show (purged from the recycle bin) are checked before the window.
    const reconciled = await reconcileDeletesStep(deps, { accountId, connectionId, environment, object }, cursor, stop);
    if (reconciled) return reconciled;
  }
  const read = nextRead(cursor, input.mode, { now: new Date(), lookbackMs: input.lookbackMs, safetyLagMs: input.safetyLagMs });
  if (!read) return nothingRead(cursor);
  const startedAt = new Date();

  const fetched = await fetchPage(deps, connectionId, cursor, read, stop);
  const apiUsage = fetched.apiUsage ? { used: fetched.apiUsage.used, max: fetched.apiUsage.limit } : null;
  const estimate = fetched.estimate ? { estimate: fetched.estimate } : {};
  if ('waitMs' in fetched.page) return { ...nothingRead(cursor), done: false, apiCalls: fetched.apiCalls, apiUsage, waitMs: fetched.page.waitMs, ...estimate };
  // Disconnected meanwhile: the connection's data is not written to any more.
  if (stop.aborted) fetched.page.cancel?.();
  stop.throwIfAborted();
  heartbeat();
  const target = { accountId, connectionId, environment, object };
  if (read.mode === 'initial') {
    // Several pages in this activity, the next fetched while the current one is applied.
    const start = { ...fetched, page: fetched.page };
    fetched.page = NO_PAGE; // the run owns the rows now, and lets each page go once it is written
    const run = await applyInitialRun(deps, target, start, read, startedAt, stop);
    return { ...run, apiUsage: run.apiUsage ? { used: run.apiUsage.used, max: run.apiUsage.limit } : null, ...estimate };
  }
  const applied = await applyAndAdvance(db, target, fetched.cursor, read, fetched.page, startedAt);
  return {
    done: fetched.page.done,
    fetched: fetched.page.records.length,
    upserted: applied.upserted,
    deleted: applied.deleted,
    issues: applied.issues,
    recordsSynced: applied.recordsSynced,
    apiCalls: fetched.apiCalls,
    apiUsage,
    ...estimate,
  };
}

export function createSyncActivities(deps: ActivityDependencies) {
  return {
    /**
     * Reads one page of one object (initial read, or the current incremental window), applies it
     * and advances the cursor in the same transaction. Safe to retry at any point: a crash before
     * the commit re-reads the same page; after it, the next page.
     */
    async syncPage(input: SyncPageInput): Promise<SyncPageResult> {
      // Heartbeats also bring Temporal's cancellation (a disconnect) to the activity.
      return whileHeartbeating(deps.db, input.connectionId, HEARTBEAT_EVERY_MS, (stop) => syncOnePage(deps, input, stop));
    },

    /**
     * Plans the initial read before its first page (record counts, REST or Bulk per object, the Bulk
     * jobs asked for together); nothing when it is planned already. Its own step, so each object's pages
     * are only that object's work (the Temporal UI and the benchmark time them apart).
     */
    async planInitialSync(input: { connectionId: string }): Promise<InitialPlanResult> {
      return whileHeartbeating(deps.db, input.connectionId, HEARTBEAT_EVERY_MS, (stop) => planInitialSync(deps, input.connectionId, stop));
    },
  };
}
