// Store-level behaviour through the control API: Ids, system fields, timestamps, usage window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumSuffix, to18 } from '../../emulator/ids.js';
import { endpointLabel } from '../../emulator/usage.js';
import { startWorld, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.emulator.close();
});

describe('Ids', () => {
  it('computes the 18-character checksum suffix like Salesforce', () => {
    expect(to18('a0D30000001n7Pi')).toBe('a0D30000001n7PiEAI');
    expect(to18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(to18('001A0000006Vm9rIAC')).toBe('001A0000006Vm9rIAC');
    expect(to18('001A0000006Vm9rXXX')).toBeUndefined();
    expect(to18('not-an-id')).toBeUndefined();
  });

  it('issues Ids with the right key prefix and a valid suffix', async () => {
    const org = await world.control.createOrg({});
    expect(org.orgId).toMatch(/^00D[A-Za-z0-9]{15}$/);
    for (const [sobject, prefix, record] of [
      ['Account', '001', { Name: 'A' }],
      ['Contact', '003', { LastName: 'C' }],
      ['Opportunity', '006', { Name: 'O', StageName: 'Prospecting', CloseDate: '2025-01-01' }],
      ['Task', '00T', { Subject: 'T' }],
    ] as const) {
      const { ids } = await world.control.insertRecords(org.orgId, sobject, [record]);
      expect(ids[0]!.slice(0, 3)).toBe(prefix);
      expect(ids[0]!.slice(15)).toBe(checksumSuffix(ids[0]!.slice(0, 15)));
    }
  });
});

describe('system fields and timestamps', () => {
  it('stamps every row and keeps SystemModstamp monotonic when the clock moves back', async () => {
    const org = await world.control.createOrg({});
    const first = (await world.control.insertRecords(org.orgId, 'Account', [{ Name: 'First' }])).ids[0]!;
    await world.control.setFaults(org.orgId, { clockOffsetMs: -3_600_000 });
    const second = (await world.control.insertRecords(org.orgId, 'Account', [{ Name: 'Second' }])).ids[0]!;
    const rows = (await world.control.listRecords(org.orgId, 'Account')).records;
    const a = rows.find((r) => r.Id === first)!;
    const b = rows.find((r) => r.Id === second)!;
    for (const r of [a, b]) {
      expect(r).toMatchObject({ IsDeleted: false, CreatedById: org.adminUserId, OwnerId: org.adminUserId });
      expect(r.CreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    expect(b.SystemModstamp > a.SystemModstamp).toBe(true);
  });

  it('gives edits one SystemModstamp with sameTimestamp, distinct ones otherwise; deletes are flagged', async () => {
    const org = await world.control.createOrg({});
    const { ids } = await world.control.generateRecords(org.orgId, 'Contact', 50, 3);
    await world.control.updateRecords(org.orgId, 'Contact', ids.map((Id) => ({ Id, Title: 'VP' })), { sameTimestamp: true });
    let rows = (await world.control.listRecords(org.orgId, 'Contact')).records;
    expect(new Set(rows.map((r) => r.SystemModstamp)).size).toBe(1);
    expect(rows.every((r) => r.Title === 'VP' && r.LastModifiedDate === r.SystemModstamp)).toBe(true);

    await world.control.updateRecords(org.orgId, 'Contact', ids.slice(0, 10).map((Id) => ({ Id, Title: 'CEO' })));
    rows = (await world.control.listRecords(org.orgId, 'Contact')).records;
    expect(new Set(rows.filter((r) => r.Title === 'CEO').map((r) => r.SystemModstamp)).size).toBe(10);

    await world.control.deleteRecords(org.orgId, 'Contact', [ids[0]!]);
    rows = (await world.control.listRecords(org.orgId, 'Contact')).records;
    expect(rows.find((r) => r.Id === ids[0])).toMatchObject({ IsDeleted: true, deletedDate: expect.any(String) });
    expect(rows).toHaveLength(50);
  });

  it('generates the same realistic data for the same seed', async () => {
    const a = await world.control.createOrg({});
    const b = await world.control.createOrg({});
    await world.control.generateRecords(a.orgId, 'Contact', 20, 99);
    await world.control.generateRecords(b.orgId, 'Contact', 20, 99);
    const pick = async (orgId: string) => (await world.control.listRecords(orgId, 'Contact')).records.map((r) => [r.FirstName, r.LastName, r.Email, r.Phone]);
    const rowsA = await pick(a.orgId);
    expect(rowsA).toEqual(await pick(b.orgId));
    expect(rowsA.filter((r) => typeof r[2] === 'string' && String(r[2]).includes('@')).length).toBeGreaterThan(15);
  });

  it('enforces required fields and relationships on control inserts', async () => {
    const org = await world.control.createOrg({});
    await expect(world.control.insertRecords(org.orgId, 'Contact', [{ FirstName: 'No last name' }])).rejects.toThrow(/REQUIRED_FIELD_MISSING/);
    await expect(world.control.insertRecords(org.orgId, 'Contact', [{ LastName: 'X', AccountId: '001Ka000009999zIAA' }])).rejects.toThrow(/INVALID_CROSS_REFERENCE_KEY/);
    const { ids: [accountId] } = await world.control.insertRecords(org.orgId, 'Account', [{ Name: 'Parent' }]);
    await world.control.insertRecords(org.orgId, 'Contact', [{ LastName: 'Child', AccountId: accountId }]);
    // Deleting the Account cascades to its Contacts, as in Salesforce.
    await world.control.deleteRecords(org.orgId, 'Account', [accountId!]);
    const contacts = (await world.control.listRecords(org.orgId, 'Contact')).records;
    expect(contacts.find((c) => c.LastName === 'Child')?.IsDeleted).toBe(true);
  });
});

describe('usage labels', () => {
  it('groups request paths into endpoints', () => {
    expect(endpointLabel('GET', '/services/data/v62.0/query/01gKa0000000001IAA-2000')).toBe('GET /query/:locator');
    expect(endpointLabel('GET', '/services/data/v62.0/sobjects/Contact/003Ka0000000001IAA')).toBe('GET /sobjects/Contact/:id');
    expect(endpointLabel('GET', '/services/data/v62.0/jobs/query/750Ka0000000001IAA/results')).toBe('GET /jobs/query/:jobId/results');
    expect(endpointLabel('POST', '/services/data/v62.0/composite/sobjects')).toBe('POST /composite/sobjects');
  });
});
