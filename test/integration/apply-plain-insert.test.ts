import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyPage, type SalesforceRecord } from '../../db/mirror.js';
import type { Database } from '../../db/schema.js';
import { createTestDatabase, insertConnections, type TestDatabase } from '../support/database.js';

// Rows no stored row has are written by a plain INSERT (cheaper for Postgres than ON CONFLICT); a slice
// with any stored Id keeps the upsert and its version guard. Asserted on the statements Postgres received.

let database: TestDatabase;
let logged: Kysely<Database>;
let statements: string[] = [];
let connectionId: string;
const ACCOUNT = 'acct-plain-insert';
const STAMP = '2024-05-01T12:00:00.000+0000';

beforeAll(async () => {
  database = await createTestDatabase();
  logged = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }),
    log: (event) => void statements.push(event.query.sql.replace(/\s+/g, ' ')),
  });
  connectionId = (await insertConnections(database.db, ACCOUNT)).production;
});
afterAll(async () => {
  await logged?.destroy();
  await database?.drop();
});
beforeEach(() => {
  statements = [];
});

const contact = (id: string, fields: Partial<SalesforceRecord> = {}): SalesforceRecord =>
  ({ Id: id, FirstName: 'Ann', LastName: 'Lee', Email: null, Phone: null, AccountId: null, Account: null, SystemModstamp: STAMP, IsDeleted: false, ...fields }) as SalesforceRecord;
const deal = (id: string, fields: Partial<SalesforceRecord> = {}): SalesforceRecord =>
  ({ Id: id, Name: 'Deal', Amount: '10', StageName: 'Prospecting', CloseDate: '2024-06-01', AccountId: null, SystemModstamp: STAMP, IsDeleted: false, ...fields }) as SalesforceRecord;

const account = (id: string, fields: Partial<SalesforceRecord> = {}): SalesforceRecord => ({ Id: id, Name: 'Acme', SystemModstamp: STAMP, IsDeleted: false, ...fields }) as SalesforceRecord;

function apply(db: Kysely<Database>, object: 'Account' | 'Contact' | 'Opportunity', records: SalesforceRecord[]) {
  return db.transaction().execute((trx) => applyPage(trx, { accountId: ACCOUNT, connectionId, environment: 'production' }, object, records));
}

/** The statements that wrote `table`'s rows: 'plain' (no ON CONFLICT) or 'upsert'. */
function writesTo(table: string): Array<'plain' | 'upsert'> {
  return statements.filter((text) => text.includes(`insert into "${table}"`)).map((text) => (text.includes('on conflict') ? 'upsert' : 'plain'));
}

