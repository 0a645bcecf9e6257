import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate.js';
import { migrations } from '../../db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('migrations (real Postgres)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(() => database.drop());

  it('creates the contract tables, then finds nothing left to do', async () => {
    expect(await migrateToLatest(database.db)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(database.db)).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(database.db);
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['contacts', 'deals', 'followups', 'kysely_migration']),
    );
  });

  it('keeps one contact per account and case-insensitive email (FastFollow-only contacts share production\'s key)', async () => {
    const { db } = database;
    await db.insertInto('contacts').values({ account_id: 'acct-1', email: 'Jane@Example.com' }).execute();
    await db.insertInto('contacts').values({ account_id: 'acct-2', email: 'jane@example.com' }).execute();
    await expect(
      db.insertInto('contacts').values({ account_id: 'acct-1', email: 'JANE@example.COM' }).execute(),
    ).rejects.toThrow(/contacts_account_environment_email_key/);
    // Contacts without email are allowed, several of them.
    await db.insertInto('contacts').values([{ account_id: 'acct-1' }, { account_id: 'acct-1' }]).execute();
  });

  it('round-trips deal amounts and close dates exactly', async () => {
    const { db } = database;
    const inserted = await db
      .insertInto('deals')
      .values({ account_id: 'acct-1', title: 'Big one', value: '1234567.89', expected_close_date: '2024-12-31' })
      .returning(['value', 'expected_close_date'])
      .executeTakeFirstOrThrow();
    expect(inserted).toEqual({ value: '1234567.89', expected_close_date: '2024-12-31' });
  });
});
