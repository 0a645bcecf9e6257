import { sql } from 'kysely';
import type { Db } from './connect.js';

/** Postgres' version as the server reports it. */
export async function serverVersion(db: Db): Promise<string> {
  const version = await sql<{ server_version: string }>`show server_version`.execute(db);
  return version.rows[0]?.server_version ?? 'unknown';
}

/** Names of the migrations applied, in order. */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return migrations.rows.map((row) => row.name);
}

/** The cheapest round trip: proves the database answers. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
