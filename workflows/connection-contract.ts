import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ConnectionStatus } from '../domain/connection-status.js';
import type { Environment } from '../domain/environment.js';

// Shared by the workflow and its callers (API, tests): ids, messages and the status shape.
// Only type-level and message definitions here, so it is safe on both sides; the status shape
// itself lives in domain/ (the API answers it from stored state too).

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
