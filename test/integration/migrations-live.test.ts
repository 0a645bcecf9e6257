import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateTo, migrateToLatest } from '../../db/migrate.js';
import { DESTRUCTIVE_DOWN_FLAG } from '../../db/migrations/destructive-down.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/oauth-browser.js';

// Migrations against a database that is in use: indexes on customer tables never block writes, and no
// down drops customer data unless the operator asks for it.

const BEFORE_KEYS = '0005_mirror_per_connection';

async function indexes(database: TestDatabase, table: string) {
  const { rows } = await sql<{ name: string; valid: boolean }>`
    select c.relname as name, i.indisvalid as valid from pg_index i
    join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
    where t.relname = ${table} order by c.relname`.execute(database.db);
  return rows;
}

describe('building the per-connection keys on a live database', () => {
  let database: TestDatabase;
  const clients: pg.Client[] = [];
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    await migrateTo(database.db, BEFORE_KEYS);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await database.drop();
  });

  async function session(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    return client;
  }

  it('the index builds on contacts wait for open transactions without making new inserts wait', async () => {
    // A writer whose transaction stays open: any index build on contacts has to wait for it.
    const writer = await session();
    await writer.query('begin');
    await writer.query("insert into contacts (account_id, email) values ('acct-open', 'open@example.com')");

    const migrating = migrateToLatest(database.db);
    migrating.catch(() => undefined);
    const observer = await session();
    await eventually(async () => {
      const { rows } = await observer.query(
        "select 1 from pg_stat_activity where query ilike '%create%index%on contacts%' and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
      );
      return rows.length > 0 ? true : undefined;
    }, 30_000);

    // A plain CREATE INDEX would now be queued for a SHARE lock, and this insert queued behind it.
    const app = await session();
    await app.query("set statement_timeout = '3s'");
    await app.query("insert into contacts (account_id, email) values ('acct-live', 'live@example.com')");

    await writer.query('commit');
    await migrating;
    expect(await indexes(database, 'contacts')).toEqual(
      expect.arrayContaining([
        { name: 'contacts_account_environment_email_key', valid: true },
        { name: 'contacts_connection_sf_contact_key', valid: true },
      ]),
    );
    expect((await indexes(database, 'contacts')).map((index) => index.name)).not.toContain('contacts_account_email_key');
  }, 60_000);
});

