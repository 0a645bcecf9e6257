import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPage, type SalesforceRecord } from '../../db/mirror.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// applyPage against real Postgres: the rules a re-read, a retry or a crash relies on.

let database: TestDatabase;
let connectionId: string;
const ACCOUNT = 'acct-apply';

beforeAll(async () => {
  database = await createTestDatabase();
  const row = await database.db
    .insertInto('salesforce_connections')
    .values({ account_id: ACCOUNT, environment: 'production', status: 'active', org_id: '00D000000000001AAA', user_id: '005000000000001AAA', login_url: 'https://login.example', instance_url: 'https://org.example' })
    .returning('id')
    .executeTakeFirstOrThrow();
  connectionId = row.id;
});
afterAll(() => database?.drop());

const contact = (id: string, modstamp: string, fields: Partial<SalesforceRecord> = {}): SalesforceRecord =>
  ({ Id: id, FirstName: 'Ann', LastName: 'Lee', Email: null, Phone: null, AccountId: null, Account: null, SystemModstamp: modstamp, IsDeleted: false, ...fields }) as SalesforceRecord;

async function apply(object: 'Account' | 'Contact' | 'Opportunity', records: SalesforceRecord[]) {
  return database.db.transaction().execute((trx) => applyPage(trx, { accountId: ACCOUNT, connectionId, environment: 'production' }, object, records));
}

async function contactRow(sfId: string) {
  return database.db.selectFrom('contacts').selectAll().where('account_id', '=', ACCOUNT).where('salesforce_contact_id', '=', sfId).executeTakeFirst();
}

