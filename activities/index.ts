import type { ActivityDependencies } from './dependencies.js';
import { createConnectionActivities } from './connection.js';
import { createDiagnosticsActivities } from './diagnostics.js';

export type { ActivityDependencies } from './dependencies.js';

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createDiagnosticsActivities(deps),
    ...createConnectionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
