import type { ActivityDependencies } from './dependencies.js';
import { createConnectionActivities } from './connection.js';
import { createDiagnosticsActivities } from './diagnostics.js';
import { createSyncActivities, createSyncControlActivities } from './sync.js';

export type { ActivityDependencies } from './dependencies.js';

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createDiagnosticsActivities(deps),
    ...createConnectionActivities(deps),
    ...createSyncActivities(deps),
    ...createSyncControlActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
