import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index.js';

// Migrations run on one connection, each in its own transaction, except a migration module that
// exports `transactional = false`: it builds indexes with CREATE INDEX CONCURRENTLY (so a live
// database keeps taking writes), which Postgres refuses inside a transaction. Kysely 0.28's Migrator
// wraps the whole run in one transaction unless `disableTransactions` is set, so it is set and the
// transactions are added here per migration instead.

/** Kysely's own migration lock id (its Postgres adapter), so processes of every version serialise on it. */
const MIGRATION_LOCK_ID = 3853314791062309107n;
const LOCK_POLL_MS = 250;
const LOCK_WAIT_MS = 60 * 60 * 1_000;

type MigrationModule = Migration & { transactional?: boolean };

function inTransaction(step: Migration['up']): Migration['up'] {
  return (db) => db.transaction().execute((trx) => step(trx));
}

function prepared(): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(migrations as Record<string, MigrationModule>).map(([name, migration]) => {
      if (migration.transactional === false) return [name, { up: migration.up, down: migration.down }];
      return [name, { up: inTransaction(migration.up), ...(migration.down ? { down: inTransaction(migration.down) } : {}) }];
    }),
  );
}

/**
 * Holds the migration lock on one connection for `work`. Waits by polling pg_try_advisory_lock rather
 * than blocking in pg_advisory_lock: a blocked statement holds a snapshot, and CREATE INDEX CONCURRENTLY
 * in the process that holds the lock waits for every older snapshot — the two would deadlock.
 */
async function withMigrationLock<T>(db: Kysely<unknown>, work: (connection: Kysely<unknown>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${MIGRATION_LOCK_ID}) as locked`.execute(connection);
      if (rows[0]?.locked) break;
      if (Date.now() > deadline) throw new Error('Another process has held the migration lock for an hour; is a migration stuck?');
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    try {
      return await work(connection);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(connection);
    }
  });
}

async function run<DB>(db: Kysely<DB>, step: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<string[]> {
  const { error, results } = await withMigrationLock(db as Kysely<unknown>, (connection) =>
    step(new Migrator({ db: connection, provider: { getMigrations: async () => prepared() }, disableTransactions: true })),
  );
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`, { cause: error });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/** Brings the database to the latest schema; throws with the failing migration's name and cause. */
// Generic so a typed Kysely<Database> is accepted without a cast.
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  return run(db, (migrator) => migrator.migrateToLatest());
}

/** Migrates up or down to `name` (tests, and operators rolling back one release). */
export async function migrateTo<DB>(db: Kysely<DB>, name: string): Promise<string[]> {
  if (!(name in migrations)) throw new Error(`No migration named ${name}; known: ${Object.keys(migrations).join(', ')}`);
  return run(db, (migrator) => migrator.migrateTo(name));
}

/** Undoes the last `steps` migrations. Downs that would drop customer data refuse without FASTFOLLOW_ALLOW_DESTRUCTIVE_DOWN=1. */
export async function migrateDown<DB>(db: Kysely<DB>, steps = 1): Promise<string[]> {
  let undone: string[] = [];
  for (let i = 0; i < steps; i++) {
    const step = await run(db, (migrator) => migrator.migrateDown());
    if (step.length === 0) break;
    undone = undone.concat(step);
  }
  return undone;
}
