import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { SYNCED_OBJECTS, type SyncedObject } from '../domain/synced-objects.js';
import { explainError } from '../domain/error-explanations.js';
import { FastFollowAccountIdKey, SalesforceEnvironmentKey, SalesforceOrgIdKey, SyncPhaseKey } from './search-attributes.js';
import { disconnectSignal, pauseSignal, reconnectedSignal, resumeSignal, resyncSignal, statusQuery, type CarriedState, type ConnectionWorkflowInput } from './connection-contract.js';
import { newConnectionStatus, type ConnectionStatus, type SyncPhase } from '../domain/connection-status.js';

// Transient failures retry inside the activity; Salesforce's permanent and quota errors come back
// typed and non-retryable so this workflow decides (durable timers, not activity retry storms).
const RETRY = { initialInterval: '2s', maximumInterval: '1m', maximumAttempts: 5 } as const;

const { checkConnection } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: RETRY,
  summary: 'Check the Salesforce connection and read API usage',
});
const { resetSyncCursors } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: RETRY,
  summary: 'Reset sync cursors for a full re-read (data is kept)',
});

const DEFAULT_LOOKBACK_MS = 5 * 60 * 1000;
const DEFAULT_SAFETY_LAG_MS = 15 * 1000;
/** Patch id: the sync cycle replaced the bare connection check (histories before it replay the old path). */
const SYNC_PATCH = 'salesforce-sync-cycle';
/** Patch id: reconnecting to a different org restarts the initial read. */
const OTHER_ORG_PATCH = 'reconnect-other-org-restarts-sync';

/** One page of one object per activity; its summary is what the Temporal UI lists. */
function syncPageActivity(object: SyncedObject, mode: 'initial' | 'incremental') {
  return proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '15 seconds',
    retry: RETRY,
    summary: `${mode === 'initial' ? 'Initial' : 'Incremental'} sync: read and apply one page of ${object} records`,
  }).syncPage;
}

const CYCLES_BEFORE_CONTINUE_AS_NEW = 500;
const ERROR_RECHECK_MS = 60 * 60 * 1000;
const BACKOFF_BASE_MS = 60 * 1000;
const BACKOFF_MAX_MS = 60 * 60 * 1000;

/**
 * The entity workflow that owns one Salesforce connection: its lifecycle, phase and status, the
 * initial read and the incremental cycles (page by page), and durable waits for backoff, errors and
 * pauses. Because one workflow owns the org, its API use is coordinated without locks.
 */
