import { outboxState } from '../db/outbox.js';
import { withSalesforce } from '../salesforce/client.js';
import type { ActivityDependencies } from './dependencies.js';
import { toActivityFailure } from './failures.js';
import { whileHeartbeating } from './connection-stop.js';
import { writeOneBatch, type WriteBackCounts } from './write-back-batch.js';

export interface WriteBackInput {
  connectionId: string;
}

export interface WriteBackResult extends WriteBackCounts {
  /** Edits still due now (the lane sends the next batch at once). */
  due: number;
  /** When the next edit waiting for a retry is due; null when none waits. */
  nextDueInMs: number | null;
  apiUsage: { used: number; max: number } | null;
}

const HEARTBEAT_EVERY_MS = 2_000;

export function createWriteBackActivities(deps: ActivityDependencies) {
  return {
    /**
     * Writes the connection's next batch of FastFollow edits (the outbox) to Salesforce. Nothing due:
     * one indexed query and no Salesforce call. Safe to retry at any point: edits stay pending until
     * their outcome is stored, and a PATCH of the same values again changes nothing.
     */
    async pushWriteBackBatch({ connectionId }: WriteBackInput): Promise<WriteBackResult> {
      const counts: WriteBackCounts = { written: 0, failed: 0, retrying: 0, conflicts: 0, apiCalls: 0, collectionCalls: 0 };
      const before = await outboxState(deps.db, connectionId);
      if (before.due === 0) return { ...counts, ...before, apiUsage: null };
      return whileHeartbeating(deps.db, connectionId, HEARTBEAT_EVERY_MS, async (stop) => {
        const apiUsage = await withSalesforce(deps.tokens, connectionId, async (conn) => {
          stop.throwIfAborted();
          await writeOneBatch(deps.db, conn, connectionId, counts);
          return conn.limitInfo?.apiUsage;
        }).catch((error: unknown) => {
          throw toActivityFailure(error);
        });
        const after = await outboxState(deps.db, connectionId);
        return { ...counts, ...after, apiUsage: apiUsage ? { used: apiUsage.used, max: apiUsage.limit } : null };
      });
    },
  };
}