describe('existing rows move to their connection', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    await migrateTo(database.db, '0004_sync_read_method');
  });
  afterAll(() => database.drop());

  async function connect(accountId: string, environment: 'production' | 'sandbox', orgId: string): Promise<string> {
    const values = { account_id: accountId, environment, status: 'active', org_id: orgId, user_id: '005000000000001AAA', login_url: 'https://l', instance_url: 'https://i' };
    const { rows } = await sql<{ id: string }>`insert into salesforce_connections ${sql.raw('(' + Object.keys(values).join(', ') + ')')}
      values (${sql.join(Object.values(values))}) returning id`.execute(database.db);
    await sql`insert into salesforce_sync_cursors (connection_id, object, initial_done, initial_started_at, watermark, method)
      values (${rows[0]!.id}, 'Contact', true, '2024-01-01', '2024-05-01', 'rest')`.execute(database.db);
    return rows[0]!.id;
  }

  it('one connection: its rows; both: production, versions cleared and both re-read; none: left alone', async () => {
    const solo = await connect('acct-solo', 'sandbox', '00D000000000001AAA');
    const bothProduction = await connect('acct-both', 'production', '00D000000000002AAA');
    const bothSandbox = await connect('acct-both', 'sandbox', '00D000000000003AAA');
    const stamp = '2024-05-01T00:00:00Z';
    for (const account of ['acct-solo', 'acct-both', 'acct-none']) {
      await sql`insert into contacts (account_id, email, salesforce_contact_id, salesforce_modstamp) values
        (${account}, ${`sf@${account}.example`}, '003000000000001AAA', ${stamp}), (${account}, ${`own@${account}.example`}, null, null)`.execute(database.db);
      await sql`insert into deals (account_id, salesforce_opportunity_id, salesforce_modstamp) values (${account}, '006000000000001AAA', ${stamp})`.execute(database.db);
      await sql`insert into salesforce_accounts (account_id, salesforce_account_id, name, salesforce_modstamp) values (${account}, '001000000000001AAA', 'Acme', ${stamp})`.execute(database.db);
    }

    await migrateToLatest(database.db);
    const contacts = await database.db
      .selectFrom('contacts')
      .select(['account_id', 'salesforce_contact_id', 'salesforce_connection_id', 'salesforce_environment', 'salesforce_modstamp'])
      .orderBy('account_id')
      .orderBy('salesforce_contact_id')
      .execute();
    expect(contacts.map(({ salesforce_modstamp, ...row }) => ({ ...row, versioned: salesforce_modstamp !== null }))).toEqual([
      { account_id: 'acct-both', salesforce_contact_id: '003000000000001AAA', salesforce_connection_id: bothProduction, salesforce_environment: 'production', versioned: false },
      { account_id: 'acct-both', salesforce_contact_id: null, salesforce_connection_id: null, salesforce_environment: null, versioned: false },
      { account_id: 'acct-none', salesforce_contact_id: '003000000000001AAA', salesforce_connection_id: null, salesforce_environment: null, versioned: true },
      { account_id: 'acct-none', salesforce_contact_id: null, salesforce_connection_id: null, salesforce_environment: null, versioned: false },
      { account_id: 'acct-solo', salesforce_contact_id: '003000000000001AAA', salesforce_connection_id: solo, salesforce_environment: 'sandbox', versioned: true },
      { account_id: 'acct-solo', salesforce_contact_id: null, salesforce_connection_id: null, salesforce_environment: null, versioned: false },
    ]);
    const deals = await database.db.selectFrom('deals').select(['account_id', 'salesforce_connection_id']).orderBy('account_id').execute();
    expect(deals).toEqual([
      { account_id: 'acct-both', salesforce_connection_id: bothProduction },
      { account_id: 'acct-none', salesforce_connection_id: null },
      { account_id: 'acct-solo', salesforce_connection_id: solo },
    ]);
    // The Account name cache of an account without a connection is dropped (a sync rebuilds it).
    const names = await database.db.selectFrom('salesforce_accounts').select(['account_id', 'salesforce_connection_id']).orderBy('account_id').execute();
    expect(names).toEqual([
      { account_id: 'acct-both', salesforce_connection_id: bothProduction },
      { account_id: 'acct-solo', salesforce_connection_id: solo },
    ]);
    const cursors = await database.db.selectFrom('salesforce_sync_cursors').select(['connection_id', 'watermark', 'initial_started_at']).execute();
    const cursorOf = (id: string) => cursors.find((cursor) => cursor.connection_id === id);
    expect(cursorOf(bothProduction)).toMatchObject({ watermark: null, initial_started_at: null });
    expect(cursorOf(bothSandbox)).toMatchObject({ watermark: null, initial_started_at: null });
    expect(cursorOf(solo)?.watermark).toEqual(new Date('2024-05-01T00:00:00Z'));
    const marked = await database.db.selectFrom('salesforce_connections').select(['org_id', 'mirrored_org_id']).execute();
    expect(marked.every((row) => row.mirrored_org_id === row.org_id)).toBe(true);
  });
});

describe('down', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('contacts').values({ account_id: 'acct-keep', email: 'keep@example.com' }).execute();
  });
  afterAll(() => database.drop());
  afterEach(() => {
    delete process.env[DESTRUCTIVE_DOWN_FLAG];
  });

  const contactsLeft = async () => (await database.db.selectFrom('contacts').select('id').execute()).length;

  it(`refuses to drop customer data unless ${DESTRUCTIVE_DOWN_FLAG}=1`, async () => {
    await expect(migrateDown(database.db, 100)).rejects.toThrow(new RegExp(`0006_mirror_connection_keys.*${DESTRUCTIVE_DOWN_FLAG}=1`));
    expect(await contactsLeft()).toBe(1);

    process.env[DESTRUCTIVE_DOWN_FLAG] = '1';
    await migrateTo(database.db, '0001_fastfollow_tables');
    expect(await contactsLeft()).toBe(1);
    delete process.env[DESTRUCTIVE_DOWN_FLAG];
    await expect(migrateDown(database.db)).rejects.toThrow(/0001_fastfollow_tables.*contacts, deals and followups/);
    expect(await contactsLeft()).toBe(1);

    process.env[DESTRUCTIVE_DOWN_FLAG] = '1';
    expect(await migrateDown(database.db)).toEqual(['0001_fastfollow_tables']);
    const { rows } = await sql<{ name: string | null }>`select to_regclass('contacts')::text as name`.execute(database.db);
    expect(rows[0]?.name).toBeNull();
    // And back up again, with the new keys built on the way.
    await migrateToLatest(database.db);
    expect((await indexes(database, 'deals')).map((index) => index.name)).toContain('deals_connection_sf_opportunity_key');
  });
});