export async function connectionWorkflow(input: ConnectionWorkflowInput): Promise<ConnectionStatus> {
  const carried: CarriedState = input.carried ?? {
    paused: false,
    initialSyncDone: false,
    status: newConnectionStatus({
      accountId: input.accountId,
      environment: input.environment,
      orgId: input.orgId,
      connectedAt: input.connectedAt,
      phase: 'initial_sync',
    }),
  };
  const status = carried.status;
  let paused = carried.paused;
  let disconnectReason: string | null = null;
  let wake = false;

  setHandler(statusQuery, () => status);
  setHandler(disconnectSignal, ({ reason }) => {
    disconnectReason = reason;
  });
  setHandler(pauseSignal, () => {
    paused = true;
    wake = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
    wake = true;
  });
  let resyncRequested = false;
  setHandler(resyncSignal, () => {
    resyncRequested = true;
    wake = true;
  });
  setHandler(reconnectedSignal, ({ orgId, connectedAt }) => {
    if (orgId !== status.orgId && patched(OTHER_ORG_PATCH)) {
      // Another org behind the same account: its data must be read from the start.
      carried.initialSyncDone = false;
      status.initialSync = null;
      status.objects = {};
    }
    status.orgId = orgId;
    status.connectedAt = connectedAt;
    status.error = null;
    wake = true;
  });

  const setPhase = (phase: SyncPhase, details: string) => {
    status.phase = phase;
    upsertSearchAttributes([
      { key: FastFollowAccountIdKey, value: input.accountId },
      { key: SalesforceEnvironmentKey, value: input.environment },
      { key: SalesforceOrgIdKey, value: status.orgId },
      { key: SyncPhaseKey, value: phase },
    ]);
    setCurrentDetails(details);
  };
  /** Waits up to `ms` for a command; true when one arrived. */
  const waitForCommand = async (ms: number) => {
    wake = false;
    return condition(() => wake || disconnectReason !== null, ms);
  };

  let backoffAttempt = 0;
  /** Pages through every object once; stops early (between pages) for commands. */
  const syncObjects = async (mode: 'initial' | 'incremental'): Promise<'complete' | 'interrupted'> => {
    for (const object of SYNCED_OBJECTS) {
      const syncPage = syncPageActivity(object, mode);
      for (;;) {
        if (disconnectReason !== null || paused || resyncRequested || workflowInfo().continueAsNewSuggested) return 'interrupted';
        setCurrentDetails(`${mode === 'initial' ? 'Initial' : 'Incremental'} sync: ${object} (${status.objects[object]?.records ?? 0} records so far)`);
        const page = await syncPage({
          connectionId: input.connectionId,
          object,
          mode,
          lookbackMs: input.lookbackMs ?? DEFAULT_LOOKBACK_MS,
          safetyLagMs: input.safetyLagMs ?? DEFAULT_SAFETY_LAG_MS,
        });
        const now = new Date().toISOString();
        status.syncApiCalls = (status.syncApiCalls ?? 0) + page.apiCalls;
        if (mode === 'initial' && status.initialSync) {
          status.initialSync.apiCalls += page.apiCalls;
          status.initialSync.records += page.upserted + page.deleted;
        }
        status.objects[object] = { records: page.recordsSynced, lastSyncAt: page.done ? now : (status.objects[object]?.lastSyncAt ?? null) };
        if (page.apiUsage) status.apiUsage = { ...page.apiUsage, checkedAt: now };
        if (page.done) break;
      }
    }
    return 'complete';
  };
  /** Before the sync cycle: a bare connection check per poll (kept for workflows started then). */
  const legacyCheck = async () => {
    const result = await checkConnection({ connectionId: input.connectionId });
    const now = new Date().toISOString();
    status.apiUsage = { ...result.apiUsage, checkedAt: now };
    status.lastCheckedAt = now;
    status.lastSyncAt = now;
    status.error = null;
    carried.initialSyncDone = true;
    backoffAttempt = 0;
    setPhase('incremental', `Up to date; next check in ${Math.round(input.pollIntervalMs / 1000)}s`);
    await waitForCommand(input.pollIntervalMs);
  };
  const useSyncCycle = patched(SYNC_PATCH);

  for (let cycle = 0; ; cycle++) {
    if (disconnectReason !== null) break;
    if (paused) {
      setPhase('paused', 'Paused by support; waiting for resume');
      await condition(() => !paused || disconnectReason !== null);
      continue;
    }
    if (resyncRequested) {
      await resetSyncCursors({ connectionId: input.connectionId });
      resyncRequested = false;
      carried.initialSyncDone = false;
      status.initialSync = null;
    }
    setPhase(carried.initialSyncDone ? 'incremental' : 'initial_sync', carried.initialSyncDone ? 'Incremental sync' : 'Initial sync');
    try {
      if (useSyncCycle) {
        if (!carried.initialSyncDone && !status.initialSync) {
          status.initialSync = { startedAt: new Date().toISOString(), completedAt: null, records: 0, apiCalls: 0 };
        }
        const outcome = await syncObjects(carried.initialSyncDone ? 'incremental' : 'initial');
        if (outcome === 'complete') {
          const now = new Date().toISOString();
          if (!carried.initialSyncDone && status.initialSync) status.initialSync.completedAt = now;
          status.lastSyncAt = now;
          status.lastCheckedAt = now;
          status.error = null;
          backoffAttempt = 0;
          if (!carried.initialSyncDone) {
            carried.initialSyncDone = true; // straight on to the first incremental window
          } else {
            setPhase('incremental', `Up to date; next sync in ${Math.round(input.pollIntervalMs / 1000)}s`);
            await waitForCommand(input.pollIntervalMs);
          }
        }
      } else {
        await legacyCheck();
      }
    } catch (error) {
      const code = failureType(error);
      const explanation = explainError(code ?? 'UNKNOWN', error instanceof Error ? error.message : undefined);
      status.error = { code: explanation.code, message: explanation.message, fix: explanation.fix, at: new Date().toISOString() };
      if (explanation.code === 'INVALID_GRANT') {
        // A disconnect from FastFollow also erases the tokens: keep its reason, not "revoked".
        if (disconnectReason === null) disconnectReason = 'Access revoked in Salesforce';
        else status.error = null;
        break;
      }
      if (explanation.code === 'REQUEST_LIMIT_EXCEEDED') {
        const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** backoffAttempt++) * (0.5 + Math.random() / 2);
        setPhase('backing_off', `API limit reached; retrying in ${Math.round(delay / 1000)}s`);
        await waitForCommand(delay);
      } else {
        setPhase('error', `${explanation.code}: waiting for a fix (re-checks hourly and on resume)`);
        await waitForCommand(explanation.permanent ? ERROR_RECHECK_MS : input.pollIntervalMs);
      }
    }
    if (workflowInfo().continueAsNewSuggested || cycle >= (input.cyclesPerRun ?? CYCLES_BEFORE_CONTINUE_AS_NEW)) {
      await condition(allHandlersFinished);
      if (disconnectReason === null) {
        await continueAsNew<typeof connectionWorkflow>({ ...input, carried: { ...carried, paused } });
      }
    }
  }

  status.endedReason = disconnectReason;
  setPhase('disconnected', `Disconnected: ${disconnectReason}`);
  await condition(allHandlersFinished);
  return status;
}

/** The Salesforce error code carried by a failed activity, if any. */
function failureType(error: unknown): string | undefined {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause.type ?? undefined;
  if (error instanceof ApplicationFailure) return error.type ?? undefined;
  return undefined;
}
