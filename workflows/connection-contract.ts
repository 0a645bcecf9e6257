import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ConnectionStatus } from '../domain/connection-status.js';
import type { Allocation } from '../domain/budget.js';
import type { Environment } from '../domain/environment.js';
import type { OffHoursWindow } from '../domain/offhours.js';
import type { CarriedQuota } from './quota-state.js';

// Shared by the workflow and its callers (API, tests): ids, messages and the status shape.
// Only type-level and message definitions here, so it is safe on both sides; the status shape
// itself lives in domain/ (the API answers it from stored state too).

export interface ConnectionWorkflowInput {
  connectionId: string;
  accountId: string;
  environment: Environment;
  orgId: string;
  connectedAt: string;
  /**
   * Runs started before the worker-settings patch had the sync settings frozen in here by the API.
   * Newer runs read them from the worker (the syncSettings activity) at the start of every run.
   */
  pollIntervalMs?: number;
  lookbackMs?: number;
  safetyLagMs?: number;
  /** Sync cycles per run before continueAsNew (keeps history bounded); default 500. */
  cyclesPerRun?: number;
  /** Durable waits that are not settings (tests shorten them to milliseconds). */
  timings?: Partial<WorkflowTimings>;
  /** Carried across continueAsNew. */
  carried?: CarriedState;
}

export interface WorkflowTimings {
  /** First REQUEST_LIMIT_EXCEEDED backoff; doubles per attempt (with jitter) up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a permanent error (e.g. missing permission) waits before the sync tries again. */
  errorRecheckMs: number;
  /** How long heavy work waits before re-checking the org's remaining quota (default 15 min). */
  budgetRecheckMs?: number;
  /** First re-check of a permanent error (missing permission, API disabled); doubles up to errorRecheckMs (default 5 min). */
  errorRecheckFirstMs?: number;
  /** How long the write lane collects posted follow-ups before sending a batch that is not full (default 500 ms). */
  followupFlushMs?: number;
  /** …and the longest while they keep coming fast (default 2 s; patch followup-batch-fills-while-busy). */
  followupCollectMaxMs?: number;
}

export interface CarriedState {
  status: ConnectionStatus;
  paused: boolean;
  initialSyncDone: boolean;
  /** Pending commands and backoff: optional because runs before they were carried did not carry them. */
  resyncRequested?: boolean;
  wake?: boolean;
  backoffAttempt?: number;
  /** Follow-ups may be waiting for the write lane (runs before Task logging did not carry it). */
  followupsPending?: boolean;
  /** Window, allocation, own call log and quota backoff (runs before quota management carried none). */
  quota?: CarriedQuota;
}

export const statusQuery = defineQuery<ConnectionStatus>('status');
/**
 * Write-back work appeared outside Postgres' view of the workflow (e.g. mappings saved with a field
 * to backfill): the write-back lane looks at once instead of at the next read page or cycle. Only
 * wakes the lane (which then looks as it always does), so a workflow without the handler loses nothing.
 */
export const writeBackWorkSignal = defineSignal('writeBackWork');
export const disconnectSignal = defineSignal<[{ reason: string }]>('disconnect');
/** Signals kept for running workflows and older clients; the API sends the Updates below. */
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Re-read everything from Salesforce (data is kept; rows are upserted). */
export const resyncSignal = defineSignal('resync');
/** A new OAuth grant for the same connection (reconnect): clears a permanent error. */
export const reconnectedSignal = defineSignal<[{ orgId: string; connectedAt: string }]>('reconnected');
/** The API stored a follow-up to log as a Salesforce Task (its id only: the activity reads the row). */
export const followupPostedSignal = defineSignal<[{ followupId: string }]>('followupPosted');

// Support commands as Updates: each answers the status once the command took effect.
/** Answers phase 'paused' once no page is in flight any more. */
export const pauseUpdate = defineUpdate<ConnectionStatus>('supportPause');
/** Answers the phase the sync went back to (a paused, erroring or backing-off sync starts a cycle now). */
export const resumeUpdate = defineUpdate<ConnectionStatus>('supportResume');
/** Answers phase 'initial_sync' once the cursors are reset (or 'paused': the re-read starts on resume). */
export const resyncUpdate = defineUpdate<ConnectionStatus>('supportResync');
/** Sets (or with `null` removes) the off-hours window for heavy work; answers the status with the next start. */
export const scheduleUpdate = defineUpdate<ConnectionStatus, [{ window: OffHoursWindow | null }]>('supportSchedule');
/** Sets the integration's API allocation (a share of the org's daily limit, or calls a day); answers the status. */
export const allocationUpdate = defineUpdate<ConnectionStatus, [Allocation]>('supportAllocation');
