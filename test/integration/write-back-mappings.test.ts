import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainWriteBackError } from '../../domain/write-back-errors.js';
import { saveHistory } from '../support/histories.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';
import { connectionIdOf, editInFastFollow, health, outboxRows, salesforceRecord } from '../support/write-back.js';

// Custom field mappings end to end: checked against the org's describe at PUT, backfilled, read on
// incremental syncs, written back, and flagged when field-level security later refuses a write.

let system: TestSystem;
let org: TestOrg;
const ACCOUNT = 'acct-writeback-mappings';
let connectionId: string;
let contactIds: string[];

const route = `/api/integrations/salesforce/connections/${ACCOUNT}/production/mappings`;
const put = (body: unknown) => system.call(route, { method: 'PUT', body: JSON.stringify(body) });
const customOf = async (salesforceId: string) =>
  (await system.database.db.selectFrom('contacts').select('custom_fields').where('salesforce_connection_id', '=', connectionId).where('salesforce_contact_id', '=', salesforceId).executeTakeFirstOrThrow()).custom_fields;
const editCustom = (salesforceId: string, key: string, value: unknown) =>
  sql`update contacts set custom_fields = custom_fields || jsonb_build_object(${key}::text, ${JSON.stringify(value)}::jsonb)
      where salesforce_connection_id = ${connectionId} and salesforce_contact_id = ${salesforceId}`.execute(system.database.db);

beforeAll(async () => {
  system = await startTestSystem();
  org = await system.createOrg('production', {
    customFields: {
      Contact: [
        { name: 'Region__c', type: 'string', length: 40 },
        { name: 'Score__c', type: 'double' },
        { name: 'Secret__c', type: 'string', length: 40 },
      ],
    },
  });
  await system.control.generateRecords(org.orgId, 'Contact', 12, 51);
  contactIds = (await system.control.listRecords(org.orgId, 'Contact')).records.map((row) => row.Id);
  await system.control.updateRecords(org.orgId, 'Contact', contactIds.map((Id, i) => ({ Id, Region__c: `Region ${i}` })));
  await system.control.setUserPermissions(org.orgId, org.userId, { fields: { 'Contact.Secret__c': 'read' } });
  await connectThroughBrowser(system, ACCOUNT, 'production', org);
  await eventually(async () => {
    const status = await system.status(ACCOUNT, 'production');
    return status.initialSync?.completedAt && status.phase === 'incremental' ? true : undefined;
  }, 90_000);
  connectionId = await connectionIdOf(system, ACCOUNT, 'production');
}, 240_000);
afterAll(async () => {
  // With RECORD_HISTORIES=1: a replay fixture with the writeBackWork signal (mappings saved), custom-field write-back and a backfill.
  if (system) await saveHistory('v7-writeback-mappings-signal', await system.temporal.workflow.getHandle(`salesforce-connection:${ACCOUNT}:production`).fetchHistory());
  await system?.stop();
});

