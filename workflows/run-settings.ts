import { patched } from '@temporalio/workflow';
import type { SyncSettings } from '../activities/settings.js';
import type { ConnectionWorkflowInput } from './connection-contract.js';
import { syncSettings } from './connection-activities.js';

/** Patch id: each run reads the sync settings from the worker instead of its input. */
const WORKER_SETTINGS_PATCH = 'sync-settings-from-worker';

/**
 * Runs started before WORKER_SETTINGS_PATCH replay with what the API froze into their input. These are
 * the values those runs were started with, not defaults (the defaults live in platform/config.ts).
 */
const FROZEN_BEFORE_PATCH = { lookbackMs: 5 * 60 * 1000, safetyLagMs: 15 * 1000 };

/** This run's sync settings: the worker's configuration, read once at the start of every run. */
export async function runSettings(input: ConnectionWorkflowInput): Promise<SyncSettings> {
  if (patched(WORKER_SETTINGS_PATCH)) return syncSettings();
  if (input.pollIntervalMs === undefined) throw new Error('A run started before sync-settings-from-worker must have pollIntervalMs');
  return {
    pollIntervalMs: input.pollIntervalMs,
    lookbackMs: input.lookbackMs ?? FROZEN_BEFORE_PATCH.lookbackMs,
    safetyLagMs: input.safetyLagMs ?? FROZEN_BEFORE_PATCH.safetyLagMs,
  };
}
