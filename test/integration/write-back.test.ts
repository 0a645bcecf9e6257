import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainWriteBackError } from '../../domain/write-back-errors.js';
import { saveHistory } from '../support/histories.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';
import {
  collectionPatches,
  connectionIdOf,
  editInFastFollow,
  health,
  nextCycle,
  outboxRows,
  outboxSettled,
  salesforceRecord,
  type Environment,
} from '../support/write-back.js';

// FastFollow edits written back to Salesforce through the real worker, workflow, Postgres triggers and
// the emulator over HTTP. Production and a full-copy sandbox of it (same record Ids) on one account.

let system: TestSystem;
let production: TestOrg;
let sandbox: TestOrg;
const ACCOUNT = 'acct-write-back';
const connections = {} as Record<Environment, string>;
let contactIds: string[];
let opportunityIds: string[];

beforeAll(async () => {
  system = await startTestSystem();
  production = await system.createOrg('production');
  await system.control.generateRecords(production.orgId, 'Account', 5, 31);
  await system.control.generateRecords(production.orgId, 'Contact', 30, 32);
  await system.control.generateRecords(production.orgId, 'Opportunity', 10, 33);
  const copy = await system.control.createSandboxCopy(production.orgId, { kind: 'full', name: 'wb' });
  sandbox = { orgId: copy.orgId, userId: production.userId, username: `${production.username}.wb`, password: production.password, loginUrl: copy.loginUrl };
  for (const [environment, org] of [['production', production], ['sandbox', sandbox]] as const) {
    await connectThroughBrowser(system, ACCOUNT, environment, org);
    await eventually(async () => {
      const status = await system.status(ACCOUNT, environment);
      return status.initialSync?.completedAt && status.phase === 'incremental';
    }, 90_000);
    connections[environment] = await connectionIdOf(system, ACCOUNT, environment);
  }
  contactIds = (await system.control.listRecords(production.orgId, 'Contact')).records.map((row) => row.Id);
  opportunityIds = (await system.control.listRecords(production.orgId, 'Opportunity')).records.map((row) => row.Id);
}, 240_000);
afterAll(async () => {
  // The production run's history (write-back batches, conflicts, pauses) as a replay fixture, with RECORD_HISTORIES=1.
  if (system) await saveHistory('v6-write-back-lane', await system.temporal.workflow.getHandle(`salesforce-connection:${ACCOUNT}:production`).fetchHistory());
  await system?.stop();
});

