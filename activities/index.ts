import type { ActivityDependencies } from './dependencies.js';
import { createConnectionActivities } from './connection.js';
import { createDiagnosticsActivities } from './diagnostics.js';
import { createRevocationActivities } from './revocation.js';
import { createSettingsActivities } from './settings.js';
import { createSyncActivities, createSyncControlActivities } from './sync.js';
import { createTaskActivities } from './tasks.js';
import { createWriteBackActivities } from './write-back.js';

export type { ActivityDependencies } from './dependencies.js';
export type { SyncSettings } from './settings.js';
export type { LogFollowupsResult } from './tasks.js';
export type { WriteBackResult } from './write-back.js';

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createDiagnosticsActivities(deps),
    ...createConnectionActivities(deps),
    ...createSyncActivities(deps),
    ...createSyncControlActivities(deps),
    ...createSettingsActivities(deps),
    ...createRevocationActivities(deps),
    ...createTaskActivities(deps),
    ...createWriteBackActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
