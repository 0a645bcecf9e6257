import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SyncedObject } from '../domain/synced-objects.js';

// Transient failures retry inside the activity; Salesforce's permanent and quota errors come back
// typed and non-retryable so the workflow decides (durable timers, not activity retry storms).
const RETRY = { initialInterval: '2s', maximumInterval: '1m', maximumAttempts: 5 } as const;
// A cancelled activity (disconnect) is waited for until it confirmed it stopped, so the workflow
// ends only once no call of its can still reach Salesforce.
const WAIT_FOR_STOP = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

export const { checkConnection } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: RETRY,
  cancellationType: WAIT_FOR_STOP,
  summary: 'Check the Salesforce connection and read API usage',
});

export const { resetSyncCursors } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: RETRY,
  cancellationType: WAIT_FOR_STOP,
  summary: 'Reset sync cursors for a full re-read (data is kept)',
});

export const { syncSettings } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // Reading the worker's configuration cannot fail for long: keep trying rather than fail the run.
  retry: { initialInterval: '2s', maximumInterval: '1m' },
  summary: "Read this worker's sync settings (poll interval, incremental window)",
});

export const { planInitialSync } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '15 seconds',
  retry: RETRY,
  cancellationType: WAIT_FOR_STOP,
  summary: 'Initial sync: count records, choose REST or Bulk per object, ask for the Bulk jobs',
});

/** One page of one object per activity; its summary is what the Temporal UI lists. */
export function syncPageActivity(object: SyncedObject, mode: 'initial' | 'incremental') {
  return proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '15 seconds',
    retry: RETRY,
    cancellationType: WAIT_FOR_STOP,
    summary: `${mode === 'initial' ? 'Initial' : 'Incremental'} sync: read and apply one page of ${object} records`,
  }).syncPage;
}
