import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPage, type SalesforceRecord } from '../../db/mirror.js';
import { createTestDatabase, insertConnections, type TestDatabase } from '../support/database.js';

// Migrations 0020 and 0022 replaced the mirror tables' per-row foreign keys to salesforce_connections
// with statement-level checks (and salesforce_accounts' ON DELETE CASCADE with a trigger): what the keys
// guaranteed must still hold, for the sync's page writes and for anyone else's SQL.

let database: TestDatabase;
const ACCOUNT = 'acct-connection-checks';
let connections: { production: string; sandbox: string };

beforeAll(async () => {
  database = await createTestDatabase();
  connections = await insertConnections(database.db, ACCOUNT);
});
afterAll(() => database?.drop());

const contact = (n: number): SalesforceRecord =>
  ({ Id: `003C0000000000${String(n).padStart(2, '0')}AA`, FirstName: 'Ann', LastName: `Lee ${n}`, Email: `ann${n}@example.com`, Phone: null, AccountId: null, Account: null, SystemModstamp: '2024-05-01T12:00:00.000+0000', IsDeleted: false }) as SalesforceRecord;
const account = (n: number): SalesforceRecord =>
  ({ Id: `001C0000000000${String(n).padStart(2, '0')}AA`, Name: `Acme ${n}`, SystemModstamp: '2024-05-01T12:00:00.000+0000', IsDeleted: false }) as SalesforceRecord;
const apply = (connectionId: string, records: SalesforceRecord[], object: 'Contact' | 'Account' = 'Contact', accountId = ACCOUNT) =>
  database.db.transaction().execute((trx) => applyPage(trx, { accountId, connectionId, environment: 'production' }, object, records));
