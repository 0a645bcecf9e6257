import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPage, countMirrored, removeMirrorOfConnection, type SalesforceRecord } from '../../db/mirror.js';
import type { Environment } from '../../domain/environment.js';
import { createTestDatabase, insertConnections, type TestDatabase } from '../support/database.js';

// Production and a sandbox copied from it share record Ids: each connection's rows stay its own.

let database: TestDatabase;
const ACCOUNT = 'acct-two-envs';
const connections = {} as Record<Environment, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  Object.assign(connections, await insertConnections(database.db, ACCOUNT));
});
afterAll(() => database?.drop());

const contact = (id: string, modstamp: string, fields: Partial<SalesforceRecord> = {}): SalesforceRecord =>
  ({ Id: id, FirstName: 'Ann', LastName: 'Lee', Email: null, Phone: null, AccountId: null, Account: null, SystemModstamp: modstamp, IsDeleted: false, ...fields }) as SalesforceRecord;
const opportunity = (id: string, modstamp: string, fields: Partial<SalesforceRecord> = {}): SalesforceRecord =>
  ({ Id: id, Name: 'Deal', Amount: 10, StageName: 'Prospecting', CloseDate: '2024-12-31', AccountId: null, SystemModstamp: modstamp, IsDeleted: false, ...fields }) as SalesforceRecord;

async function apply(environment: Environment, object: 'Account' | 'Contact' | 'Opportunity', records: SalesforceRecord[]) {
  return database.db.transaction().execute((trx) => applyPage(trx, { accountId: ACCOUNT, connectionId: connections[environment], environment }, object, records));
}

async function contactsWithId(sfId: string) {
  return database.db
    .selectFrom('contacts')
    .select(['id', 'phone', 'email', 'company_name', 'salesforce_environment', 'salesforce_connection_id'])
    .where('salesforce_contact_id', '=', sfId)
    .orderBy('salesforce_environment')
    .execute();
}

const count = (environment: Environment, object: 'Account' | 'Contact' | 'Opportunity') =>
  database.db.transaction().execute((trx) => countMirrored(trx, connections[environment], object));

describe('applyPage with a production and a sandbox connection on one account', () => {
  it('the same record Id from each org lands in two rows; a sandbox edit and delete touch only the sandbox row', async () => {
    const record = contact('003000000000001AAA', '2024-05-01T12:00:00.000+0000', { Phone: 'prod', Email: 'ann@example.com' });
    await apply('production', 'Contact', [record]);
    await apply('sandbox', 'Contact', [{ ...record, Phone: 'sandbox', SystemModstamp: '2024-05-02T12:00:00.000+0000' }]);
    // Both keep the email: the email key is per environment.
    expect(await contactsWithId('003000000000001AAA')).toEqual([
      expect.objectContaining({ phone: 'prod', email: 'ann@example.com', salesforce_environment: 'production', salesforce_connection_id: connections.production }),
      expect.objectContaining({ phone: 'sandbox', email: 'ann@example.com', salesforce_environment: 'sandbox', salesforce_connection_id: connections.sandbox }),
    ]);

    const deleted = await apply('sandbox', 'Contact', [{ ...record, IsDeleted: true, SystemModstamp: '2024-05-03T12:00:00.000+0000' }]);
    expect(deleted.mirroredDelta).toBe(-1);
    expect(await contactsWithId('003000000000001AAA')).toEqual([expect.objectContaining({ phone: 'prod', salesforce_environment: 'production' })]);
    expect(await count('production', 'Contact')).toBe(1);
    expect(await count('sandbox', 'Contact')).toBe(0);
  });

  it('deals and Account names are per connection too: a sandbox rename reaches only sandbox contacts', async () => {
    await apply('production', 'Opportunity', [opportunity('006000000000001AAA', '2024-05-01T12:00:00.000+0000', { Amount: 100 })]);
    await apply('sandbox', 'Opportunity', [opportunity('006000000000001AAA', '2024-05-02T12:00:00.000+0000', { Amount: 1 })]);
    await apply('sandbox', 'Opportunity', [opportunity('006000000000001AAA', '2024-05-03T12:00:00.000+0000', { IsDeleted: true })]);
    const deals = await database.db.selectFrom('deals').select(['value', 'salesforce_environment']).where('salesforce_opportunity_id', '=', '006000000000001AAA').execute();
    expect(deals).toEqual([{ value: '100', salesforce_environment: 'production' }]);

    const account = { Id: '001000000000001AAA', Name: 'Acme', SystemModstamp: '2024-05-01T12:00:00.000+0000', IsDeleted: false } as SalesforceRecord;
    const member = contact('003000000000002AAA', '2024-05-01T12:00:00.000+0000', { AccountId: account.Id, Account: { Name: 'Acme' } });
    for (const environment of ['production', 'sandbox'] as const) {
      await apply(environment, 'Account', [account]);
      await apply(environment, 'Contact', [member]);
    }
    await apply('sandbox', 'Account', [{ ...account, Name: 'Sandbox Rename', SystemModstamp: '2024-05-04T12:00:00.000+0000' }]);
    expect((await contactsWithId(member.Id as string)).map((row) => row.company_name)).toEqual(['Acme', 'Sandbox Rename']);
    await apply('sandbox', 'Account', [{ ...account, IsDeleted: true, SystemModstamp: '2024-05-05T12:00:00.000+0000' }]);
    expect((await contactsWithId(member.Id as string)).map((row) => row.company_name)).toEqual(['Acme', null]);
    expect(await count('production', 'Account')).toBe(1);
    expect(await count('sandbox', 'Account')).toBe(0);
  });

  it('a FastFollow-only contact is adopted by production only; the sandbox gets its own row', async () => {
    const own = await database.db.insertInto('contacts').values({ account_id: ACCOUNT, full_name: 'Own', email: 'own@example.com' }).returning('id').executeTakeFirstOrThrow();
    // The app's own contacts share production's email key.
    await expect(database.db.insertInto('contacts').values({ account_id: ACCOUNT, email: 'OWN@example.com' }).execute()).rejects.toThrow(/email_key/);

    const record = contact('003000000000003AAA', '2024-05-01T12:00:00.000+0000', { Email: 'Own@Example.com' });
    await apply('sandbox', 'Contact', [record]);
    const fastFollowRow = await database.db.selectFrom('contacts').select(['salesforce_contact_id']).where('id', '=', own.id).executeTakeFirstOrThrow();
    expect(fastFollowRow.salesforce_contact_id).toBeNull();

    await apply('production', 'Contact', [record]);
    const rows = await contactsWithId('003000000000003AAA');
    expect(rows).toEqual([
      expect.objectContaining({ id: own.id, email: 'own@example.com', salesforce_environment: 'production' }),
      expect.objectContaining({ email: 'own@example.com', salesforce_environment: 'sandbox' }),
    ]);
  });

  it("removing one connection's mirror leaves the other's rows", async () => {
    const productionContacts = await count('production', 'Contact');
    await apply('sandbox', 'Contact', [contact('003000000000004AAA', '2024-05-01T12:00:00.000+0000')]);
    expect(await removeMirrorOfConnection(database.db, connections.sandbox)).toBeGreaterThan(0);
    expect(await count('sandbox', 'Contact')).toBe(0);
    expect(await count('sandbox', 'Account')).toBe(0);
    expect(await count('production', 'Contact')).toBe(productionContacts);
    expect(await count('production', 'Account')).toBe(1);
  });
});