describe('applyPage', () => {
  it('never lets an older version overwrite a newer one; an equal stamp re-applies', async () => {
    await apply('Contact', [contact('003000000000001AAA', '2024-05-01T12:00:00.000+0000', { Phone: 'new' })]);
    await apply('Contact', [contact('003000000000001AAA', '2024-05-01T11:00:00.000+0000', { Phone: 'old' })]);
    expect((await contactRow('003000000000001AAA'))?.phone).toBe('new');
    await apply('Contact', [contact('003000000000001AAA', '2024-05-01T12:00:00.000+0000', { Phone: 'same second' })]);
    expect((await contactRow('003000000000001AAA'))?.phone).toBe('same second');
  });

  it('a stale version cannot move an email either', async () => {
    await apply('Contact', [contact('003000000000008AAA', '2024-05-02T12:00:00.000+0000', { Email: 'current@example.com' })]);
    await apply('Contact', [contact('003000000000008AAA', '2024-05-01T12:00:00.000+0000', { Email: 'stale@example.com' })]);
    expect((await contactRow('003000000000008AAA'))?.email).toBe('current@example.com');
  });

  it('stores a lone UTF-16 surrogate as U+FFFD, as a bind parameter would, rather than failing the page', async () => {
    await apply('Contact', [contact('003000000000S01AAA', '2024-05-01T12:00:00.000+0000', { LastName: 'Lee\uD800', Phone: '\uD83D\uDE00 ok' })]);
    const row = await contactRow('003000000000S01AAA');
    expect(row?.full_name).toBe('Ann Lee\uFFFD');
    expect(row?.phone).toBe('\uD83D\uDE00 ok');
  });

  it('is idempotent: the same page twice leaves one row per record', async () => {
    const page = [contact('003000000000002AAA', '2024-05-01T12:00:00.000+0000', { Email: 'two@example.com' })];
    expect((await apply('Contact', page)).mirroredDelta).toBe(1); // a new row
    expect((await apply('Contact', page)).mirroredDelta).toBe(0); // the same row again
    const rows = await database.db.selectFrom('contacts').select('id').where('salesforce_contact_id', '=', '003000000000002AAA').execute();
    expect(rows).toHaveLength(1);
  });

  it('two contacts swapping emails in one page do not collide', async () => {
    await apply('Contact', [
      contact('003000000000003AAA', '2024-05-01T12:00:00.000+0000', { Email: 'a@example.com' }),
      contact('003000000000004AAA', '2024-05-01T12:00:00.000+0000', { Email: 'b@example.com' }),
    ]);
    await apply('Contact', [
      contact('003000000000003AAA', '2024-05-02T12:00:00.000+0000', { Email: 'b@example.com' }),
      contact('003000000000004AAA', '2024-05-02T12:00:00.000+0000', { Email: 'a@example.com' }),
    ]);
    expect((await contactRow('003000000000003AAA'))?.email).toBe('b@example.com');
    expect((await contactRow('003000000000004AAA'))?.email).toBe('a@example.com');
  });

  it('an older contact arriving later takes the email from a newer one, and the loser is reported', async () => {
    await apply('Contact', [contact('003000000000009AAA', '2024-05-01T12:00:00.000+0000', { Email: 'shared@example.com' })]);
    const result = await apply('Contact', [contact('003000000000005AAA', '2024-05-01T12:00:00.000+0000', { Email: 'Shared@Example.com' })]);
    expect((await contactRow('003000000000005AAA'))?.email).toBe('shared@example.com');
    expect((await contactRow('003000000000009AAA'))?.email).toBeNull();
    expect(result.issues).toEqual([expect.objectContaining({ code: 'DUPLICATE_EMAIL', salesforceId: '003000000000009AAA' })]);
  });

  it('deletes remove the mirrored rows; follow-ups keep their data', async () => {
    await apply('Contact', [contact('003000000000006AAA', '2024-05-01T12:00:00.000+0000')]);
    const row = await contactRow('003000000000006AAA');
    await database.db.insertInto('followups').values({ id: 'fu-1', account_id: ACCOUNT, contact_id: row!.id, sent_at: new Date(), subject: 'Hi' }).execute();
    expect((await apply('Contact', [contact('003000000000006AAA', '2024-05-03T12:00:00.000+0000', { IsDeleted: true })])).mirroredDelta).toBe(-1);
    expect(await contactRow('003000000000006AAA')).toBeUndefined();
    expect(await database.db.selectFrom('followups').select(['subject', 'contact_id']).where('id', '=', 'fu-1').executeTakeFirst()).toEqual({ subject: 'Hi', contact_id: null });
  });

  it('an Account rename reaches its contacts; deal amounts and dates stay exact', async () => {
    await apply('Contact', [contact('003000000000007AAA', '2024-05-01T12:00:00.000+0000', { AccountId: '001000000000001AAA', Account: { Name: 'Acme' } })]);
    await apply('Account', [{ Id: '001000000000001AAA', Name: 'Acme Renamed', SystemModstamp: '2024-05-04T12:00:00.000+0000', IsDeleted: false } as SalesforceRecord]);
    expect((await contactRow('003000000000007AAA'))?.company_name).toBe('Acme Renamed');

    await apply('Opportunity', [
      { Id: '006000000000001AAA', Name: 'Deal', Amount: 19.99, StageName: 'Prospecting', CloseDate: '2024-12-31', AccountId: null, SystemModstamp: '2024-05-01T12:00:00.000+0000', IsDeleted: false } as SalesforceRecord,
      { Id: '006000000000002AAA', Name: 'No amount', Amount: null, StageName: 'Prospecting', CloseDate: '2025-01-01', AccountId: null, SystemModstamp: '2024-05-01T12:00:00.000+0000', IsDeleted: false } as SalesforceRecord,
    ]);
    const deals = await database.db.selectFrom('deals').select(['salesforce_opportunity_id', 'value', 'expected_close_date']).where('account_id', '=', ACCOUNT).orderBy('salesforce_opportunity_id').execute();
    expect(deals).toEqual([
      { salesforce_opportunity_id: '006000000000001AAA', value: '19.99', expected_close_date: '2024-12-31' },
      { salesforce_opportunity_id: '006000000000002AAA', value: null, expected_close_date: '2025-01-01' },
    ]);
  });

  it('a deleted Account takes its name off its contacts; Account pages of a connection whose contacts name no Account change no contact', async () => {
    await apply('Account', [{ Id: '001000000000009AAA', Name: 'Gone Corp', SystemModstamp: '2024-05-01T12:00:00.000+0000', IsDeleted: false } as SalesforceRecord]);
    await apply('Contact', [contact('003000000000009AAA', '2024-05-01T12:00:00.000+0000', { AccountId: '001000000000009AAA', Account: { Name: 'Gone Corp' } })]);
    await apply('Account', [{ Id: '001000000000009AAA', IsDeleted: true } as SalesforceRecord]);
    expect((await contactRow('003000000000009AAA'))?.company_name).toBeNull();

    // Another connection of the account, with contacts that name no Account: its Account pages leave every contact as it was.
    const other = await database.db
      .insertInto('salesforce_connections')
      .values({ account_id: ACCOUNT, environment: 'sandbox', status: 'active', org_id: '00D000000000002AAA', user_id: '005000000000001AAA', login_url: 'https://test.example', instance_url: 'https://org.example' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const applyOther = (object: 'Account' | 'Contact', records: SalesforceRecord[]) =>
      database.db.transaction().execute((trx) => applyPage(trx, { accountId: ACCOUNT, connectionId: other.id, environment: 'sandbox' }, object, records));
    await applyOther('Contact', [contact('003000000000010AAA', '2024-05-01T12:00:00.000+0000')]);
    const before = await database.db.selectFrom('contacts').select(['id', 'company_name', 'updated_at']).where('account_id', '=', ACCOUNT).orderBy('id').execute();
    await applyOther('Account', [{ Id: '001000000000001AAA', Name: 'Acme Sandbox', SystemModstamp: '2024-06-01T12:00:00.000+0000', IsDeleted: false } as SalesforceRecord]);
    await applyOther('Account', [{ Id: '001000000000001AAA', IsDeleted: true } as SalesforceRecord]);
    expect(await database.db.selectFrom('contacts').select(['id', 'company_name', 'updated_at']).where('account_id', '=', ACCOUNT).orderBy('id').execute()).toEqual(before);
  });

  it("a record's sync error is recorded, kept while it stays, and cleared once a later page brings it fixed (first page of an object with no errors recorded too)", async () => {
    const errors = () => database.db.selectFrom('salesforce_sync_errors').select(['salesforce_id', 'code']).where('connection_id', '=', connectionId).where('object', '=', 'Opportunity').execute();
    const deal = (amount: unknown, modstamp: string) => ({ Id: '006000000000077AAA', Name: 'Deal', Amount: amount, StageName: 'Prospecting', CloseDate: null, AccountId: null, SystemModstamp: modstamp, IsDeleted: false }) as SalesforceRecord;
    expect(await errors()).toEqual([]);
    await apply('Opportunity', [deal('not a number', '2024-05-01T12:00:00.000+0000')]);
    expect(await errors()).toEqual([{ salesforce_id: '006000000000077AAA', code: 'UNPARSEABLE_VALUE' }]);
    await apply('Opportunity', [deal(12.5, '2024-05-02T12:00:00.000+0000')]);
    expect(await errors()).toEqual([]);
  });
});
