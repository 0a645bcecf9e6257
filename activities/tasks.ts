import { queueState } from '../db/followup-batches.js';
import { withSalesforce } from '../salesforce/client.js';
import type { ActivityDependencies } from './dependencies.js';
import { toActivityFailure } from './failures.js';
import { whileHeartbeating } from './connection-stop.js';
import { logOneBatch, type BatchCounts } from './tasks-batch.js';

export interface LogFollowupsInput {
  connectionId: string;
}

/** Counts only (follow-up contents never enter Temporal history), and what is left in the queue. */
export interface LogFollowupsResult extends BatchCounts {
  /** Pending follow-ups due now (the lane sends the next batch at once). */
  due: number;
  /** When the next waiting follow-up (a contact not in Salesforce yet, a locked row) is due; null when none waits. */
  nextDueInMs: number | null;
  apiUsage: { used: number; max: number } | null;
}

/** Default of FOLLOWUP_CONTACT_WAIT. */
const DEFAULT_CONTACT_WAIT_MS = 2 * 60_000;
const HEARTBEAT_EVERY_MS = 2_000;

export function createTaskActivities(deps: ActivityDependencies) {
  return {
    /**
     * Logs the connection's next batch of pending follow-ups as Salesforce Tasks (up to 200 in one
     * sObject Collections call), after reconciling any earlier batch whose answer was lost. Safe to
     * retry at any point: a follow-up gets at most one Task (docs/how-sync-works.md).
     */
    async logFollowupBatch({ connectionId }: LogFollowupsInput): Promise<LogFollowupsResult> {
      const counts: BatchCounts = { logged: 0, adopted: 0, failed: 0, waitingForContact: 0, apiCalls: 0, collectionCalls: 0 };
      const before = await queueState(deps.db, connectionId);
      if (before.due === 0) return { ...counts, ...before, apiUsage: null };
      return whileHeartbeating(deps.db, connectionId, HEARTBEAT_EVERY_MS, async (stop) => {
        const apiUsage = await withSalesforce(deps.tokens, connectionId, async (conn) => {
          const contactWaitMs = deps.followups?.contactWaitMs ?? DEFAULT_CONTACT_WAIT_MS;
          await logOneBatch({ db: deps.db, conn, connectionId, contactWaitMs, stop, counts });
          return conn.limitInfo?.apiUsage;
        }).catch((error: unknown) => {
          throw toActivityFailure(error);
        });
        const after = await queueState(deps.db, connectionId);
        return { ...counts, ...after, apiUsage: apiUsage ? { used: apiUsage.used, max: apiUsage.limit } : null };
      });
    },
  };
}
