// Writing back to Salesforce: field-level security, required fields, restricted picklists and
// validation rules, each answered per record in Salesforce's shape (jsforce and raw HTTP), with
// allOrNone rolling a whole request back; describe shows custom fields as the user may use them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connect, createOrgFixture, startWorld, type OrgFixture, type TestWorld } from './helpers.js';

let world: TestWorld;
let fx: OrgFixture;
let conn: Awaited<ReturnType<typeof connect>>['conn'];
let token: string;

const collection = (records: Record<string, unknown>[], allOrNone = false, method = 'POST') =>
  api(fx, token, '/composite/sobjects', { method, body: JSON.stringify({ allOrNone, records }) });

beforeAll(async () => {
  world = await startWorld();
  fx = await createOrgFixture(world, {
    customFields: {
      Contact: [
        { name: 'Score__c', type: 'double' },
        { name: 'Tier__c', type: 'picklist', picklistValues: ['Gold', 'Silver'] },
        { name: 'Source__c', type: 'picklist', picklistValues: ['Web'], restricted: false },
        { name: 'Nickname__c', type: 'string', length: 20, nillable: false },
      ],
      Task: [{ name: 'FastFollow_Id__c', type: 'string', length: 64, externalId: true, unique: true }],
    },
  });
  ({ conn } = await connect(fx));
  token = conn.accessToken!;
});
afterAll(async () => {
  await world.emulator.close();
});

