import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

// The seed's troubleshooting codes, produced by a configured org, as the app and support see them.

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

const TWO_HOURS_AND_A_BIT = 2 * 60 * 60 * 1000 + 60_000;

const connectionRow = (accountId: string) =>
  system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();

describe('Salesforce errors, explained', () => {
  it('API_DISABLED_FOR_ORG: an edition without API access is refused at connect with the edition fix', async () => {
    const org = await system.createOrg('production', { edition: 'Professional' });
    const attempt = await connectThroughBrowser(system, 'acct-professional', 'production', org);
    expect(attempt.landing.searchParams.get('salesforce')).toBe('error');
    expect(attempt.landing.searchParams.get('code')).toBe('API_DISABLED_FOR_ORG');
    expect(attempt.landing.searchParams.get('fix')).toContain('Enterprise');
    expect(await system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', 'acct-professional').execute()).toEqual([]);
    // The useless grant was given back.
    const tokens = (await system.control.tokens(org.orgId)).tokens;
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.filter((token) => token.state === 'active')).toEqual([]);
  });

  it('INSUFFICIENT_ACCESS: phase error with the permission fix; no retry loop', async () => {
    const org = await system.createOrg('production', { permissions: { objects: { Contact: { read: false, create: false, edit: false, delete: false } } } });
    await system.control.generateRecords(org.orgId, 'Account', 5, 41);
    await connectThroughBrowser(system, 'acct-noaccess', 'production', org);
    const failed = await eventually(async () => {
      const current = await system.status('acct-noaccess');
      return current.phase === 'error' ? current : undefined;
    }, 30_000);
    expect(failed.error).toMatchObject({ code: 'INSUFFICIENT_ACCESS' });
    expect(failed.error?.fix).toContain('Contact, Account and Opportunity');
    expect(failed.objects.Account?.records).toBe(5); // what it may read, it synced

    const before = await system.control.usage(org.orgId);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await system.control.usage(org.orgId)).total).toBe(before.total); // waiting, not hammering
    // Resume re-checks at once (still refused here).
    expect((await system.support('acct-noaccess', 'resume')).status).toBe(200);
    await eventually(async () => (await system.control.usage(org.orgId)).total > before.total);
    expect((await system.status('acct-noaccess')).phase).toBe('error');
  });

  it('REQUEST_LIMIT_EXCEEDED: durable backoff in phase backing_off, then the sync resumes', async () => {
    const org = await system.createOrg('production', { dailyApiLimit: 4 });
    await system.control.generateRecords(org.orgId, 'Account', 10, 51);
    await system.control.generateRecords(org.orgId, 'Contact', 5_000, 52);
    await connectThroughBrowser(system, 'acct-quota', 'production', org);
    const backingOff = await eventually(async () => {
      const current = await system.status('acct-quota');
      return current.phase === 'backing_off' ? current : undefined;
    }, 30_000);
    expect(backingOff.error).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED' });
    expect(backingOff.error?.fix).toContain('off-hours');

    const refused = await system.control.usage(org.orgId);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await system.control.usage(org.orgId)).refused).toBe(refused.refused); // a timer, not a retry storm

    await system.control.updateOrg(org.orgId, { dailyApiLimit: 100_000 });
    expect((await system.support('acct-quota', 'resume')).status).toBe(200); // wakes the backoff timer now
    const synced = await eventually(async () => {
      const current = await system.status('acct-quota');
      return current.initialSync?.completedAt ? current : undefined;
    }, 60_000);
    expect(synced).toMatchObject({ error: null });
    expect(synced.objects.Contact?.records).toBe(5_000);
  });

  it('INVALID_CLIENT: a rotated Connected App secret shows its fix, re-checks slowly (no retry storm), and recovers on resume once restored', async () => {
    const org = await system.createOrg('production');
    await connectThroughBrowser(system, 'acct-secret', 'production', org);
    await eventually(async () => (await system.status('acct-secret')).initialSync?.completedAt, 30_000);
    const generation = (await connectionRow('acct-secret')).token_generation;
    const before = await system.control.usage(org.orgId);
    const clientId = system.config.SALESFORCE_CLIENT_ID;
    await system.control.updateConnectedApp(clientId, { clientSecret: 'rotated-in-salesforce-setup' });
    try {
      await system.control.setClock(TWO_HOURS_AND_A_BIT); // the session expires: the next call must refresh
      const failed = await eventually(async () => {
        const current = await system.status('acct-secret');
        return current.phase === 'error' ? current : undefined;
      }, 30_000);
      expect(failed.error).toMatchObject({ code: 'INVALID_CLIENT' });
      expect(failed.error?.fix).toContain('Connected App');
      const refused = await system.control.usage(org.orgId);
      expect(refused.tokenRequests - before.tokenRequests).toBe(1); // one refused refresh, not retried
      await new Promise((resolve) => setTimeout(resolve, 4_000)); // four poll intervals
      expect((await system.control.usage(org.orgId)).tokenRequests).toBe(refused.tokenRequests);
      expect((await connectionRow('acct-secret')).status).toBe('active'); // the grant is kept

      await system.control.updateConnectedApp(clientId, { clientSecret: system.config.SALESFORCE_CLIENT_SECRET });
      expect((await system.support('acct-secret', 'resume')).status).toBe(200);
      const recovered = await eventually(async () => {
        const current = await system.status('acct-secret');
        return current.error === null && current.phase === 'incremental' ? current : undefined;
      }, 30_000);
      expect(recovered.error).toBeNull();
      expect((await connectionRow('acct-secret')).token_generation).toBe(generation + 1);
    } finally {
      await system.control.updateConnectedApp(clientId, { clientSecret: system.config.SALESFORCE_CLIENT_SECRET });
      await system.control.setClock(0);
    }
  });

  it('INVALID_QUERY_LOCATOR (an expired cursor): the read resumes after the last applied record, nothing skipped or doubled', async () => {
    const org = await system.createOrg('production');
    await system.control.generateRecords(org.orgId, 'Contact', 7_000, 61); // REST: 4 pages
    // Every query locator has "expired" at Salesforce: only resuming by key can finish the read.
    await system.control.setFaults(org.orgId, { forcedErrors: [{ method: 'GET', path: '/query/01g', status: 400, errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' }] });
    await connectThroughBrowser(system, 'acct-locator', 'production', org);
    const synced = await eventually(async () => {
      const current = await system.status('acct-locator');
      return current.initialSync?.completedAt ? current : undefined;
    }, 60_000);
    const ids = (await system.control.listRecords(org.orgId, 'Contact')).records.map((row) => row.Id).sort();
    const mirrored = await system.database.db.selectFrom('contacts').select('salesforce_contact_id').where('account_id', '=', 'acct-locator').execute();
    expect(mirrored.map((row) => row.salesforce_contact_id).sort()).toEqual(ids);
    expect(synced.objects.Contact?.records).toBe(7_000);
  });
});