describe('custom field mappings', () => {
  it('refuses at PUT a mapping to a field the user cannot write, or one the org does not have, naming the mapping; nothing is saved', async () => {
    const unwritable = await put({ mappings: [{ object: 'Contact', salesforceField: 'Secret__c', fastfollowField: 'custom.secret', direction: 'both' }] });
    expect(unwritable.status).toBe(400);
    const body = (await unwritable.json()) as { error: { code: string; message: string; fix: string } };
    expect(body.error.code).toBe('INVALID_MAPPING');
    expect(body.error.message).toMatch(/^mappings\[0\] \(Contact\.Secret__c → custom\.secret, both\): .*not editable by the connected Salesforce user/);
    const missing = await put({ mappings: [{ object: 'Contact', salesforceField: 'Nope__c', fastfollowField: 'custom.nope', direction: 'to_fastfollow' }] });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/Contact\.Nope__c does not exist/);
    const current = (await (await system.call(route)).json()) as { mappings: Array<{ default: boolean }> };
    expect(current.mappings.filter((m) => !m.default)).toEqual([]);
    expect(current.mappings.filter((m) => m.default)).toHaveLength(9);
  }, 30_000);

  it('backfills a new Salesforce → FastFollow mapping, then reads its changes on incremental syncs', async () => {
    const saved = await put({
      mappings: [
        { object: 'Contact', salesforceField: 'region__c', fastfollowField: 'custom.region', direction: 'to_fastfollow' },
        { object: 'Contact', salesforceField: 'Score__c', fastfollowField: 'custom.score', direction: 'both' },
      ],
    });
    expect(saved.status).toBe(200);
    const answer = (await saved.json()) as { mappings: Array<{ default: boolean; salesforceField: string }> };
    // The org's spelling, from describe, is what is stored (and what reaches SOQL).
    expect(answer.mappings.filter((m) => !m.default).map((m) => m.salesforceField)).toEqual(['Region__c', 'Score__c']);
    await eventually(async () => {
      const values = await Promise.all(contactIds.map(customOf));
      return values.every((custom, i) => custom.region === `Region ${i}`) ? true : undefined;
    }, 30_000);
    expect(await customOf(contactIds[0]!)).toEqual({ region: 'Region 0', score: null });

    await system.control.updateRecords(org.orgId, 'Contact', [{ Id: contactIds[1]!, Region__c: 'Moved North' }]);
    await eventually(async () => ((await customOf(contactIds[1]!)).region === 'Moved North' ? true : undefined), 30_000);
    // Read values are the sync's own writes: nothing goes back to Salesforce.
    expect(await outboxRows(system, connectionId, contactIds[1]!)).toEqual([]);
  }, 60_000);

  it('a contact born in FastFollow is created with its mapped custom values, never unmapped ones', async () => {
    const born = await system.database.db.insertInto('contacts')
      .values({ account_id: ACCOUNT, full_name: 'Custom Born', email: 'custom.born@example.com', custom_fields: JSON.stringify({ score: 9.5, region: 'not written', other: 'x' }) })
      .returning('id').executeTakeFirstOrThrow();
    const sfId = await eventually(async () => {
      const row = await system.database.db.selectFrom('contacts').select('salesforce_contact_id').where('id', '=', born.id).executeTakeFirstOrThrow();
      return row.salesforce_contact_id ?? undefined;
    }, 20_000);
    const created = await salesforceRecord(system, org.orgId, 'Contact', sfId);
    expect(created).toMatchObject({ LastName: 'Born', Score__c: 9.5 });
    // Region__c is mapped to FastFollow only: FastFollow's value is not sent.
    expect(created?.Region__c ?? null).toBeNull();

    // Linked to an existing contact (same email; stamped in the past so the read does not take it first): its mapped value is written as an edit.
    const { ids } = await system.control.insertRecords(org.orgId, 'Contact', [{ LastName: 'Existing', Email: 'custom.linked@example.com', SystemModstamp: '2020-01-01T00:00:00.000Z' }]);
    await system.database.db.insertInto('contacts').values({ account_id: ACCOUNT, full_name: 'Custom Linked', email: 'custom.linked@example.com', custom_fields: JSON.stringify({ score: 3 }) }).execute();
    await eventually(async () => ((await salesforceRecord(system, org.orgId, 'Contact', ids[0]!))?.Score__c === 3 ? true : undefined), 20_000);
  }, 40_000);

  it('writes a mapped custom field back; after field-level security makes it read-only, that field fails per record with INVALID_FIELD_FOR_INSERT_UPDATE while other fields and records go on', async () => {
    await editCustom(contactIds[2]!, 'score', 42.5);
    await eventually(async () => ((await salesforceRecord(system, org.orgId, 'Contact', contactIds[2]!))?.Score__c === 42.5 ? true : undefined), 20_000);
    // An unmapped key is never written.
    await editCustom(contactIds[2]!, 'unmapped', 'x');

    await system.control.setUserPermissions(org.orgId, org.userId, { fields: { 'Contact.Secret__c': 'read', 'Contact.Score__c': 'read' } });
    expect((await system.support(ACCOUNT, 'pause', 'production')).status).toBe(200);
    await editCustom(contactIds[3]!, 'score', 7);
    await editInFastFollow(system, connectionId, 'contacts', contactIds[3]!, { phone: '+1 555 0303' });
    await editInFastFollow(system, connectionId, 'contacts', contactIds[4]!, { phone: '+1 555 0404' });
    expect((await system.support(ACCOUNT, 'resume', 'production')).status).toBe(200);

    await eventually(async () => ((await salesforceRecord(system, org.orgId, 'Contact', contactIds[3]!))?.Phone === '+1 555 0303' ? true : undefined), 20_000);
    expect((await salesforceRecord(system, org.orgId, 'Contact', contactIds[4]!))?.Phone).toBe('+1 555 0404');
    expect((await salesforceRecord(system, org.orgId, 'Contact', contactIds[3]!))?.Score__c).not.toBe(7);
    const fix = explainWriteBackError('INVALID_FIELD_FOR_INSERT_UPDATE').fix;
    const scoreRow = (await outboxRows(system, connectionId, contactIds[3]!)).find((row) => row.field === 'custom.score');
    expect(scoreRow).toMatchObject({ status: 'failed', error_code: 'INVALID_FIELD_FOR_INSERT_UPDATE', error_fix: fix });
    const report = await health(system, ACCOUNT, 'production');
    expect(report.writeBack.brokenMappings).toEqual([expect.objectContaining({ object: 'Contact', salesforceField: 'Score__c', code: 'INVALID_FIELD_FOR_INSERT_UPDATE', fix })]);
    expect(report.writeBack.failed.find((group) => group.code === 'INVALID_FIELD_FOR_INSERT_UPDATE')).toMatchObject({ records: 1, sampleRecordIds: [contactIds[3]] });
    expect((await outboxRows(system, connectionId, contactIds[2]!)).map((row) => row.field)).toEqual(['custom.score']);
  }, 60_000);
});

describe('a mapped field hidden later by field-level security', () => {
  it('is flagged and left out of reads, which go on with the other fields', async () => {
    await system.control.setUserPermissions(org.orgId, org.userId, { fields: { 'Contact.Region__c': 'hidden' } });
    await system.control.updateRecords(org.orgId, 'Contact', [{ Id: contactIds[6]!, Phone: '+1 555 0606' }]);
    await eventually(async () => {
      const row = await system.database.db.selectFrom('contacts').select('phone').where('salesforce_connection_id', '=', connectionId).where('salesforce_contact_id', '=', contactIds[6]!).executeTakeFirstOrThrow();
      return row.phone === '+1 555 0606' ? true : undefined;
    }, 60_000);
    const report = await health(system, ACCOUNT, 'production');
    expect(report.writeBack.brokenMappings).toContainEqual(expect.objectContaining({ salesforceField: 'Region__c', code: 'INVALID_FIELD' }));
  }, 90_000);
});
