// Where Salesforce is less kind than a simple emulator: the View Setup permission on record counts,
// the recycle bin's limits (emptied, hard deletes, records ageing out) with getDeleted's
// earliestDateAvailable, and the concurrent long-request limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connect, createOrgFixture, startWorld, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.control.setClock(0);
  await world.emulator.close();
});

const DAY = 24 * 60 * 60 * 1000;
const q = (soql: string) => `/query?q=${encodeURIComponent(soql)}`;
const qAll = (soql: string) => `/queryAll?q=${encodeURIComponent(soql)}`;
const deletedSince = (object: string, start: Date, end = new Date(Date.now() + 10 * DAY)) =>
  `/sobjects/${object}/deleted/?start=${encodeURIComponent(start.toISOString())}&end=${encodeURIComponent(end.toISOString())}`;

describe('View Setup and Configuration', () => {
  it('a user without it is refused limits/recordCount and /limits (403), but may count with SOQL', async () => {
    const fx = await createOrgFixture(world, { permissions: { system: { viewSetup: false } } });
    await world.control.generateRecords(fx.orgId, 'Account', 3, 1);
    const { conn } = await connect(fx);
    const token = conn.accessToken!;
    const counts = await api(fx, token, '/limits/recordCount?sObjects=Account');
    expect(counts.status).toBe(403);
    expect(counts.body[0]).toMatchObject({ errorCode: 'INSUFFICIENT_ACCESS' });
    expect(counts.body[0].message).toContain('View Setup and Configuration');
    expect((await api(fx, token, '/limits')).status).toBe(403);
    const counted = await api(fx, token, q('SELECT COUNT() FROM Account'));
    expect(counted.body).toMatchObject({ totalSize: 3, done: true, records: [] });
    // The refusals were API calls like any other.
    expect((await world.control.usage(fx.orgId)).byEndpoint['GET /limits/recordCount']).toBe(1);
  });

  it('a user with it (the default) gets the counts', async () => {
    const fx = await createOrgFixture(world);
    await world.control.generateRecords(fx.orgId, 'Account', 2, 2);
    const { conn } = await connect(fx);
    const counts = await api(fx, conn.accessToken!, '/limits/recordCount?sObjects=Account');
    expect(counts.body).toEqual({ sObjects: [{ count: 2, name: 'Account' }] });
  });
});

