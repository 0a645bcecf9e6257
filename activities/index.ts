import type { ActivityDependencies } from './dependencies.js';
import { createDiagnosticsActivities } from './diagnostics.js';

export type { ActivityDependencies } from './dependencies.js';

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createDiagnosticsActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
