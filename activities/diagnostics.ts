import { appliedMigrations, serverVersion } from '../db/diagnostics.js';
import type { ActivityDependencies } from './dependencies.js';

export interface DatabaseDiagnostics {
  serverVersion: string;
  appliedMigrations: string[];
}

/** What a worker sees of the database: lets support check a worker's wiring from the Temporal UI. */
export function createDiagnosticsActivities({ db }: ActivityDependencies) {
  return {
    async databaseDiagnostics(): Promise<DatabaseDiagnostics> {
      return { serverVersion: await serverVersion(db), appliedMigrations: await appliedMigrations(db) };
    },
  };
}
