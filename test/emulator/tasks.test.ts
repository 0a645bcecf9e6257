// Logging Tasks against the emulator the way the follow-up writer does: Task fields and their
// validations, the org's time zone, users by email, and a write whose answer is lost after commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { to18 } from '../../emulator/ids.js';
import { api, connect, createOrgFixture, startWorld, type OrgFixture, type TestWorld } from './helpers.js';

let world: TestWorld;
let fx: OrgFixture;
let conn: Awaited<ReturnType<typeof connect>>['conn'];
let token: string;
let contactId: string;
let deletedContactId: string;
let opportunityId: string;
let repUserId: string;

interface TaskRow {
  Id: string;
  Subject: string;
  Description: string | null;
  Status: string;
  TaskSubtype: string;
  Priority: string;
  IsClosed: boolean;
  ActivityDate: string;
  WhoId: string | null;
  WhatId: string | null;
  OwnerId: string;
  CreatedDate: string;
}

/** An Id with a valid checksum and the right key prefix that names no record. */
const unknownId = (prefix: string) => to18(`${prefix}Zz9999999999`)!;

beforeAll(async () => {
  world = await startWorld();
  fx = await createOrgFixture(world);
  const contacts = await world.control.insertRecords(fx.orgId, 'Contact', [{ LastName: 'Live' }, { LastName: 'Gone' }]);
  [contactId, deletedContactId] = contacts.ids as [string, string];
  await world.control.deleteRecords(fx.orgId, 'Contact', [deletedContactId]);
  const deals = await world.control.insertRecords(fx.orgId, 'Opportunity', [{ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2025-09-30' }]);
  opportunityId = deals.ids[0]!;
  ({ userId: repUserId } = await world.control.createUser(fx.orgId, { username: `rep.${Date.now()}@example.com`, password: 'pw', email: 'Sales.Rep@Example.com' }));
  ({ conn } = await connect(fx));
  token = conn.accessToken!;
});
afterAll(async () => {
  await world.emulator.close();
});

describe('Task', () => {
  it('logs a completed email Task with who, what, owner and date, queryable by SOQL', async () => {
    const [result] = await conn.sobject('Task').create([{
      Subject: 'Follow-up: pricing', Description: 'x'.repeat(32_000), Status: 'Completed', TaskSubtype: 'Email',
      ActivityDate: '2025-06-02', WhoId: contactId, WhatId: opportunityId, OwnerId: repUserId,
    }]);
    expect(result).toMatchObject({ success: true, id: expect.stringMatching(/^00T/) });
    const { records: [task] } = await conn.query<TaskRow>(
      `SELECT Id, Subject, Description, Status, TaskSubtype, Priority, IsClosed, ActivityDate, WhoId, WhatId, OwnerId, CreatedDate FROM Task WHERE WhoId = '${contactId}' AND Subject = 'Follow-up: pricing'`,
    );
    expect(task).toMatchObject({
      Id: result!.id, Status: 'Completed', TaskSubtype: 'Email', Priority: 'Normal', IsClosed: true, ActivityDate: '2025-06-02',
      WhoId: contactId, WhatId: opportunityId, OwnerId: repUserId, CreatedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*\+0000$/),
    });
    expect(task!.Description).toHaveLength(32_000);
    // Without an owner the Task belongs to the user who created it (the integration user).
    const [mine] = await conn.sobject('Task').create([{ Subject: 'Mine', WhoId: contactId }]);
    const owner = await conn.query<TaskRow>(`SELECT OwnerId, Status, IsClosed FROM Task WHERE Id = '${mine!.id}'`);
    expect(owner.records[0]).toMatchObject({ OwnerId: fx.userId, Status: 'Not Started', IsClosed: false });
  });

  it('refuses bad references per record while the rest of the batch is saved', async () => {
    const results = await conn.sobject('Task').create([
      { Subject: 'ok', WhoId: contactId },
      { Subject: 'deleted contact', WhoId: deletedContactId },
      { Subject: 'no such contact', WhoId: unknownId('003') },
      { Subject: 'no such owner', WhoId: contactId, OwnerId: unknownId('005') },
      { Subject: 'an Account as who', WhoId: (await world.control.insertRecords(fx.orgId, 'Account', [{ Name: 'A' }])).ids[0] },
      { Subject: 'x', Description: 'x'.repeat(32_001) },
    ]);
    expect(results.map((r) => r.success)).toEqual([true, false, false, false, false, false]);
    const codes = results.slice(1).map((r) => (r.success ? undefined : r.errors[0]));
    expect(codes).toEqual([
      { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: ['WhoId'] },
      { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['WhoId'] },
      { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['OwnerId'] },
      expect.objectContaining({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['WhoId'] }),
      expect.objectContaining({ statusCode: 'STRING_TOO_LONG', fields: ['Description'] }),
    ]);
    // Raw shape of the collections answer for the failed record: no id, statusCode (not errorCode).
    const raw = await api(fx, token, '/composite/sobjects', {
      method: 'POST', body: JSON.stringify({ allOrNone: false, records: [{ attributes: { type: 'Task' }, Subject: 's', WhoId: deletedContactId }] }),
    });
    expect(raw.body).toEqual([{ success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: ['WhoId'] }] }]);
  });
});

