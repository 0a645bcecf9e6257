import { dueBornCount } from '../db/born-records.js';
import type { Db } from '../db/connect.js';
import { outboxState } from '../db/outbox.js';
import { withSalesforce } from '../salesforce/client.js';
import type { ActivityDependencies } from './dependencies.js';
import { toActivityFailure } from './failures.js';
import { whileHeartbeating } from './connection-stop.js';
import { writeOneBatch, type WriteBackCounts } from './write-back-batch.js';
import { createBornBatch } from './write-back-create.js';
import { backfillOnePage } from './write-back-backfill.js';
import { flagHiddenMappedField } from './hidden-mapped-field.js';
import { backfillPendingCount } from '../db/field-mappings.js';

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

/** Outbox edits, born records and backfills due now, and when the next retry is due. */
async function pendingWork(db: Db, connectionId: string) {
  const [edits, bornDue, backfills] = await Promise.all([outboxState(db, connectionId), dueBornCount(db, connectionId), backfillPendingCount(db, connectionId)]);
  return { due: edits.due + bornDue + backfills, nextDueInMs: edits.nextDueInMs, bornDue, editsDue: edits.due, backfills };
}

export function createWriteBackActivities(deps: ActivityDependencies) {
  return {
    /**
     * Writes the connection's next batch of FastFollow edits (the outbox) to Salesforce. Nothing due:
     * one indexed query and no Salesforce call. Safe to retry at any point: edits stay pending until
     * their outcome is stored, and a PATCH of the same values again changes nothing.
     */
    async pushWriteBackBatch({ connectionId }: WriteBackInput): Promise<WriteBackResult> {
      const counts: WriteBackCounts = { written: 0, created: 0, failed: 0, retrying: 0, conflicts: 0, apiCalls: 0, collectionCalls: 0 };
      const { bornDue, editsDue, backfills, ...before } = await pendingWork(deps.db, connectionId);
      if (before.due === 0) return { ...counts, ...before, apiUsage: null };
      return whileHeartbeating(deps.db, connectionId, HEARTBEAT_EVERY_MS, async (stop) => {
        const apiUsage = await withSalesforce(deps.tokens, connectionId, async (conn) => {
          stop.throwIfAborted();
          // Creates first: edits of a record just linked are then written in the same activity.
          if (bornDue > 0) await createBornBatch(deps.db, conn, connectionId, counts);
          stop.throwIfAborted();
          if (editsDue > 0 || counts.created > 0) await writeOneBatch(deps.db, conn, connectionId, counts);
          // Writes go first; a backfill read (of newly mapped fields) takes one page per step.
          stop.throwIfAborted();
          if (backfills > 0 && bornDue === 0 && editsDue === 0) await backfillOnePage(deps.db, conn, connectionId, counts);
          return conn.limitInfo?.apiUsage;
        }).catch(async (error: unknown) => {
          await flagHiddenMappedField(deps.db, connectionId, error);
          throw toActivityFailure(error);
        });
        const { bornDue: _born, editsDue: _edits, backfills: _backfills, ...after } = await pendingWork(deps.db, connectionId);
        return { ...counts, ...after, apiUsage: apiUsage ? { used: apiUsage.used, max: apiUsage.limit } : null };
      });
    },
  };
}