describe('write-back', () => {
  it('a phone edited in FastFollow reaches Salesforce within a cycle, once: reading it back writes nothing and enqueues nothing', async () => {
    const id = contactIds[0]!;
    const patchesBefore = collectionPatches(await system.control.usage(production.orgId));
    const editedAt = Date.now();
    await editInFastFollow(system, connections.production, 'contacts', id, { phone: '+1 415 555 0100' });
    const written = await eventually(async () => {
      const record = await salesforceRecord(system, production.orgId, 'Contact', id);
      return record?.Phone === '+1 415 555 0100' ? record : undefined;
    }, 10_000);
    expect(Date.now() - editedAt).toBeLessThan(5_000); // the poll interval is 1 s here

    // The read-back: the mirror takes Salesforce's new version of the record...
    await eventually(async () => {
      const row = await system.database.db.selectFrom('contacts').select('salesforce_modstamp').where('salesforce_connection_id', '=', connections.production).where('salesforce_contact_id', '=', id).executeTakeFirst();
      return row?.salesforce_modstamp && row.salesforce_modstamp.getTime() >= Date.parse(String(written.SystemModstamp)) ? true : undefined;
    }, 20_000);
    // ...and two more whole cycles change nothing: no second write, no outbox entry from the read-back.
    await nextCycle(system, ACCOUNT, 'production');
    await nextCycle(system, ACCOUNT, 'production');
    expect(collectionPatches(await system.control.usage(production.orgId)) - patchesBefore).toBe(1);
    const rows = await outboxRows(system, connections.production, id);
    expect(rows.map((row) => [row.field, row.new_value, row.status])).toEqual([['phone', '+1 415 555 0100', 'written']]);
    expect((await salesforceRecord(system, production.orgId, 'Contact', id))?.SystemModstamp).toBe(written.SystemModstamp);
    expect(await outboxRows(system, connections.sandbox)).toEqual([]);
    expect((await salesforceRecord(system, sandbox.orgId, 'Contact', id))?.Phone).not.toBe('+1 415 555 0100');
  }, 90_000);

  it("a deal edited on both sides ends with Salesforce's value and one recorded conflict; its other edited field is written", async () => {
    const id = opportunityIds[0]!;
    expect((await system.support(ACCOUNT, 'pause', 'production')).status).toBe(200);
    await editInFastFollow(system, connections.production, 'deals', id, { stage: 'Negotiation/Review', title: 'Renamed in FastFollow' });
    await system.control.updateRecords(production.orgId, 'Opportunity', [{ Id: id, StageName: 'Closed Lost' }]);
    expect((await system.support(ACCOUNT, 'resume', 'production')).status).toBe(200);
    await outboxSettled(system, connections.production);
    await nextCycle(system, ACCOUNT, 'production');

    const record = await salesforceRecord(system, production.orgId, 'Opportunity', id);
    expect(record).toMatchObject({ StageName: 'Closed Lost', Name: 'Renamed in FastFollow' });
    const deal = await system.database.db.selectFrom('deals').select(['stage', 'title']).where('salesforce_connection_id', '=', connections.production).where('salesforce_opportunity_id', '=', id).executeTakeFirstOrThrow();
    expect(deal).toEqual({ stage: 'Closed Lost', title: 'Renamed in FastFollow' });
    const conflicts = await system.database.db.selectFrom('salesforce_write_conflicts').selectAll().where('salesforce_id', '=', id).execute();
    expect(conflicts.map((c) => [c.salesforce_connection_id, c.field, c.fastfollow_value, c.salesforce_value, c.winner])).toEqual([
      [connections.production, 'stage', 'Negotiation/Review', 'Closed Lost', 'salesforce'],
    ]);
    const report = await health(system, ACCOUNT, 'production');
    expect(report.writeBack.conflicts).toBe(1);
    expect(report.writeBack.recentConflicts[0]).toMatchObject({ salesforceId: id, field: 'stage', winner: 'salesforce', salesforceValue: 'Closed Lost' });
    expect((await health(system, ACCOUNT, 'sandbox')).writeBack.conflicts).toBe(0);
  }, 90_000);

  it('a contact field edited on both sides: the newer edit wins (here FastFollow’s), recorded as a conflict', async () => {
    const id = contactIds[1]!;
    expect((await system.support(ACCOUNT, 'pause', 'production')).status).toBe(200);
    await system.control.updateRecords(production.orgId, 'Contact', [{ Id: id, Phone: '+1 000 SALESFORCE' }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await editInFastFollow(system, connections.production, 'contacts', id, { phone: '+1 000 FASTFOLLOW' });
    expect((await system.support(ACCOUNT, 'resume', 'production')).status).toBe(200);
    await outboxSettled(system, connections.production);
    expect((await salesforceRecord(system, production.orgId, 'Contact', id))?.Phone).toBe('+1 000 FASTFOLLOW');
    const conflicts = await system.database.db.selectFrom('salesforce_write_conflicts').select(['field', 'winner', 'salesforce_value']).where('salesforce_id', '=', id).execute();
    expect(conflicts).toEqual([{ field: 'phone', winner: 'fastfollow', salesforce_value: '+1 000 SALESFORCE' }]);
  }, 90_000);

  it('a value Salesforce refuses fails for its record alone, stored with the code and the fix and shown in health', async () => {
    const [bad, good] = [opportunityIds[2]!, opportunityIds[3]!];
    expect((await system.support(ACCOUNT, 'pause', 'production')).status).toBe(200);
    await editInFastFollow(system, connections.production, 'deals', bad, { stage: 'Signed' });
    await editInFastFollow(system, connections.production, 'deals', good, { value: 4321.5 });
    expect((await system.support(ACCOUNT, 'resume', 'production')).status).toBe(200);
    await outboxSettled(system, connections.production);
    expect((await salesforceRecord(system, production.orgId, 'Opportunity', good))?.Amount).toBe(4321.5);
    expect((await salesforceRecord(system, production.orgId, 'Opportunity', bad))?.StageName).not.toBe('Signed');
    const [failed] = await outboxRows(system, connections.production, bad);
    const fix = explainWriteBackError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST').fix;
    expect(failed).toMatchObject({ status: 'failed', error_code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', error_fix: fix });
    const report = await health(system, ACCOUNT, 'production');
    expect(report.writeBack.failed).toEqual([expect.objectContaining({ code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fix, records: 1, sampleRecordIds: [bad] })]);
  }, 90_000);

  it("a sandbox edit is written to the sandbox org only, a production edit to production only (same record Ids)", async () => {
    const id = contactIds[5]!;
    const original = (await salesforceRecord(system, production.orgId, 'Contact', id))?.Phone;
    await editInFastFollow(system, connections.sandbox, 'contacts', id, { phone: '+1 SANDBOX' });
    await eventually(async () => ((await salesforceRecord(system, sandbox.orgId, 'Contact', id))?.Phone === '+1 SANDBOX' ? true : undefined), 15_000);
    await editInFastFollow(system, connections.production, 'contacts', contactIds[6]!, { email: 'moved@prod.example' });
    await eventually(async () => ((await salesforceRecord(system, production.orgId, 'Contact', contactIds[6]!))?.Email === 'moved@prod.example' ? true : undefined), 15_000);
    await nextCycle(system, ACCOUNT, 'production');
    await nextCycle(system, ACCOUNT, 'sandbox');
    expect((await salesforceRecord(system, production.orgId, 'Contact', id))?.Phone).toBe(original);
    expect((await salesforceRecord(system, sandbox.orgId, 'Contact', contactIds[6]!))?.Email).not.toBe('moved@prod.example');
    const production_ = await system.database.db.selectFrom('contacts').select('phone').where('salesforce_connection_id', '=', connections.production).where('salesforce_contact_id', '=', id).executeTakeFirstOrThrow();
    expect(production_.phone).toBe(original ?? null);
    expect((await outboxRows(system, connections.sandbox)).map((row) => [row.salesforce_id, row.status])).toEqual([[id, 'written']]);
  }, 90_000);

  it('a field the connected user may no longer edit (field-level security) fails per record with INVALID_FIELD_FOR_INSERT_UPDATE and its fix; other records proceed', async () => {
    const [locked, free] = [contactIds[10]!, contactIds[11]!];
    await system.control.setUserPermissions(production.orgId, production.userId, { fields: { 'Contact.Phone': 'read' } });
    try {
      expect((await system.support(ACCOUNT, 'pause', 'production')).status).toBe(200);
      await editInFastFollow(system, connections.production, 'contacts', locked, { phone: '+1 LOCKED' });
      await editInFastFollow(system, connections.production, 'contacts', free, { email: 'still.free@ff.example' });
      expect((await system.support(ACCOUNT, 'resume', 'production')).status).toBe(200);
      await outboxSettled(system, connections.production);
    } finally {
      await system.control.setUserPermissions(production.orgId, production.userId, {});
    }
    expect((await salesforceRecord(system, production.orgId, 'Contact', free))?.Email).toBe('still.free@ff.example');
    expect((await salesforceRecord(system, production.orgId, 'Contact', locked))?.Phone).not.toBe('+1 LOCKED');
    const fix = explainWriteBackError('INVALID_FIELD_FOR_INSERT_UPDATE').fix;
    expect((await outboxRows(system, connections.production, locked))[0]).toMatchObject({ status: 'failed', error_code: 'INVALID_FIELD_FOR_INSERT_UPDATE', error_fix: fix });
    const failed = (await health(system, ACCOUNT, 'production')).writeBack.failed;
    expect(failed.find((group) => group.code === 'INVALID_FIELD_FOR_INSERT_UPDATE')).toMatchObject({ records: 1, sampleRecordIds: [locked], fix });
  }, 90_000);
});
