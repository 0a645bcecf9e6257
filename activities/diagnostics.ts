import { sql } from 'kysely';
import type { ActivityDependencies } from './dependencies.js';

export interface DatabaseDiagnostics {
  serverVersion: string;
  appliedMigrations: string[];
}

/** What a worker sees of the database: lets support check a worker's wiring from the Temporal UI. */
export function createDiagnosticsActivities({ db }: ActivityDependencies) {
  return {
    async databaseDiagnostics(): Promise<DatabaseDiagnostics> {
      const version = await sql<{ server_version: string }>`show server_version`.execute(db);
      const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      return {
        serverVersion: version.rows[0]?.server_version ?? 'unknown',
        appliedMigrations: migrations.rows.map((row) => row.name),
      };
    },
  };
}