describe('org time zone, users and the integration user', () => {
  it('exposes the time zone as Organization.TimeZoneSidKey, following the org setting', async () => {
    const { records: [org] } = await conn.query<{ Id: string; TimeZoneSidKey: string; IsSandbox: boolean }>('SELECT Id, TimeZoneSidKey, IsSandbox FROM Organization');
    expect(org).toMatchObject({ Id: fx.orgId, TimeZoneSidKey: 'America/Los_Angeles', IsSandbox: false });
    await world.control.updateOrg(fx.orgId, { timezone: 'Asia/Tokyo' });
    const after = await conn.query<{ TimeZoneSidKey: string }>('SELECT TimeZoneSidKey FROM Organization');
    expect(after.totalSize).toBe(1);
    expect(after.records[0]!.TimeZoneSidKey).toBe('Asia/Tokyo');
    await world.control.updateOrg(fx.orgId, { timezone: 'America/Los_Angeles' });
    // A sandbox copy has its own single Organization row.
    const sandbox = await world.control.createSandboxCopy(fx.orgId, { kind: 'partial', name: 'tz' });
    const rows = (await world.control.listRecords(sandbox.orgId, 'Organization')).records;
    expect(rows).toEqual([expect.objectContaining({ Id: sandbox.orgId, IsSandbox: true, TimeZoneSidKey: 'America/Los_Angeles' })]);
  });

  it('finds users by email (= and IN, case-insensitive) and names the integration user', async () => {
    const eq = await conn.query<{ Id: string; Email: string }>("SELECT Id, Email FROM User WHERE Email = 'sales.rep@example.com'");
    expect(eq.records).toEqual([expect.objectContaining({ Id: repUserId, Email: 'Sales.Rep@Example.com' })]);
    const inList = await conn.query<{ Id: string }>("SELECT Id, Email FROM User WHERE Email IN ('nobody@example.com', 'SALES.REP@example.com')");
    expect(inList.records.map((r) => r.Id)).toEqual([repUserId]);
    const identity = await conn.identity();
    expect(identity).toMatchObject({ user_id: fx.userId, organization_id: fx.orgId });
    const userinfo = await fetch(`${fx.instanceUrl}/services/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    expect(await userinfo.json()).toMatchObject({ user_id: fx.userId, zoneinfo: 'America/Los_Angeles' });
  });
});

describe('dropResponseAfterCommit', () => {
  const countTasks = async (subject: string) => (await conn.query(`SELECT COUNT() FROM Task WHERE Subject = '${subject}'`)).totalSize;

  it('saves the records of a collections write, then breaks the connection without an answer, once', async () => {
    await world.control.setFaults(fx.orgId, { dropResponseAfterCommit: { path: 'composite/sobjects', times: 1 } });
    const tasks = Array.from({ length: 3 }, () => ({ Subject: 'lost answer', WhoId: contactId }));
    await expect(conn.sobject('Task').create(tasks)).rejects.toThrow();
    expect(await countTasks('lost answer')).toBe(3);
    // Used up: the retry is answered (and creates three more, which is what a blind retry does).
    const retry = await conn.sobject('Task').create(tasks);
    expect(retry.every((r) => r.success)).toBe(true);
    expect(await countTasks('lost answer')).toBe(6);
    await world.control.setFaults(fx.orgId, {});
  });

  it('matches by method and path and leaves other writes alone', async () => {
    await world.control.setFaults(fx.orgId, { dropResponseAfterCommit: { method: 'POST', path: 'sobjects/Task' } });
    const single = fetch(`${fx.instanceUrl}/services/data/v62.0/sobjects/Task`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ Subject: 'lost single' }),
    });
    await expect(single).rejects.toThrow(/fetch failed/);
    expect(await countTasks('lost single')).toBe(1);
    const account = await api(fx, token, '/sobjects/Account', { method: 'POST', body: JSON.stringify({ Name: 'unaffected' }) });
    expect(account.status).toBe(201);
    await world.control.setFaults(fx.orgId, {});
  });
});