describe('the recycle bin and getDeleted', () => {
  it('emptying the bin removes deleted records from queryAll and getDeleted, and moves earliestDateAvailable past them', async () => {
    const fx = await createOrgFixture(world);
    const { ids } = await world.control.insertRecords(fx.orgId, 'Account', [{ Name: 'A' }, { Name: 'B' }]);
    const { conn } = await connect(fx);
    const token = conn.accessToken!;
    const before = new Date(Date.now() - 5 * 60_000);
    await world.control.deleteRecords(fx.orgId, 'Account', [ids[0]!]);
    await world.control.setClock(3 * 60_000); // getDeleted never covers the current minute
    const inBin = await api(fx, token, qAll('SELECT Id, IsDeleted FROM Account'));
    expect(inBin.body.records.map((r: { Id: string; IsDeleted: boolean }) => [r.Id, r.IsDeleted])).toEqual(expect.arrayContaining([[ids[0], true], [ids[1], false]]));
    const listed = await api(fx, token, deletedSince('Account', before));
    expect(listed.body.deletedRecords.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect(Date.parse(listed.body.earliestDateAvailable)).toBeLessThan(before.getTime());

    expect(await world.control.emptyRecycleBin(fx.orgId)).toEqual({ purged: { Account: 1 } });
    const after = await api(fx, token, qAll('SELECT Id FROM Account'));
    expect(after.body.records.map((r: { Id: string }) => r.Id)).toEqual([ids[1]]);
    const gone = await api(fx, token, deletedSince('Account', before));
    expect(gone.body.deletedRecords).toEqual([]);
    // The last physically deleted record's deletion, in whole minutes: deletes since `before` may be missing.
    expect(Date.parse(gone.body.earliestDateAvailable)).toBeGreaterThan(before.getTime());
    expect(gone.body.earliestDateAvailable).toMatch(/:00\.000\+0000$/);
    // Other objects' logs are untouched.
    const contacts = await api(fx, token, deletedSince('Contact', before));
    expect(Date.parse(contacts.body.earliestDateAvailable)).toBeLessThan(before.getTime());
    await world.control.setClock(0);
  });

  it('a hard delete skips the bin, cascades, and is never listed', async () => {
    const fx = await createOrgFixture(world);
    const { ids: [accountId] } = await world.control.insertRecords(fx.orgId, 'Account', [{ Name: 'Parent' }]);
    const { ids: [contactId] } = await world.control.insertRecords(fx.orgId, 'Contact', [{ LastName: 'Child', AccountId: accountId }]);
    const { conn } = await connect(fx);
    const token = conn.accessToken!;
    const before = new Date(Date.now() - 5 * 60_000);
    const { results } = await world.control.deleteRecords(fx.orgId, 'Account', [accountId!], { hard: true });
    expect(results).toEqual([{ id: accountId, success: true, errors: [] }]);
    expect((await api(fx, token, qAll('SELECT Id FROM Account'))).body.records).toEqual([]);
    expect((await api(fx, token, qAll('SELECT Id FROM Contact'))).body.records).toEqual([]);
    for (const object of ['Account', 'Contact']) {
      const listed = await api(fx, token, deletedSince(object, before));
      expect(listed.body.deletedRecords).toEqual([]);
      expect(Date.parse(listed.body.earliestDateAvailable)).toBeGreaterThan(before.getTime());
    }
    expect((await world.control.listRecords(fx.orgId, 'Contact')).records.map((r) => r.Id)).not.toContain(contactId);
  });

  it('with recycleBinDays set, a deleted record leaves the bin that many days (org clock) after its deletion', async () => {
    const fx = await createOrgFixture(world);
    await world.control.updateOrg(fx.orgId, { recycleBinDays: 15 });
    const { ids } = await world.control.insertRecords(fx.orgId, 'Account', [{ Name: 'Old' }, { Name: 'Kept' }]);
    const { conn } = await connect(fx);
    await world.control.deleteRecords(fx.orgId, 'Account', [ids[0]!]);
    try {
      await world.control.setClock(14 * DAY);
      const refreshed = await conn.oauth2.refreshToken(conn.refreshToken!);
      conn.accessToken = refreshed.access_token;
      conn.refreshToken = refreshed.refresh_token ?? conn.refreshToken;
      const stillThere = await api(fx, conn.accessToken!, qAll('SELECT Id FROM Account WHERE IsDeleted = true'));
      expect(stillThere.body.records.map((r: { Id: string }) => r.Id)).toEqual([ids[0]]);

      await world.control.setClock(16 * DAY);
      conn.accessToken = (await conn.oauth2.refreshToken(conn.refreshToken!)).access_token;
      const gone = await api(fx, conn.accessToken!, qAll('SELECT Id FROM Account'));
      expect(gone.body.records.map((r: { Id: string }) => r.Id)).toEqual([ids[1]]);
      const since = new Date(Date.now() + 16 * DAY - 20 * DAY);
      const listed = await api(fx, conn.accessToken!, deletedSince('Account', since, new Date(Date.now() + 17 * DAY)));
      expect(listed.body.deletedRecords).toEqual([]);
      // Never earlier than what the bin still keeps: 15 days back on the org clock.
      expect(Date.parse(listed.body.earliestDateAvailable)).toBeGreaterThanOrEqual(Date.now() + DAY - 2 * 60_000);
    } finally {
      await world.control.setClock(0);
    }
  });
});

describe('the concurrent long-request limit', () => {
  it('refuses a request beyond concurrentLongRequestLimit while long (latency-held) requests are in flight', async () => {
    const fx = await createOrgFixture(world);
    const { conn } = await connect(fx);
    const token = conn.accessToken!;
    await world.control.updateOrg(fx.orgId, { concurrentLongRequestLimit: 1 });
    await world.control.setFaults(fx.orgId, { latencyMs: 400 });
    const [first, second] = await Promise.all([api(fx, token, '/limits'), new Promise((r) => setTimeout(r, 50)).then(() => api(fx, token, '/limits'))]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(403);
    expect(second.body).toEqual([{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    // Once the long request finished, the next one is admitted; refused ones are not counted as used.
    expect((await api(fx, token, '/limits')).status).toBe(200);
    const usage = await world.control.usage(fx.orgId);
    expect(usage.refused).toBe(1);

    // Off by default: no limit without the setting, and fast requests are not long ones.
    await world.control.updateOrg(fx.orgId, { concurrentLongRequestLimit: null });
    const both = await Promise.all([api(fx, token, '/limits'), api(fx, token, '/limits')]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    await world.control.updateOrg(fx.orgId, { concurrentLongRequestLimit: 1 });
    await world.control.setFaults(fx.orgId, {});
    const fast = await Promise.all([api(fx, token, '/limits'), api(fx, token, '/limits')]);
    expect(fast.map((r) => r.status)).toEqual([200, 200]);
  });
});
