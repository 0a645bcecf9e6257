import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDb, type Db } from '../../db/connect.js';
import { createDatabaseIfMissing, dropDatabase } from '../../dev/embedded-postgres.js';
import { migrateToLatest } from '../../db/migrate.js';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the run's Postgres server, for one test file. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `ff_test_${randomBytes(6).toString('hex')}`;
  await createDatabaseIfMissing(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString());
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}

/** A production and a sandbox connection row for one account (no tokens): for tests of per-connection data. */
export async function insertConnections(db: Db, accountId: string): Promise<Record<'production' | 'sandbox', string>> {
  const ids = { production: '', sandbox: '' };
  for (const environment of ['production', 'sandbox'] as const) {
    const row = await db
      .insertInto('salesforce_connections')
      .values({ account_id: accountId, environment, status: 'active', org_id: `00D00000000000${environment === 'production' ? '1' : '2'}AAA`, user_id: '005000000000001AAA', login_url: 'https://login.example', instance_url: 'https://org.example' })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[environment] = row.id;
  }
  return ids;
}
