import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connect, createOrgFixture, startWorld, type OrgFixture, type TestWorld } from './helpers.js';

let world: TestWorld;
let fx: OrgFixture;
let conn: Awaited<ReturnType<typeof connect>>['conn'];
let token: string;

beforeAll(async () => {
  world = await startWorld();
  fx = await createOrgFixture(world, {
    customFields: {
      Contact: [
        { name: 'Tier__c', type: 'picklist', picklistValues: ['Gold', 'Silver'] },
        { name: 'Score__c', type: 'double', createable: false, updateable: false },
      ],
    },
  });
  await world.control.generateRecords(fx.orgId, 'Account', 50, 7);
  await world.control.generateRecords(fx.orgId, 'Contact', 5000, 8);
  ({ conn } = await connect(fx));
  token = conn.accessToken!;
});
afterAll(async () => {
  await world.emulator.close();
});

describe('query', () => {
  it('pages 5,000 rows with query + queryMore, 2,000 per page by default', async () => {
    const first = await conn.query<{ Id: string; Account: { Name: string } | null }>('SELECT Id, Email, Account.Name FROM Contact ORDER BY Id');
    expect(first.totalSize).toBe(5000);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(2000);
    // jsforce makes the locator URL absolute; the raw response has the relative path.
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);
    const withAccount = first.records.find((r) => r.Account);
    expect(withAccount?.Account).toMatchObject({ attributes: { type: 'Account' }, Name: expect.any(String) });
    const seen = new Set(first.records.map((r) => r.Id));
    let next = first.nextRecordsUrl;
    const sizes = [first.records.length];
    while (next) {
      const page = await conn.queryMore<{ Id: string }>(next);
      sizes.push(page.records.length);
      for (const r of page.records) seen.add(r.Id);
      next = page.nextRecordsUrl;
    }
    expect(sizes).toEqual([2000, 2000, 1000]);
    expect(seen.size).toBe(5000);
  });

  it('honours Sforce-Query-Options batchSize and counts each page as one API call', async () => {
    const before = (await world.control.usage(fx.orgId)).total;
    const res = await api(fx, token, `/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`, { headers: { 'sforce-query-options': 'batchSize=500' } });
    expect(res.body.records).toHaveLength(500);
    const page2 = await fetch(fx.instanceUrl + res.body.nextRecordsUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(((await page2.json()) as { records: unknown[] }).records).toHaveLength(500);
    const usage = await world.control.usage(fx.orgId);
    expect(usage.total - before).toBe(2);
    expect(usage.byEndpoint['GET /query/:locator']).toBeGreaterThanOrEqual(1);
  });

  it('counts the version root once and lists versions without a session', async () => {
    const before = (await world.control.usage(fx.orgId)).total;
    const root = await api(fx, token, '');
    expect(root.body.identity).toBe(`${fx.loginUrl}/id/${fx.orgId}/${fx.userId}`);
    expect((await world.control.usage(fx.orgId)).total - before).toBe(1);
    const versions = (await (await fetch(`${fx.instanceUrl}/services/data`)).json()) as { version: string; url: string }[];
    expect(versions).toContainEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
    expect((await api(fx, token, '/../v99.0/limits')).status).toBe(404);
  });

  it('answers SOQL errors in Salesforce shape', async () => {
    const bad = await api(fx, token, `/query?q=${encodeURIComponent('SELECT Nope__c FROM Contact')}`);
    expect(bad.status).toBe(400);
    expect(bad.body[0].errorCode).toBe('INVALID_FIELD');
    const malformed = await api(fx, token, `/query?q=${encodeURIComponent('SELEC Id FROM Contact')}`);
    expect(malformed.body[0].errorCode).toBe('MALFORMED_QUERY');
  });

  it('includes deleted rows only in queryAll', async () => {
    const { ids } = await world.control.insertRecords(fx.orgId, 'Account', [{ Name: 'Doomed Inc' }]);
    await conn.sobject('Account').destroy(ids[0]!);
    const q = `SELECT Id, IsDeleted FROM Account WHERE Name = 'Doomed Inc'`;
    expect((await conn.query(q)).totalSize).toBe(0);
    const all = await conn.query(q, { scanAll: true });
    expect(all.records).toEqual([expect.objectContaining({ Id: ids[0], IsDeleted: true })]);
  });
});

