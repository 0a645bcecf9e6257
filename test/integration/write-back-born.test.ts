import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';
import { connectionIdOf, health, salesforceRecord } from '../support/write-back.js';

// Records born in FastFollow (inserted by the app without a Salesforce id) are created in Salesforce
// by the production connection's write-back lane, through the real worker, Postgres and the emulator.

let system: TestSystem;
let production: TestOrg;
let sandbox: TestOrg;
const ACCOUNT = 'acct-writeback-born';
let connectionId: string;

beforeAll(async () => {
  system = await startTestSystem();
  production = await system.createOrg('production');
  sandbox = await system.createOrg('sandbox');
  await system.control.generateRecords(production.orgId, 'Contact', 5, 41);
  for (const [environment, org] of [['production', production], ['sandbox', sandbox]] as const) {
    await connectThroughBrowser(system, ACCOUNT, environment, org);
    await eventually(async () => {
      const status = await system.status(ACCOUNT, environment);
      return status.initialSync?.completedAt && status.phase === 'incremental' ? true : undefined;
    }, 90_000);
  }
  connectionId = await connectionIdOf(system, ACCOUNT, 'production');
}, 240_000);
afterAll(async () => {
  await system?.stop();
});

const db = () => system.database.db;
const insertContact = (values: { full_name: string | null; email: string | null; phone?: string }) =>
  db().insertInto('contacts').values({ account_id: ACCOUNT, ...values }).returning('id').executeTakeFirstOrThrow();
const contactRow = (id: string) => db().selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const bornStatus = (recordId: string) => db().selectFrom('salesforce_born_records').selectAll().where('record_id', '=', recordId).executeTakeFirstOrThrow();
const contactsWithEmail = async (orgId: string, email: string) =>
  (await system.control.listRecords(orgId, 'Contact')).records.filter((row) => String(row.Email ?? '').toLowerCase() === email);

