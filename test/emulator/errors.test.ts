// Each code of the troubleshooting table, produced by configuring an org; plus faults and clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, browserAuthorize, connect, createOrgFixture, oauth2For, startWorld, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.emulator.close();
});

describe('troubleshooting table codes', () => {
  it('INVALID_LOGIN: a sandbox user cannot log in on the production host', async () => {
    const fx = await createOrgFixture(world, { environment: 'sandbox' });
    const url = oauth2For({ ...fx, loginUrl: world.emulator.productionUrl }).getAuthorizationUrl({});
    const page = await fetch(url);
    const form = (await import('./helpers.js')).parseForm(await page.text());
    const res = await fetch(new URL(form.action, url), { method: 'POST', body: new URLSearchParams({ ...form.fields, username: fx.username, password: fx.password }), redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-error-code="INVALID_LOGIN"');
    // The same user succeeds on the sandbox host.
    await expect(browserAuthorize(oauth2For(fx).getAuthorizationUrl({}), fx.username, fx.password)).resolves.toBeInstanceOf(URLSearchParams);
  });

  it('INSUFFICIENT_ACCESS_OR_READONLY / _ON_CROSS_REFERENCE_ENTITY / INVALID_TYPE from object permissions', async () => {
    const fx = await createOrgFixture(world, {
      permissions: { objects: { Contact: { edit: false, create: false }, Account: { read: false }, Opportunity: { read: false } } },
    });
    const { ids: [contactId] } = await world.control.insertRecords(fx.orgId, 'Contact', [{ LastName: 'Locked' }]);
    const { ids: [accountId] } = await world.control.insertRecords(fx.orgId, 'Account', [{ Name: 'Hidden' }]);
    const { conn } = await connect(fx);
    const token = conn.accessToken!;

    const edit = await api(fx, token, `/sobjects/Contact/${contactId}`, { method: 'PATCH', body: JSON.stringify({ Phone: '1' }) });
    expect(edit.status).toBe(400);
    expect(edit.body[0].errorCode).toBe('INSUFFICIENT_ACCESS_OR_READONLY');

    const task = await api(fx, token, '/sobjects/Task', { method: 'POST', body: JSON.stringify({ Subject: 'x', WhatId: accountId }) });
    expect(task.body[0]).toMatchObject({ errorCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', fields: ['WhatId'] });

    const query = await api(fx, token, `/query?q=${encodeURIComponent('SELECT Id FROM Opportunity')}`);
    expect(query.status).toBe(400);
    expect(query.body[0].errorCode).toBe('INVALID_TYPE');
    expect(query.body[0].message).toContain("sObject type 'Opportunity' is not supported");
    expect((await api(fx, token, '/sobjects/Opportunity/describe')).status).toBe(404);
    expect((await conn.describeGlobal()).sobjects.map((s) => s.name)).not.toContain('Opportunity');
  });

  it('API_DISABLED_FOR_ORG: Professional and Essentials editions have no API', async () => {
    for (const edition of ['Professional', 'Essentials'] as const) {
      const fx = await createOrgFixture(world, { edition });
      const { conn } = await connect(fx); // OAuth itself works
      const res = await api(fx, conn.accessToken!, '/limits');
      expect(res.status).toBe(403);
      expect(res.body).toEqual([{ message: 'The REST API is not enabled for this Organization.', errorCode: 'API_DISABLED_FOR_ORG' }]);
      await expect(conn.query('SELECT Id FROM Contact')).rejects.toMatchObject({ errorCode: 'API_DISABLED_FOR_ORG' });
    }
    const fx = await createOrgFixture(world, { edition: 'Professional' });
    const { conn } = await connect(fx);
    await world.control.updateOrg(fx.orgId, { edition: 'Enterprise' });
    expect((await api(fx, conn.accessToken!, '/limits')).status).toBe(200);
  });

  it('INVALID_FIELD_FOR_INSERT_UPDATE: field-level security, per record, the rest of the batch proceeds', async () => {
    const fx = await createOrgFixture(world, { permissions: { fields: { 'Contact.Phone': 'read', 'Contact.Email': 'hidden' } } });
    const { conn } = await connect(fx);
    const res = await conn.sobject('Contact').create([{ LastName: 'Ok' }, { LastName: 'No', Phone: '1' }, { LastName: 'No', Email: 'a@b.co' }]);
    expect(res.map((r) => r.success)).toEqual([true, false, false]);
    expect(res[1]!.errors[0]).toMatchObject({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Phone'] });
    expect(res[2]!.errors[0]).toMatchObject({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Email'] });
    // A hidden field is not readable either.
    await expect(conn.query('SELECT Email FROM Contact')).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
    const d = await conn.sobject('Contact').describe();
    expect(d.fields.find((f) => f.name === 'Phone')).toMatchObject({ createable: false, updateable: false });
    expect(d.fields.find((f) => f.name === 'Email')).toBeUndefined();
  });

  it('REQUEST_LIMIT_EXCEEDED past the daily limit, in a rolling 24-hour window', async () => {
    const fx = await createOrgFixture(world, { dailyApiLimit: 3 });
    const { conn } = await connect(fx);
    const token = conn.accessToken!;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(fx, token, '/limits')).status);
    expect(statuses).toEqual([200, 200, 200, 403]);
    const refused = await api(fx, token, '/limits');
    expect(refused.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    const usage = await world.control.usage(fx.orgId);
    expect(usage).toMatchObject({ total: 3, refused: 2, tokenRequests: 1 });
    expect(usage.byEndpoint).toEqual({ 'GET /limits': 3 });
    // Token requests do not count against the limit.
    await conn.oauth2.refreshToken(conn.refreshToken!);
    expect((await world.control.usage(fx.orgId)).tokenRequests).toBe(2);

    await world.control.setFaults(fx.orgId, { clockOffsetMs: 24 * 3600 * 1000 + 1000 });
    const later = await world.control.usage(fx.orgId);
    expect(later.total).toBe(0);
  });

  it('INVALID_SESSION_ID after the session timeout, using an org clock offset', async () => {
    const fx = await createOrgFixture(world, { sessionTimeoutSeconds: 30 });
    const { conn } = await connect(fx);
    expect((await api(fx, conn.accessToken!, '/limits')).status).toBe(200);
    await world.control.setFaults(fx.orgId, { clockOffsetMs: 31_000 });
    const res = await api(fx, conn.accessToken!, '/limits');
    expect(res.status).toBe(401);
    expect(res.body[0].errorCode).toBe('INVALID_SESSION_ID');
    const tokens = await world.control.tokens(fx.orgId);
    expect(tokens.tokens.find((t) => t.token === conn.accessToken)?.state).toBe('expired');
  });
});

describe('faults', () => {
  it('injects transient 503s at a rate, forced errors on matching requests, and latency', async () => {
    const fx = await createOrgFixture(world);
    const { conn } = await connect(fx);
    const token = conn.accessToken!;
    await world.control.setFaults(fx.orgId, { transientErrorRate: 1 });
    const unavailable = await api(fx, token, '/limits');
    expect(unavailable.status).toBe(503);
    expect(unavailable.body[0].errorCode).toBe('SERVER_UNAVAILABLE');

    await world.control.setFaults(fx.orgId, { transientErrorRate: 0.5, seed: 42 });
    let failures = 0;
    for (let i = 0; i < 40; i++) if ((await api(fx, token, '/limits')).status === 503) failures++;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);

    await world.control.setFaults(fx.orgId, { forcedErrors: [{ method: 'GET', path: '/query', status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.', times: 1 }] });
    const q = `/query?q=${encodeURIComponent('SELECT Id FROM Account')}`;
    expect((await api(fx, token, '/limits')).status).toBe(200);
    expect((await api(fx, token, q)).body[0].errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect((await api(fx, token, q)).status).toBe(200);

    await world.control.setFaults(fx.orgId, { latencyMs: 150 });
    const started = Date.now();
    await api(fx, token, '/limits');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await world.control.setFaults(fx.orgId, {});
  });
});
