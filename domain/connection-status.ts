import type { Environment } from './environment.js';
import type { OffHoursWindow } from './offhours.js';

/** A connection's phase: the SyncPhase search attribute and the status route's `phase` (a contract). */
export const SYNC_PHASES = ['initial_sync', 'incremental', 'paused', 'waiting_offhours', 'backing_off', 'error', 'disconnected'] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];

/** The connection workflow's id (a contract): how the API, support and engineers find it. */
export function connectionWorkflowId(accountId: string, environment: Environment): string {
  return `salesforce-connection:${accountId}:${environment}`;
}

/** The revocation workflow's id (a contract): one per pending revocation of a released grant. */
export function revocationWorkflowId(revocationId: string): string {
  return `salesforce-revocation:${revocationId}`;
}

/** Whether Salesforce has revoked the grant a disconnect let go of: pending until it confirmed. */
export interface RevocationStatus {
  state: 'pending' | 'done';
  /** Revoke requests made so far. */
  attempts: number;
  /** Why the latest attempt failed (an OAuth error code, "timeout" or "network"); null once done. */
  lastError: string | null;
  doneAt: string | null;
}

export interface StatusError {
  code: string;
  message: string;
  fix: string;
  at: string;
}

/** What the status route and the workflow's `status` query answer. */
export interface ConnectionStatus {
  accountId: string;
  environment: Environment;
  orgId: string;
  phase: SyncPhase;
  connectedAt: string;
  /** Last time a sync cycle (or, before sync exists, a connection check) completed. */
  lastSyncAt: string | null;
  lastCheckedAt: string | null;
  objects: Record<string, { records: number; lastSyncAt: string | null }>;
  apiUsage: { used: number; max: number; checkedAt: string } | null;
  /** The latest initial (or support-requested full) read: when, how many records, and the API calls it cost. */
  initialSync?: { startedAt: string; completedAt: string | null; records: number; apiCalls: number } | null;
  /** Salesforce API calls the sync has made since the connection started. */
  syncApiCalls?: number;
  error: StatusError | null;
  /** Why the connection ended, once phase is `disconnected`. */
  endedReason: string | null;
  /** Once the connection ended from FastFollow's side: whether Salesforce revoked its grant yet. */
  revocation?: RevocationStatus | null;
  /** The off-hours window for heavy work (support's `schedule` route); absent before windows existed. */
  schedule?: ScheduleStatus;
  /** The integration's API allocation and its own use over the rolling 24 h. */
  allocation?: AllocationStatus;
  /** What the sync waits for now (a window, budget, a quota backoff, an error re-check) and until when; null when running. */
  waiting?: WaitStatus | null;
  /** An initial sync spread over several days to stay within the allocation: why, and when it should finish. */
  plan?: { reason: string; estimatedCalls: number; estimatedCompletionAt: string } | null;
}

export interface ScheduleStatus {
  window: OffHoursWindow | null;
  /** Heavy work may run now (always true without a window). */
  open: boolean;
  /** The next window start (UTC and the window's local time); null without a window. */
  nextStart: { utc: string; local: string } | null;
}

export interface AllocationStatus {
  share: number | null;
  dailyCalls: number | null;
  /** Calls per rolling 24 h this allocation allows (null until the org's limit is known). */
  allowedCalls: number | null;
  /** Salesforce calls the integration made in the last 24 h (every lane). */
  usedCalls24h: number;
}

export interface WaitStatus {
  kind: 'offhours' | 'budget' | 'backoff' | 'error_recheck';
  reason: string;
  /** When the sync tries again (ISO, UTC). */
  until: string;
}

/** A status with nothing synced yet: the workflow's starting point, and the API's answer from stored state. */
export function newConnectionStatus(
  fields: Pick<ConnectionStatus, 'accountId' | 'environment' | 'orgId' | 'connectedAt' | 'phase'> & { endedReason?: string | null },
): ConnectionStatus {
  return { lastSyncAt: null, lastCheckedAt: null, objects: {}, apiUsage: null, error: null, endedReason: null, ...fields };
}
