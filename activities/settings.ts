import type { ActivityDependencies } from './dependencies.js';

/** The worker's sync settings, read by the connection workflow at the start of every run. */
export interface SyncSettings {
  pollIntervalMs: number;
  lookbackMs: number;
  safetyLagMs: number;
}

export function createSettingsActivities({ sync }: ActivityDependencies) {
  return {
    /**
     * The worker's configuration is the one source of these settings: a changed SYNC_POLL_INTERVAL,
     * SYNC_LOOKBACK or SYNC_SAFETY_LAG reaches every connection at its next continueAsNew.
     */
    async syncSettings(): Promise<SyncSettings> {
      return { pollIntervalMs: sync.pollIntervalMs, lookbackMs: sync.lookbackMs, safetyLagMs: sync.safetyLagMs };
    },
  };
}