const newConnection = async (accountId: string, org: string) =>
  (
    await database.db
      .insertInto('salesforce_connections')
      .values({ account_id: accountId, environment: 'production', status: 'active', org_id: `00D0000000000${org}AAA`, user_id: '005000000000001AAA', login_url: 'https://login.example', instance_url: 'https://org.example' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
const accountNames = (connectionId: string) => database.db.selectFrom('salesforce_accounts').select('name').where('salesforce_connection_id', '=', connectionId).orderBy('name').execute();

describe('mirror rows name an existing connection (statement-level check)', () => {
  it('a page for a connection that does not exist is refused whole, as the foreign key refused it', async () => {
    await expect(apply(randomUUID(), [contact(1), contact(2)])).rejects.toThrow(/does not exist/);
    expect(await database.db.selectFrom('contacts').select('id').where('account_id', '=', ACCOUNT).execute()).toEqual([]);
  });

  it('plain SQL inserting or re-pointing a row to an unknown connection is refused too', async () => {
    await expect(
      sql`insert into deals (account_id, title, salesforce_connection_id, salesforce_environment, salesforce_opportunity_id) values (${ACCOUNT}, 'x', ${randomUUID()}, 'production', '006C00000000001AAA')`.execute(database.db),
    ).rejects.toThrow(/does not exist/);
    await apply(connections.production, [contact(3)]);
    await expect(sql`update contacts set salesforce_connection_id = ${randomUUID()} where account_id = ${ACCOUNT}`.execute(database.db)).rejects.toThrow(/does not exist/);
  });

  it('a connection that rows still name cannot be deleted; one no row names can', async () => {
    await expect(sql`delete from salesforce_connections where id = ${connections.production}`.execute(database.db)).rejects.toThrow(/still name this Salesforce connection/);
    expect(await database.db.selectFrom('contacts').select('id').where('salesforce_connection_id', '=', connections.production).execute()).toHaveLength(1);
    await sql`delete from salesforce_connections where id = ${connections.sandbox}`.execute(database.db);
    expect(await database.db.selectFrom('salesforce_connections').select('id').where('id', '=', connections.sandbox).execute()).toEqual([]);
  });

  it("a page's rows keep their connection locked until commit: a delete waits, then is refused", async () => {
    const other = await database.db
      .insertInto('salesforce_connections')
      .values({ account_id: 'acct-connection-checks-2', environment: 'production', status: 'active', org_id: '00D00000000000C3AAA', user_id: '005000000000001AAA', login_url: 'https://login.example', instance_url: 'https://org.example' })
      .returning('id')
      .executeTakeFirstOrThrow();
    let deleteSettled = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const writing = database.db.transaction().execute(async (trx) => {
      await applyPage(trx, { accountId: 'acct-connection-checks-2', connectionId: other.id, environment: 'production' }, 'Contact', [contact(4)]);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const deleting = sql`delete from salesforce_connections where id = ${other.id}`.execute(database.db).finally(() => (deleteSettled = true));
    deleting.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deleteSettled).toBe(false); // waiting on the page's key-share lock
    release();
    await writing;
    await expect(deleting).rejects.toThrow(/still name this Salesforce connection/);
  });
});

describe('cached Account names name an existing connection, and go with it (statement-level check, delete trigger)', () => {
  it('an Account page for a connection that does not exist is refused whole; plain SQL re-pointing names is refused too', async () => {
    await expect(apply(randomUUID(), [account(1), account(2)], 'Account')).rejects.toThrow(/salesforce_accounts rows name a Salesforce connection that does not exist/);
    const connectionId = await newConnection('acct-names-1', 'C4');
    await apply(connectionId, [account(3)], 'Account', 'acct-names-1');
    await expect(sql`update salesforce_accounts set salesforce_connection_id = ${randomUUID()} where salesforce_connection_id = ${connectionId}`.execute(database.db)).rejects.toThrow(/does not exist/);
    expect(await accountNames(connectionId)).toEqual([{ name: 'Acme 3' }]);
  });

  it("deleting a connection removes its cached names (as ON DELETE CASCADE did), and no other connection's", async () => {
    const gone = await newConnection('acct-names-2', 'C5');
    const kept = await newConnection('acct-names-3', 'C6');
    await apply(gone, [account(4), account(5)], 'Account', 'acct-names-2');
    await apply(kept, [account(6)], 'Account', 'acct-names-3');
    await sql`delete from salesforce_connections where id = ${gone}`.execute(database.db);
    expect(await accountNames(gone)).toEqual([]);
    expect(await accountNames(kept)).toEqual([{ name: 'Acme 6' }]);
  });

  it('a refused delete (contacts still name the connection) keeps its names; re-keying a named connection is refused', async () => {
    const connectionId = await newConnection('acct-names-4', 'C7');
    await apply(connectionId, [account(7)], 'Account', 'acct-names-4');
    await expect(sql`update salesforce_connections set id = ${randomUUID()} where id = ${connectionId}`.execute(database.db)).rejects.toThrow(/salesforce_accounts still name this Salesforce connection/);
    await apply(connectionId, [contact(8)], 'Contact', 'acct-names-4');
    await expect(sql`delete from salesforce_connections where id = ${connectionId}`.execute(database.db)).rejects.toThrow(/still name this Salesforce connection/);
    expect(await accountNames(connectionId)).toEqual([{ name: 'Acme 7' }]);
  });

  it("an Account page keeps its connection locked until commit: a delete waits, then removes the page's names with it", async () => {
    const connectionId = await newConnection('acct-names-5', 'C8');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let deleteSettled = false;
    const writing = database.db.transaction().execute(async (trx) => {
      await applyPage(trx, { accountId: 'acct-names-5', connectionId, environment: 'production' }, 'Account', [account(9)]);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const deleting = sql`delete from salesforce_connections where id = ${connectionId}`.execute(database.db).finally(() => (deleteSettled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deleteSettled).toBe(false); // waiting on the page's key-share lock
    release();
    await writing;
    await deleting;
    expect(await accountNames(connectionId)).toEqual([]);
  });
});
