import type { Db } from '../../db/connect.js';
import { lostBulkJobs } from '../../db/cursors.js';
import { writeBackHealthOf } from './write-back-health.js';
import { reconciliationsOf, type ReconciliationRow } from '../../db/reconciliations.js';
import { groupSyncErrors } from '../../db/sync-errors.js';
import { explainError } from '../../domain/error-explanations.js';
import type { ConnectionStatus } from '../../domain/connection-status.js';

export interface SyncHealth {
  accountId: string;
  environment: string;
  phase: ConnectionStatus['phase'];
  apiUsage: {
    /** The org's own count for the rolling 24 h (all integrations), from Sforce-Limit-Info. */
    orgUsed: number | null;
    orgLimit: number | null;
    /** Calls this sync made since the connection started. */
    bySync: number;
    checkedAt: string | null;
  };
  currentError: ConnectionStatus['error'];
  /** Once disconnected: whether Salesforce has revoked the grant yet (pending, with attempts and the last error). */
  revocation: ConnectionStatus['revocation'];
  /** Record-level problems, grouped by code, with a sample of the affected records and the fix. */
  recordErrors: Array<{ code: string; message: string; fix: string; records: number; objects: string[]; sampleRecordIds: string[]; lastSeenAt: string }>;
  /** Deletes found by reconciling Ids (records purged from the recycle bin, hard deletes), per object. */
  reconciliation: {
    lastCheckedAt: string | null;
    lastRunAt: string | null;
    reason: string | null;
    /** Rows each object's latest Id reconciliation removed. */
    removed: Record<string, number>;
    totalRemoved: Record<string, number>;
    inProgress: string[];
  };
  /** Bulk query jobs Salesforce failed, aborted or deleted; each object's read went on with a new job (or REST). */
  bulkJobsLost: Array<{ object: string; lost: number; reason: string | null; at: string | null }>;
  /** The integration's API budget: its own calls in the last 24 h against its allocation and the org's limit. */
  quota: {
    integrationCalls24h: number;
    allowedCalls: number | null;
    share: number | null;
    dailyCalls: number | null;
    orgLimit: number | null;
    orgUsed: number | null;
    orgRemaining: number | null;
    checkedAt: string | null;
  };
  /** Per-object progress (records mirrored, last sync) and the latest initial read. */
  progress: { objects: ConnectionStatus['objects']; initialSync: ConnectionStatus['initialSync'] | null; plan: ConnectionStatus['plan'] | null };
  /** The off-hours window for heavy work and its next start. */
  schedule: ConnectionStatus['schedule'] | null;
  /** What the sync waits for now (window, budget, quota backoff, error re-check), why, and until when. */
  waiting: ConnectionStatus['waiting'] | null;
  /** FastFollow edits written back to Salesforce: pending, refused (by code, with the fix), and conflicts resolved. */
  writeBack: Awaited<ReturnType<typeof writeBackHealthOf>>;
}

const latest = (dates: Array<Date | null>): Date | null => dates.reduce<Date | null>((max, at) => (at && (!max || at > max) ? at : max), null);

function reconciliationSummary(rows: ReconciliationRow[]): SyncHealth['reconciliation'] {
  const ran = rows.filter((row) => row.last_run_at);
  const lastRun = latest(ran.map((row) => row.last_run_at));
  return {
    lastCheckedAt: latest(rows.map((row) => row.checked_at))?.toISOString() ?? null,
    lastRunAt: lastRun?.toISOString() ?? null,
    reason: ran.find((row) => row.last_run_at?.getTime() === lastRun?.getTime())?.last_reason ?? null,
    removed: Object.fromEntries(ran.map((row) => [row.object, row.last_removed])),
    totalRemoved: Object.fromEntries(ran.map((row) => [row.object, Number(row.total_removed)])),
    inProgress: rows.filter((row) => row.running_since).map((row) => row.object),
  };
}

const SAMPLE_SIZE = 20;

/** Support's view of one connection: quota use, the current error and record-level problems. */
export async function syncHealth(db: Db, connectionId: string, status: ConnectionStatus): Promise<SyncHealth> {
  const [groups, reconciliations, lostJobs, writeBack] = await Promise.all([
    groupSyncErrors(db, connectionId, SAMPLE_SIZE),
    reconciliationsOf(db, connectionId),
    lostBulkJobs(db, connectionId),
    writeBackHealthOf(db, connectionId, SAMPLE_SIZE),
  ]);
  return {
    accountId: status.accountId,
    environment: status.environment,
    phase: status.phase,
    apiUsage: {
      orgUsed: status.apiUsage?.used ?? null,
      orgLimit: status.apiUsage?.max ?? null,
      bySync: status.syncApiCalls ?? 0,
      checkedAt: status.apiUsage?.checkedAt ?? null,
    },
    currentError: status.error,
    revocation: status.revocation ?? null,
    quota: quotaOf(status),
    progress: { objects: status.objects, initialSync: status.initialSync ?? null, plan: status.plan ?? null },
    schedule: status.schedule ?? null,
    waiting: status.waiting ?? null,
    recordErrors: groups.map((group) => {
      const explanation = explainError(group.code);
      return {
        code: group.code,
        message: explanation.message,
        fix: explanation.fix,
        records: group.records,
        objects: group.objects,
        sampleRecordIds: group.sampleRecordIds,
        lastSeenAt: group.lastSeenAt.toISOString(),
      };
    }),
    reconciliation: reconciliationSummary(reconciliations),
    bulkJobsLost: lostJobs.map((job) => ({ ...job, at: job.at?.toISOString() ?? null })),
    writeBack,
  };
}

function quotaOf(status: ConnectionStatus): SyncHealth['quota'] {
  const org = status.apiUsage;
  return {
    integrationCalls24h: status.allocation?.usedCalls24h ?? 0,
    allowedCalls: status.allocation?.allowedCalls ?? null,
    share: status.allocation?.share ?? null,
    dailyCalls: status.allocation?.dailyCalls ?? null,
    orgLimit: org?.max ?? null,
    orgUsed: org?.used ?? null,
    orgRemaining: org ? Math.max(0, org.max - org.used) : null,
    checkedAt: org?.checkedAt ?? null,
  };
}