describe('sObject rows', () => {
  it('creates, reads, updates and deletes with system fields', async () => {
    const created = await conn.sobject('Contact').create({ FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' });
    expect(created).toEqual({ id: expect.stringMatching(/^003[A-Za-z0-9]{15}$/), success: true, errors: [] });
    const row = await conn.sobject('Contact').retrieve(created.id!);
    expect(row).toMatchObject({ Name: 'Ada Lovelace', IsDeleted: false, OwnerId: fx.userId, CreatedById: fx.userId });
    expect(row.SystemModstamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    await conn.sobject('Contact').update({ Id: created.id!, Phone: '555-0100' });
    const after = await conn.sobject('Contact').retrieve(created.id!);
    expect(after.Phone).toBe('555-0100');
    expect(after.SystemModstamp >= row.SystemModstamp).toBe(true);
    await conn.sobject('Contact').destroy(created.id!);
    const gone = await api(fx, token, `/sobjects/Contact/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('answers the REST error shapes for invalid writes', async () => {
    const missing = await api(fx, token, '/sobjects/Opportunity', { method: 'POST', body: JSON.stringify({ Name: 'X' }) });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual([{ message: 'Required fields are missing: [StageName, CloseDate]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['StageName', 'CloseDate'] }]);
    const readOnly = await api(fx, token, '/sobjects/Contact', { method: 'POST', body: JSON.stringify({ LastName: 'X', Name: 'Y' }) });
    expect(readOnly.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Name'] });
    const unknown = await api(fx, token, '/sobjects/Contact', { method: 'POST', body: JSON.stringify({ LastName: 'X', Bogus__c: 1 }) });
    expect(unknown.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD', message: "No such column 'Bogus__c' on sobject of type Contact" });
    const task = await conn.sobject('Task').create({ Subject: 'Email sent', TaskSubtype: 'Email', Status: 'Completed' });
    const changeSubtype = await api(fx, token, `/sobjects/Task/${task.id}`, { method: 'PATCH', body: JSON.stringify({ TaskSubtype: 'Call' }) });
    expect(changeSubtype.body[0].errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });
});

describe('sObject Collections and composite', () => {
  it('creates 200 Tasks in one call with jsforce, and refuses 201', async () => {
    const contact = (await conn.query<{ Id: string }>('SELECT Id FROM Contact LIMIT 1')).records[0]!;
    const before = (await world.control.usage(fx.orgId)).total;
    const tasks = Array.from({ length: 200 }, (_, i) => ({ Subject: `Follow-up ${i}`, Status: 'Completed', WhoId: contact.Id, ActivityDate: '2025-01-15' }));
    const results = await conn.sobject('Task').create(tasks);
    expect(results).toHaveLength(200);
    expect(results.every((r) => r.success && r.id?.startsWith('00T'))).toBe(true);
    expect((await world.control.usage(fx.orgId)).total - before).toBe(1);
    const rows = (await world.control.listRecords(fx.orgId, 'Task')).records.filter((r) => results.some((x) => x.id === r.Id));
    expect(new Set(rows.map((r) => r.SystemModstamp)).size).toBe(1);

    const tooMany = await api(fx, token, '/composite/sobjects', { method: 'POST', body: JSON.stringify({ records: Array.from({ length: 201 }, () => ({ attributes: { type: 'Task' }, Subject: 'x' })) }) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('reports per-record errors with statusCode, and rolls everything back with allOrNone', async () => {
    const records = [
      { attributes: { type: 'Contact' }, LastName: 'Good' },
      { attributes: { type: 'Contact' }, LastName: 'Bad', Score__c: 5 },
    ];
    const partial = await api(fx, token, '/composite/sobjects', { method: 'POST', body: JSON.stringify({ allOrNone: false, records }) });
    expect(partial.status).toBe(200);
    expect(partial.body[0]).toEqual({ id: expect.any(String), success: true, errors: [] });
    expect(partial.body[1]).toEqual({ success: false, errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: expect.stringContaining('Score__c'), fields: ['Score__c'] }] });

    const countBefore = (await conn.query('SELECT COUNT() FROM Contact')).totalSize;
    const all = await api(fx, token, '/composite/sobjects', { method: 'POST', body: JSON.stringify({ allOrNone: true, records }) });
    expect(all.body[0]).toEqual({ success: false, errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })] });
    expect((await conn.query('SELECT COUNT() FROM Contact')).totalSize).toBe(countBefore);
  });

  it('updates and deletes collections', async () => {
    const created = await conn.sobject('Account').create([{ Name: 'A1' }, { Name: 'A2' }]);
    const ids = created.map((r) => r.id!);
    const updated = await conn.sobject('Account').update(ids.map((Id) => ({ Id, Industry: 'Energy' })));
    expect(updated.every((r) => r.success)).toBe(true);
    const deleted = await conn.sobject('Account').destroy(ids);
    expect(deleted.map((r) => r.success)).toEqual([true, true]);
    const again = await api(fx, token, `/composite/sobjects?ids=${ids.join(',')}`, { method: 'DELETE' });
    expect(again.body[0].errors[0].statusCode).toBe('ENTITY_IS_DELETED');
  });

  it('runs composite subrequests with references in one API call, rolling back on allOrNone', async () => {
    const before = (await world.control.usage(fx.orgId)).total;
    const res = await conn.requestPost<{ compositeResponse: { httpStatusCode: number; body: any; referenceId: string }[] }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'acct', body: { Name: 'Composite Co' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Contact', referenceId: 'ct', body: { LastName: 'Ref', AccountId: '@{acct.id}' } },
        { method: 'GET', url: '/services/data/v62.0/sobjects/Contact/@{ct.id}?fields=AccountId', referenceId: 'read' },
      ],
    });
    expect(res.compositeResponse.map((r) => r.httpStatusCode)).toEqual([201, 201, 200]);
    expect((res.compositeResponse[0] as unknown as { httpHeaders: Record<string, string> }).httpHeaders.Location)
      .toBe(`/services/data/v62.0/sobjects/Account/${res.compositeResponse[0]!.body.id}`);
    expect(res.compositeResponse[2]!.body.AccountId).toBe(res.compositeResponse[0]!.body.id);
    expect((await world.control.usage(fx.orgId)).total - before).toBe(1);

    const failing = await conn.requestPost<{ compositeResponse: { httpStatusCode: number; body: any }[] }>('/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'a', body: { Name: 'Rolled Back Co' } },
        { method: 'POST', url: '/services/data/v62.0/sobjects/Opportunity', referenceId: 'o', body: { Name: 'No stage' } },
      ],
    });
    expect(failing.compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 400]);
    expect(failing.compositeResponse[0]!.body[0].errorCode).toBe('PROCESSING_HALTED');
    expect((await conn.query("SELECT Id FROM Account WHERE Name = 'Rolled Back Co'")).totalSize).toBe(0);
  });
});

describe('Bulk API 2.0', () => {
  it('runs a query job through jsforce and pages CSV with Sforce-Locator', async () => {
    const records = await (await conn.bulk2.query('SELECT Id, LastName, Account.Name FROM Contact', { pollInterval: 50 })).toArray();
    const total = (await conn.query('SELECT COUNT() FROM Contact')).totalSize;
    expect(records).toHaveLength(total);
    expect(records[0]).toHaveProperty('Account.Name');

    const job = await api(fx, token, '/jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Contact' }) });
    expect(job.body).toMatchObject({ id: expect.stringMatching(/^750/), state: 'UploadComplete', operation: 'query', object: 'Contact' });
    const info = await api(fx, token, `/jobs/query/${job.body.id}`);
    expect(info.body.state).toBe('JobComplete');
    const page1 = await api(fx, token, `/jobs/query/${job.body.id}/results?maxRecords=3000`);
    expect(page1.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(page1.headers.get('sforce-numberofrecords')).toBe('3000');
    expect(page1.text.split('\n')[0]).toBe('"Id"');
    const locator = page1.headers.get('sforce-locator')!;
    expect(locator).not.toBe('null');
    const page2 = await api(fx, token, `/jobs/query/${job.body.id}/results?maxRecords=3000&locator=${locator}`);
    expect(Number(page2.headers.get('sforce-numberofrecords'))).toBe(total - 3000);
    expect(page2.headers.get('sforce-locator')).toBe('null');
  });
});

describe('describe, limits, changes', () => {
  it('describes standard and custom fields with createable/updateable flags', async () => {
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(expect.arrayContaining(['Account', 'Contact', 'Opportunity', 'OpportunityContactRole', 'Task', 'User']));
    const d = await conn.sobject('Contact').describe();
    const byName = Object.fromEntries(d.fields.map((f) => [f.name, f]));
    expect(byName.LastName).toMatchObject({ createable: true, updateable: true, nillable: false, custom: false, length: 80 });
    expect(byName.Name).toMatchObject({ createable: false, updateable: false });
    expect(byName.Tier__c).toMatchObject({ custom: true, type: 'picklist', createable: true });
    expect(byName.Score__c).toMatchObject({ custom: true, createable: false, updateable: false });
    expect(byName.AccountId).toMatchObject({ type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' });
    const task = await conn.sobject('Task').describe();
    expect(task.fields.find((f) => f.name === 'TaskSubtype')).toMatchObject({ createable: true, updateable: false });
  });

  it('reports limits, record counts and Sforce-Limit-Info on every response', async () => {
    const limits = await conn.limits();
    expect(limits.DailyApiRequests!.Max).toBe(100_000);
    const usage = await world.control.usage(fx.orgId);
    expect(limits.DailyApiRequests!.Remaining).toBe(100_000 - usage.total);
    expect(conn.limitInfo.apiUsage).toEqual({ used: usage.total, limit: 100_000 });
    const counts = await conn.request<{ sObjects: { name: string; count: number }[] }>('/limits/recordCount?sObjects=Account,Contact');
    expect(counts.sObjects.map((s) => s.name)).toEqual(['Account', 'Contact']);
    const bad = await api(fx, token, '/query?q=garbage');
    expect(bad.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
  });

  it('lists updated and deleted ids in a window', async () => {
    const start = new Date(Date.now() - 60_000);
    const [a, b] = (await world.control.insertRecords(fx.orgId, 'Account', [{ Name: 'U1' }, { Name: 'U2' }])).ids;
    await world.control.deleteRecords(fx.orgId, 'Account', [b!]);
    // The current minute is never covered (it may still change), so look from two minutes later.
    const early = await conn.sobject('Account').updated(start, new Date(Date.now() + 60_000));
    expect(early.ids).not.toContain(a);
    await world.control.setClock(120_000);
    try {
      const end = new Date(Date.now() + 180_000);
      const updated = await conn.sobject('Account').updated(start, end);
      expect(updated.ids).toContain(a);
      expect(updated.ids).not.toContain(b);
      const deleted = await conn.sobject('Account').deleted(start, end);
      expect(deleted.deletedRecords.map((r) => r.id)).toContain(b);
      expect(deleted.latestDateCovered).toMatch(/:00\.000\+0000$/);
    } finally {
      await world.control.setClock(0);
    }
  });
});