describe('field-level security on writes', () => {
  it('refuses a field that became read-only or hidden, per record, while the rest of the batch is saved', async () => {
    const [a, b] = await conn.sobject('Contact').create([{ LastName: 'A', Nickname__c: 'a', Score__c: 1 }, { LastName: 'B', Nickname__c: 'b' }]);
    expect([a!.success, b!.success]).toEqual([true, true]);

    await world.control.setUserPermissions(fx.orgId, fx.userId, { fields: { 'Contact.Score__c': 'read' } });
    const described = (await api(fx, token, '/sobjects/Contact/describe')).body;
    expect(described.fields.find((f: { name: string }) => f.name === 'Score__c')).toMatchObject({ createable: false, updateable: false, custom: true });
    const updated = await conn.sobject('Contact').update([{ Id: a!.id!, Score__c: 2 }, { Id: b!.id!, LastName: 'B2' }]);
    expect(updated[0]).toMatchObject({
      id: a!.id, success: false,
      errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: expect.stringContaining('Unable to create/update fields: Score__c'), fields: ['Score__c'] }],
    });
    expect(updated[1]).toMatchObject({ id: b!.id, success: true });

    await world.control.setUserPermissions(fx.orgId, fx.userId, { fields: { 'Contact.Score__c': 'hidden' } });
    const created = await collection([{ attributes: { type: 'Contact' }, LastName: 'C', Nickname__c: 'c', Score__c: 3 }]);
    expect(created.body).toEqual([{ success: false, errors: [expect.objectContaining({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Score__c'] })] }]);
    expect((await api(fx, token, '/sobjects/Contact/describe')).body.fields.map((f: { name: string }) => f.name)).not.toContain('Score__c');
    await world.control.setUserPermissions(fx.orgId, fx.userId, {});
  });

  it('names the user and the problem when permissions cannot be set', async () => {
    await expect(world.control.setUserPermissions(fx.orgId, '005000000000000AAA', {})).rejects.toMatchObject({ status: 404 });
    await expect(world.control.setUserPermissions(fx.orgId, fx.userId, { fields: { 'Contact.Phone': 'write' as 'edit' } })).rejects.toThrow(/fields/);
  });
});

describe('required fields', () => {
  it('answers REQUIRED_FIELD_MISSING naming the fields, on create and when an update blanks one', async () => {
    const res = await collection([
      { attributes: { type: 'Contact' }, FirstName: 'No last name', Nickname__c: 'x' },
      { attributes: { type: 'Opportunity' }, Amount: 5 },
      { attributes: { type: 'Contact' }, LastName: 'Fine', Nickname__c: 'y' },
    ]);
    expect(res.body).toEqual([
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name, StageName, CloseDate]', fields: ['Name', 'StageName', 'CloseDate'] }] },
      { id: expect.stringMatching(/^003/), success: true, errors: [] },
    ]);
    const blanked = await collection([{ attributes: { type: 'Contact' }, id: res.body[2].id, LastName: null }], false, 'PATCH');
    expect(blanked.body[0]).toMatchObject({ id: res.body[2].id, success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }] });
    // A custom field created as required (nillable: false) is required too.
    const [custom] = await conn.sobject('Contact').create([{ LastName: 'No nickname' }]);
    expect(custom).toMatchObject({ success: false, errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Nickname__c'] })] });
  });
});

describe('picklists', () => {
  it('refuses values a restricted picklist does not have, and accepts any value in an unrestricted one', async () => {
    const [deal, task, gold, platinum, free] = await Promise.all([
      conn.sobject('Opportunity').create([{ Name: 'D', StageName: 'Signed', CloseDate: '2025-01-01' }]),
      conn.sobject('Task').create([{ Subject: 's', Status: 'Done' }]),
      conn.sobject('Contact').create([{ LastName: 'G', Nickname__c: 'g', Tier__c: 'Gold', LeadSource: 'Trade Show' }]),
      conn.sobject('Contact').create([{ LastName: 'P', Nickname__c: 'p', Tier__c: 'Platinum' }]),
      conn.sobject('Contact').create([{ LastName: 'F', Nickname__c: 'f', Source__c: 'Podcast' }]),
    ]);
    expect(deal[0]!.errors).toEqual([{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'Stage: bad value for restricted picklist field: Signed', fields: ['StageName'] }]);
    expect(task[0]!.errors).toEqual([expect.objectContaining({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status'] })]);
    expect(gold[0]!.success).toBe(true); // LeadSource is an unrestricted standard picklist
    expect(platinum[0]!.errors).toEqual([expect.objectContaining({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Tier__c'] })]);
    expect(free[0]!.success).toBe(true);
    const fields = (await api(fx, token, '/sobjects/Opportunity/describe')).body.fields as { name: string; restrictedPicklist: boolean }[];
    expect(fields.find((f) => f.name === 'StageName')?.restrictedPicklist).toBe(true);
    expect(fields.find((f) => f.name === 'LeadSource')?.restrictedPicklist).toBe(false);
  });
});

describe('validation rules', () => {
  it('answers FIELD_CUSTOM_VALIDATION_EXCEPTION with the rule message while a rule is active, on create and update', async () => {
    await world.control.setValidationRule(fx.orgId, {
      object: 'Opportunity', name: 'Amount_cap', field: 'Amount', message: 'Amount cannot exceed 1,000,000',
      condition: { field: 'Amount', op: 'greaterThan', value: 1_000_000 },
    });
    await world.control.setValidationRule(fx.orgId, {
      object: 'Opportunity', name: 'Needs_next_step', message: 'Closed deals need a next step',
      condition: { field: 'NextStep', op: 'isBlank' },
      active: false,
    });
    const base = { Name: 'V', StageName: 'Prospecting', CloseDate: '2025-03-01' };
    const res = await conn.sobject('Opportunity').create([{ ...base, Amount: 2_000_000 }, { ...base, Amount: 10 }]);
    expect(res[0]).toMatchObject({ success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Amount cannot exceed 1,000,000', fields: ['Amount'] }] });
    expect(res[1]!.success).toBe(true);
    const raw = await api(fx, token, `/sobjects/Opportunity/${res[1]!.id}`, { method: 'PATCH', body: JSON.stringify({ Amount: 1_000_001 }) });
    expect(raw).toMatchObject({ status: 400, body: [{ errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Amount cannot exceed 1,000,000', fields: ['Amount'] }] });

    // A rule without a field reports fields: [] (shown at the top of the page in Salesforce).
    await world.control.setValidationRule(fx.orgId, {
      object: 'Opportunity', name: 'Needs_next_step', message: 'Closed deals need a next step', condition: { field: 'NextStep', op: 'isBlank' },
    });
    const [blank] = await conn.sobject('Opportunity').create([{ ...base, Amount: 1 }]);
    expect(blank!.errors).toEqual([{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Closed deals need a next step', fields: [] }]);
    expect((await world.control.listValidationRules(fx.orgId)).rules.map((r) => r.name)).toEqual(['Amount_cap', 'Needs_next_step']);
    await world.control.deleteValidationRule(fx.orgId, 'Opportunity', 'Needs_next_step');
    await world.control.deleteValidationRule(fx.orgId, 'Opportunity', 'Amount_cap');
    expect((await conn.sobject('Opportunity').create([{ ...base, Amount: 5_000_000 }]))[0]!.success).toBe(true);
  });

  it('refuses a rule naming a field the object does not have', async () => {
    await expect(world.control.setValidationRule(fx.orgId, {
      object: 'Contact', name: 'Bad', message: 'm', condition: { field: 'Nope__c', op: 'isBlank' },
    })).rejects.toThrow(/Contact has no field Nope__c/);
    await expect(world.control.setValidationRule(fx.orgId, {
      object: 'Contact', name: 'Bad', message: 'm', condition: { field: 'Email', op: 'equals' },
    })).rejects.toThrow(/needs a value/);
  });
});

describe('allOrNone', () => {
  it('rolls a whole collection back: the failing record keeps its error, the others are ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
    const before = (await conn.query('SELECT COUNT() FROM Contact')).totalSize;
    const res = await conn.sobject('Contact').create([{ LastName: 'Ok', Nickname__c: 'o' }, { LastName: 'Bad', Nickname__c: 'b', Tier__c: 'Bronze' }], { allOrNone: true });
    expect(res.map((r) => r.success)).toEqual([false, false]);
    expect(res[0]!.errors[0]).toMatchObject({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' });
    expect(res[1]!.errors[0]).toMatchObject({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' });
    expect((await conn.query('SELECT COUNT() FROM Contact')).totalSize).toBe(before);

    const [x] = await conn.sobject('Contact').create([{ LastName: 'Keep', Nickname__c: 'k' }]);
    const upd = await collection([
      { attributes: { type: 'Contact' }, id: x!.id, LastName: 'Changed' },
      { attributes: { type: 'Contact' }, id: x!.id, LastName: null },
    ], true, 'PATCH');
    expect(upd.body.map((r: { id: string; success: boolean }) => [r.id, r.success])).toEqual([[x!.id, false], [x!.id, false]]);
    expect((await conn.sobject('Contact').retrieve(x!.id!)).LastName).toBe('Keep');
  });
});

describe('describe of custom fields', () => {
  it('reports type, length, nillable, picklist values, restriction and custom: true', async () => {
    const fields = (await api(fx, token, '/sobjects/Contact/describe')).body.fields as Record<string, unknown>[];
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.Tier__c).toMatchObject({
      type: 'picklist', custom: true, nillable: true, createable: true, updateable: true, restrictedPicklist: true, length: 255, label: 'Tier',
      picklistValues: [expect.objectContaining({ value: 'Gold', active: true }), expect.objectContaining({ value: 'Silver' })],
    });
    expect(byName.Source__c).toMatchObject({ restrictedPicklist: false });
    expect(byName.Nickname__c).toMatchObject({ type: 'string', length: 20, nillable: false, custom: true });
    expect(byName.Score__c).toMatchObject({ type: 'double', custom: true, nillable: true, soapType: 'xsd:double' });
  });
});

describe('unique External ID fields', () => {
  it('refuses a second live record with the same value (case-insensitive) with DUPLICATE_VALUE, also within one batch', async () => {
    const [first] = await conn.sobject('Task').create([{ Subject: 'logged', FastFollow_Id__c: 'fu-1' }]);
    expect(first!.success).toBe(true);
    const again = await collection([
      { attributes: { type: 'Task' }, Subject: 'retry', FastFollow_Id__c: 'FU-1' },
      { attributes: { type: 'Task' }, Subject: 'new', FastFollow_Id__c: 'fu-2' },
      { attributes: { type: 'Task' }, Subject: 'same batch', FastFollow_Id__c: 'fu-2' },
    ]);
    expect(again.body[0]).toEqual({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: FastFollow_Id__c duplicates value on record with id: ${first!.id}`, fields: [] }] });
    expect(again.body[1]).toMatchObject({ success: true });
    expect(again.body[2]).toMatchObject({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] });
    const found = await conn.query<{ Id: string }>("SELECT Id FROM Task WHERE FastFollow_Id__c IN ('fu-1', 'fu-2')");
    expect(found.totalSize).toBe(2);
    const field = (await api(fx, token, '/sobjects/Task/describe')).body.fields.find((f: { name: string }) => f.name === 'FastFollow_Id__c');
    expect(field).toMatchObject({ externalId: true, unique: true, idLookup: true, caseSensitive: false, custom: true });
    // A deleted record no longer holds its value.
    await conn.sobject('Task').destroy([first!.id!]);
    expect((await conn.sobject('Task').create([{ Subject: 'after delete', FastFollow_Id__c: 'fu-1' }]))[0]!.success).toBe(true);
  });
});
