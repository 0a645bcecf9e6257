import { defineQuery, defineSignal } from '@temporalio/workflow';

// Shared by the workflow and its callers (API, tests): ids, messages and the status shape.
// Only type-level and message definitions here, so it is safe on both sides.

export type Environment = 'production' | 'sandbox';
export type SyncPhaseValue =
  | 'initial_sync'
  | 'incremental'
  | 'paused'
  | 'waiting_offhours'
  | 'backing_off'
  | 'error'
  | 'disconnected';

/** DESIGN §3.4 ⚑ */
export function connectionWorkflowId(accountId: string, environment: Environment): string {
  return `salesforce-connection:${accountId}:${environment}`;
}

export interface StatusError {
  code: string;
  message: string;
  fix: string;
  at: string;
}

export interface ConnectionStatus {
  accountId: string;
  environment: Environment;
  orgId: string;
  phase: SyncPhaseValue;
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
}

/** A status with nothing synced yet: the workflow's starting point, and the API's answer from stored state. */
export function newConnectionStatus(
  fields: Pick<ConnectionStatus, 'accountId' | 'environment' | 'orgId' | 'connectedAt' | 'phase'> & { endedReason?: string | null },
): ConnectionStatus {
  return { lastSyncAt: null, lastCheckedAt: null, objects: {}, apiUsage: null, error: null, endedReason: null, ...fields };
}

export interface ConnectionWorkflowInput {
  connectionId: string;
  accountId: string;
  environment: Environment;
  orgId: string;
  connectedAt: string;
  pollIntervalMs: number;
  /** Incremental window parameters (DESIGN §5); defaults apply when absent. */
  lookbackMs?: number;
  safetyLagMs?: number;
  /** Sync cycles per run before continueAsNew (keeps history bounded); default 500. */
  cyclesPerRun?: number;
  /** Carried across continueAsNew. */
  carried?: CarriedState;
}

export interface CarriedState {
  status: ConnectionStatus;
  paused: boolean;
  initialSyncDone: boolean;
}

export const statusQuery = defineQuery<ConnectionStatus>('status');
export const disconnectSignal = defineSignal<[{ reason: string }]>('disconnect');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Re-read everything from Salesforce (data is kept; rows are upserted). */
export const resyncSignal = defineSignal('resync');
/** A new OAuth grant for the same connection (reconnect): clears a permanent error. */
export const reconnectedSignal = defineSignal<[{ orgId: string; connectedAt: string }]>('reconnected');