describe('records born in FastFollow', () => {
  it('a contact whose email Salesforce already has is linked, not duplicated, and its phone is written to that contact', async () => {
    // Stamped in the past, so the incremental read does not bring it in first: the write lane must find it by email.
    const { ids } = await system.control.insertRecords(production.orgId, 'Contact', [
      { FirstName: 'Existing', LastName: 'Person', Email: 'Linked.Person@example.com', SystemModstamp: '2020-01-01T00:00:00.000Z' },
    ]);
    const born = await insertContact({ full_name: 'Linked Person', email: 'linked.person@example.com', phone: '+1 555 0142' });
    const row = await eventually(async () => {
      const current = await contactRow(born.id);
      return current.salesforce_contact_id ? current : undefined;
    }, 20_000);
    expect(row).toMatchObject({ salesforce_contact_id: ids[0], salesforce_connection_id: connectionId, salesforce_environment: 'production' });
    expect((await bornStatus(born.id)).status).toBe('linked');
    await eventually(async () => ((await salesforceRecord(system, production.orgId, 'Contact', ids[0]!))?.Phone === '+1 555 0142' ? true : undefined), 20_000);
    expect(await contactsWithEmail(production.orgId, 'linked.person@example.com')).toHaveLength(1);
    // The sandbox connection never creates FastFollow's own records.
    expect(await contactsWithEmail(sandbox.orgId, 'linked.person@example.com')).toHaveLength(0);
  }, 60_000);

  it('a contact without a name gets a clear per-record error in health while the others are created; naming it creates it', async () => {
    const nameless = await insertContact({ full_name: null, email: 'nameless@example.com' });
    const named = await insertContact({ full_name: 'Ada  King Lovelace', email: 'ada@example.com' });
    const deal = await db().insertInto('deals').values({ account_id: ACCOUNT, title: 'Born deal', value: '1200.50', stage: 'Prospecting', expected_close_date: '2027-03-31' }).returning('id').executeTakeFirstOrThrow();
    const failed = await eventually(async () => {
      const status = await bornStatus(nameless.id);
      return status.status === 'failed' ? status : undefined;
    }, 20_000);
    expect(failed.error_code).toBe('REQUIRED_FIELD_MISSING');
    expect(failed.error_message).toMatch(/full_name is empty/);
    const created = await eventually(async () => ((await contactRow(named.id)).salesforce_contact_id ? contactRow(named.id) : undefined), 20_000);
    expect(await salesforceRecord(system, production.orgId, 'Contact', created.salesforce_contact_id!)).toMatchObject({ FirstName: 'Ada King', LastName: 'Lovelace', Email: 'ada@example.com' });
    const dealRow = await eventually(async () => {
      const current = await db().selectFrom('deals').selectAll().where('id', '=', deal.id).executeTakeFirstOrThrow();
      return current.salesforce_opportunity_id ? current : undefined;
    }, 20_000);
    expect(await salesforceRecord(system, production.orgId, 'Opportunity', dealRow.salesforce_opportunity_id!)).toMatchObject({ Name: 'Born deal', Amount: 1200.5, StageName: 'Prospecting', CloseDate: '2027-03-31' });
    const report = await health(system, ACCOUNT, 'production');
    expect(report.writeBack.bornRecords.failed).toEqual([expect.objectContaining({ code: 'REQUIRED_FIELD_MISSING', records: 1, sampleFastFollowIds: [nameless.id] })]);
    expect(report.writeBack.bornRecords.failed[0]!.fix).toMatch(/Fill in full_name/);

    await db().updateTable('contacts').set({ full_name: 'Grace Hopper' }).where('id', '=', nameless.id).execute();
    const fixed = await eventually(async () => ((await contactRow(nameless.id)).salesforce_contact_id ? contactRow(nameless.id) : undefined), 20_000);
    expect(await salesforceRecord(system, production.orgId, 'Contact', fixed.salesforce_contact_id!)).toMatchObject({ FirstName: 'Grace', LastName: 'Hopper' });
  }, 60_000);

  it('creating FastFollow records in Salesforce can be turned off per connection (mappings route), and is never on for a sandbox', async () => {
    const route = (environment: string) => `/api/integrations/salesforce/connections/${ACCOUNT}/${environment}/mappings`;
    expect(((await (await system.call(route('sandbox'))).json()) as { createRecordsInSalesforce: boolean }).createRecordsInSalesforce).toBe(false);
    const off = await system.call(route('production'), { method: 'PUT', body: JSON.stringify({ mappings: [], createRecordsInSalesforce: false }) });
    expect(((await off.json()) as { createRecordsInSalesforce: boolean }).createRecordsInSalesforce).toBe(false);
    const quiet = await insertContact({ full_name: 'Not Created', email: 'not.created@example.com' });
    expect(await db().selectFrom('salesforce_born_records').select('id').where('record_id', '=', quiet.id).execute()).toEqual([]);
    await system.call(route('production'), { method: 'PUT', body: JSON.stringify({ mappings: [], createRecordsInSalesforce: true }) });
  }, 30_000);

  it('a create whose answer was lost is not made twice: the retry finds the record Salesforce saved', async () => {
    await system.control.setFaults(production.orgId, { dropResponseAfterCommit: { method: 'POST', path: 'composite/sobjects', times: 1 } });
    const deal = await db().insertInto('deals').values({ account_id: ACCOUNT, title: 'Lost answer deal', stage: 'Qualification', expected_close_date: '2027-06-30' }).returning('id').executeTakeFirstOrThrow();
    const row = await eventually(async () => {
      const current = await db().selectFrom('deals').selectAll().where('id', '=', deal.id).executeTakeFirstOrThrow();
      return current.salesforce_opportunity_id ? current : undefined;
    }, 40_000);
    const named = (await system.control.listRecords(production.orgId, 'Opportunity')).records.filter((r) => r.Name === 'Lost answer deal');
    expect(named.map((r) => r.Id)).toEqual([row.salesforce_opportunity_id]);
    expect((await bornStatus(deal.id)).status).toBe('created');
    await system.control.setFaults(production.orgId, {});
  }, 60_000);
});
