import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPage, removeMirrorOfConnection, type SalesforceRecord } from '../../db/mirror.js';
import type { Environment } from '../../domain/environment.js';
import { createTestDatabase, insertConnections, type TestDatabase } from '../support/database.js';

// Change capture for write-back (migration 0013) on the real Postgres: FastFollow's own updates of
// bidirectional fields land in the outbox with their connection; the sync's applies never do.

let database: TestDatabase;
const ACCOUNT = 'acct-capture';
const connections = {} as Record<Environment, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  Object.assign(connections, await insertConnections(database.db, ACCOUNT));
});
afterAll(() => database?.drop());

const contact = (id: string, modstamp: string, fields: Partial<SalesforceRecord> = {}): SalesforceRecord =>
  ({ Id: id, FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com', Phone: '111', AccountId: null, Account: null, SystemModstamp: modstamp, IsDeleted: false, ...fields }) as SalesforceRecord;
const opportunity = (id: string, modstamp: string, fields: Partial<SalesforceRecord> = {}): SalesforceRecord =>
  ({ Id: id, Name: 'Deal', Amount: 10, StageName: 'Prospecting', CloseDate: '2024-12-31', AccountId: null, SystemModstamp: modstamp, IsDeleted: false, ...fields }) as SalesforceRecord;

async function apply(environment: Environment, object: 'Contact' | 'Opportunity', records: SalesforceRecord[]) {
  return database.db.transaction().execute((trx) => applyPage(trx, { accountId: ACCOUNT, connectionId: connections[environment], environment }, object, records));
}

const outbox = () =>
  database.db.selectFrom('salesforce_outbox').select(['salesforce_connection_id', 'object', 'salesforce_id', 'field', 'old_value', 'new_value', 'status']).orderBy('seq').execute();

describe('write-back capture', () => {
  it("a FastFollow update of a bidirectional field enqueues one row per changed field with its connection; the sync's apply of the same rows does not", async () => {
    await apply('production', 'Contact', [contact('003000000000001AAA', '2024-05-01T12:00:00.000+0000')]);
    await apply('sandbox', 'Contact', [contact('003000000000001AAA', '2024-05-01T12:00:00.000+0000')]);
    await apply('production', 'Opportunity', [opportunity('006000000000001AAA', '2024-05-01T12:00:00.000+0000')]);
    expect(await outbox()).toEqual([]);

    // The sync updating its mirror (a newer Salesforce version): still nothing captured.
    await apply('production', 'Contact', [contact('003000000000001AAA', '2024-05-02T12:00:00.000+0000', { Phone: '222' })]);
    await apply('production', 'Opportunity', [opportunity('006000000000001AAA', '2024-05-02T12:00:00.000+0000', { Amount: 20, StageName: 'Closed Won' })]);
    expect(await outbox()).toEqual([]);

    // FastFollow's app edits, as plain SQL: phone changed, email set to the same value (not a change).
    await sql`update contacts set phone = '333', email = 'ann@example.com', full_name = 'Ann B' where salesforce_contact_id = '003000000000001AAA' and salesforce_environment = 'sandbox'`.execute(database.db);
    await sql`update deals set value = 30.5, stage = 'Negotiation', expected_close_date = '2025-01-15' where salesforce_opportunity_id = '006000000000001AAA'`.execute(database.db);
    expect(await outbox()).toEqual([
      { salesforce_connection_id: connections.sandbox, object: 'Contact', salesforce_id: '003000000000001AAA', field: 'phone', old_value: '111', new_value: '333', status: 'pending' },
      { salesforce_connection_id: connections.production, object: 'Opportunity', salesforce_id: '006000000000001AAA', field: 'value', old_value: '20', new_value: '30.5', status: 'pending' },
      { salesforce_connection_id: connections.production, object: 'Opportunity', salesforce_id: '006000000000001AAA', field: 'stage', old_value: 'Closed Won', new_value: 'Negotiation', status: 'pending' },
      { salesforce_connection_id: connections.production, object: 'Opportunity', salesforce_id: '006000000000001AAA', field: 'expected_close_date', old_value: '2024-12-31', new_value: '2025-01-15', status: 'pending' },
    ]);
  });

  it('rows FastFollow owns alone (no connection, or no Salesforce Id) are not captured', async () => {
    const before = (await outbox()).length;
    await database.db.insertInto('contacts').values({ account_id: ACCOUNT, full_name: 'Local', email: 'local@example.com', phone: '1' }).execute();
    await sql`update contacts set phone = '2' where email = 'local@example.com'`.execute(database.db);
    expect((await outbox()).length).toBe(before);
  });

  it("when a connection's mirror is emptied (another org behind it), its unsent edits are dropped; the other connection's stay", async () => {
    const pendingOf = async (environment: Environment) => (await outbox()).filter((row) => row.salesforce_connection_id === connections[environment] && row.status === 'pending').length;
    expect(await pendingOf('production')).toBe(3);
    expect(await pendingOf('sandbox')).toBe(1);
    await removeMirrorOfConnection(database.db, connections.production);
    expect(await pendingOf('production')).toBe(0);
    expect(await pendingOf('sandbox')).toBe(1);
  });
});