describe('plain inserts for rows not stored yet', () => {
  it('contacts: a slice of new records is one plain insert, counted as new rows', async () => {
    const result = await apply(logged, 'Contact', [contact('003000000000P01AAA', { Email: 'p1@example.com' }), contact('003000000000P02AAA')]);
    expect(writesTo('contacts')).toEqual(['plain']);
    expect(result.mirroredDelta).toBe(2);
    const rows = await database.db.selectFrom('contacts').select(['email', 'full_name']).where('salesforce_connection_id', '=', connectionId).where('salesforce_contact_id', 'in', ['003000000000P01AAA', '003000000000P02AAA']).orderBy('salesforce_contact_id').execute();
    expect(rows).toEqual([
      { email: 'p1@example.com', full_name: 'Ann Lee' },
      { email: null, full_name: 'Ann Lee' },
    ]);
  });

  it('contacts: a slice with a stored Id is upserted; an older version of it is skipped before the write', async () => {
    const newer = contact('003000000000P01AAA', { Phone: 'newer', SystemModstamp: '2024-05-02T12:00:00.000+0000' });
    expect((await apply(logged, 'Contact', [newer, contact('003000000000P03AAA')])).mirroredDelta).toBe(1);
    expect(writesTo('contacts')).toEqual(['upsert']);
    statements = [];
    const older = contact('003000000000P01AAA', { Phone: 'older', SystemModstamp: '2024-04-01T12:00:00.000+0000' });
    expect((await apply(logged, 'Contact', [older, contact('003000000000P04AAA')])).mirroredDelta).toBe(1);
    // Only the new record is left to write once the stale one is skipped.
    expect(writesTo('contacts')).toEqual(['plain']);
    const kept = await database.db.selectFrom('contacts').select('phone').where('salesforce_contact_id', '=', '003000000000P01AAA').executeTakeFirstOrThrow();
    expect(kept.phone).toBe('newer');
  });

  it('deals: new records are a plain insert, a page with a stored Id an upsert', async () => {
    expect((await apply(logged, 'Opportunity', [deal('006000000000P01AAA'), deal('006000000000P02AAA')])).mirroredDelta).toBe(2);
    expect(writesTo('deals')).toEqual(['plain']);
    statements = [];
    const newer = deal('006000000000P01AAA', { Name: 'Renamed', SystemModstamp: '2024-05-02T12:00:00.000+0000' });
    expect((await apply(logged, 'Opportunity', [newer, deal('006000000000P03AAA')])).mirroredDelta).toBe(1);
    expect(writesTo('deals')).toEqual(['upsert']);
    const renamed = await database.db.selectFrom('deals').select('title').where('salesforce_opportunity_id', '=', '006000000000P01AAA').executeTakeFirstOrThrow();
    expect(renamed.title).toBe('Renamed');
  });

  it('accounts: a page none of whose Ids is stored is a plain insert; a page with a stored Id an upsert that keeps the newer version', async () => {
    expect((await apply(logged, 'Account', [account('001000000000P01AAA'), account('001000000000P02AAA')])).mirroredDelta).toBe(2);
    expect(writesTo('salesforce_accounts')).toEqual(['plain']);
    statements = [];
    const newer = account('001000000000P01AAA', { Name: 'Renamed', SystemModstamp: '2024-05-02T12:00:00.000+0000' });
    expect((await apply(logged, 'Account', [newer, account('001000000000P03AAA')])).mirroredDelta).toBe(1);
    expect(writesTo('salesforce_accounts')).toEqual(['upsert']);
    statements = [];
    const older = account('001000000000P01AAA', { Name: 'Older', SystemModstamp: '2024-04-01T12:00:00.000+0000' });
    expect((await apply(logged, 'Account', [older])).mirroredDelta).toBe(0);
    expect(writesTo('salesforce_accounts')).toEqual(['upsert']);
    const names = await database.db.selectFrom('salesforce_accounts').select(['salesforce_account_id', 'name']).where('salesforce_connection_id', '=', connectionId).orderBy('salesforce_account_id').execute();
    expect(names).toEqual([
      { salesforce_account_id: '001000000000P01AAA', name: 'Renamed' },
      { salesforce_account_id: '001000000000P02AAA', name: 'Acme' },
      { salesforce_account_id: '001000000000P03AAA', name: 'Acme' },
    ]);
  });

  it('a row of the same Id committed by another transaction meanwhile fails the page; applied again, the page updates it', async () => {
    // Another writer (e.g. a create answer being stored) holds an uncommitted row with the page's Id.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into contacts (account_id, salesforce_connection_id, salesforce_environment, salesforce_contact_id, full_name, salesforce_modstamp)
         values ($1, $2, 'production', '003000000000P09AAA', 'Written meanwhile', '2024-04-01T00:00:00Z')`,
        [ACCOUNT, connectionId],
      );
      const page = apply(logged, 'Contact', [contact('003000000000P09AAA', { FirstName: 'From', LastName: 'Salesforce' })]);
      const failed = page.then(
        () => undefined,
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.query('commit');
      expect(await failed).toMatchObject({ code: '23505' });
    } finally {
      await client.end();
    }
    await apply(logged, 'Contact', [contact('003000000000P09AAA', { FirstName: 'From', LastName: 'Salesforce' })]);
    const rows = await database.db.selectFrom('contacts').select('full_name').where('salesforce_contact_id', '=', '003000000000P09AAA').execute();
    expect(rows).toEqual([{ full_name: 'From Salesforce' }]);
  });
});
