import { loadOrCreateCursor } from '../../db/cursors.js';
import { SYNCED_OBJECTS, type SyncedObject } from '../../domain/synced-objects.js';
import { withSalesforce } from '../../salesforce/client.js';
import type { ActivityDependencies } from '../dependencies.js';
import { toActivityFailure } from '../failures.js';
import { ownerOfPage } from './page-owner.js';
import { planInitialReads, type InitialReadEstimate } from './plan-initial-reads.js';
import { nextPollWait } from './read-bulk-chunk.js';
import { startBulkJobsTogether } from './start-bulk-jobs.js';

/** Counts only, as a page reports them. */
export interface InitialPlanResult {
  apiCalls: number;
  apiUsage: { used: number; max: number } | null;
  /** The read's size and expected calls (auto-planning); absent when the read was planned before. */
  estimate?: InitialReadEstimate;
  /**
   * Objects whose Bulk job was asked for just now and whose turn comes at once (the first object): when
   * their first status poll is due, so it is not spent on a job that cannot be done yet.
   */
  pollAfterMs: Partial<Record<SyncedObject, number>>;
}

/**
 * The initial read's plan, as a step of its own before any page: the org's record counts, REST or Bulk
 * for each object, and every Bulk job asked for at once. Nothing to do (0 calls) when every object still
 * to read has its method already (a pass resumed after a pause or a worker restart).
 */
export async function planInitialSync(deps: ActivityDependencies, connectionId: string, stop: AbortSignal): Promise<InitialPlanResult> {
  const { db, tokens, sync } = deps;
  await ownerOfPage(db, connectionId);
  const cursors = await Promise.all(SYNCED_OBJECTS.map((object) => loadOrCreateCursor(db, { connectionId, object })));
  if (!cursors.some((cursor) => !cursor.initial_done && !cursor.method)) return { apiCalls: 0, apiUsage: null, pollAfterMs: {} };
  let apiCalls = 0;
  const countCall = () => {
    stop.throwIfAborted();
    apiCalls++;
  };
  const planned = await withSalesforce(tokens, connectionId, async (conn) => {
    const estimate = await planInitialReads(conn, db, connectionId, sync.bulkMinRecords, countCall);
    await startBulkJobsTogether(conn, db, connectionId, countCall);
    const usage = conn.limitInfo?.apiUsage;
    return { estimate, apiUsage: usage ? { used: usage.used, max: usage.limit } : null };
  }).catch((error: unknown) => {
    // Typed by Salesforce error code (a revoked grant included) so the workflow decides.
    throw toActivityFailure(error);
  });
  const first = await loadOrCreateCursor(db, { connectionId, object: SYNCED_OBJECTS[0] });
  const pollAfterMs: InitialPlanResult['pollAfterMs'] = {};
  if (first.method === 'bulk' && first.bulk_job_id && !first.initial_done) pollAfterMs[first.object] = (await nextPollWait(db, first)).waitMs;
  return { ...planned, apiCalls, pollAfterMs };
}
