import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { CALLBACK, connect } from '../emulator/helpers.js';

// The seed's troubleshooting codes, produced by a configured org, as the app and support see them.

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

const TWO_HOURS_AND_A_BIT = 2 * 60 * 60 * 1000 + 60_000;

const connectionRow = (accountId: string) =>
  system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();

/** An access token of another integration (its own Connected App and user) in the same org. */
async function otherIntegration(orgId: string): Promise<string> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const username = `other.${suffix}@acme.example`;
  const clientId = `3MVGother${suffix}`;
  await system.control.createUser(orgId, { username, password: 'pw-other' });
  await system.control.createConnectedApp({ clientId, clientSecret: 'other-secret', callbackUrl: CALLBACK, requirePkce: true });
  const { loginUrl } = (await system.control.getOrg(orgId)) as { loginUrl: string };
  const { conn } = await connect({ orgId, instanceUrl: system.emulator.productionUrl, loginUrl, username, password: 'pw-other', userId: '', clientId, clientSecret: 'other-secret' });
  return conn.accessToken!;
}

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
    const org = await system.createOrg('production', { dailyApiLimit: 5 });
    await system.control.generateRecords(org.orgId, 'Account', 10, 51);
    await system.control.generateRecords(org.orgId, 'Contact', 5_000, 52);
    // Other tools of the org used the day's quota but one call (the connect's identity lookup): the
    // sync's first call is refused. (Left to itself, the sync holds back inside its allocation instead.)
    await system.control.spendOtherTools(org.orgId, 4);
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

  it('a least-privilege user without "View Setup and Configuration" completes an initial sync, planned from SOQL counts', async () => {
    const org = await system.createOrg('production', { permissions: { system: { viewSetup: false } } });
    await system.control.generateRecords(org.orgId, 'Account', 5, 71);
    await system.control.generateRecords(org.orgId, 'Contact', 2_500, 72);
    await connectThroughBrowser(system, 'acct-least-privilege', 'production', org);
    const synced = await eventually(async () => {
      const current = await system.status('acct-least-privilege');
      if (current.phase === 'error') throw new Error(`sync failed: ${JSON.stringify(current.error)}`);
      return current.initialSync?.completedAt ? current : undefined;
    }, 60_000);
    expect(synced.error).toBeNull();
    expect(synced.objects.Account?.records).toBe(5);
    expect(synced.objects.Contact?.records).toBe(2_500);
    // Refused once (the sync does not ask again), then one exact COUNT() per object planned the reads.
    const usage = await system.control.usage(org.orgId);
    expect(usage.byEndpoint['GET /limits/recordCount']).toBe(1);
    const connection = await connectionRow('acct-least-privilege');
    const cursors = await system.database.db.selectFrom('salesforce_sync_cursors').select(['object', 'planned_records', 'method']).where('connection_id', '=', connection.id).execute();
    expect(Object.fromEntries(cursors.map((cursor) => [cursor.object, Number(cursor.planned_records)]))).toEqual({ Account: 5, Contact: 2_500, Opportunity: 0 });
    // Every call counted, the refused one included: recordCount, 3 COUNT() queries, 1 + 2 + 1 pages.
    expect(synced.initialSync?.apiCalls).toBe(8);
  });

  it('CONCURRENT_REQUEST_LIMIT: a refusal for too many long requests at once backs off for seconds, and the status does not blame the daily quota', async () => {
    const org = await system.createOrg('production');
    await system.control.generateRecords(org.orgId, 'Account', 10, 81);
    await connectThroughBrowser(system, 'acct-concurrent', 'production', org);
    await eventually(async () => (await system.status('acct-concurrent')).initialSync?.completedAt, 30_000);
    // Another integration of the org keeps a long request in flight without pause (a latency fault makes requests long).
    const other = await otherIntegration(org.orgId);
    await system.control.updateOrg(org.orgId, { concurrentLongRequestLimit: 1 });
    await system.control.setFaults(org.orgId, { latencyMs: 1_500 });
    let hogging = true;
    // When the sync's own request holds the one slot, the other integration is refused in turn: it counts
    // those (they are not the sync's) and pauses a moment instead of spinning.
    let otherRefused = 0;
    const hog = (async () => {
      while (hogging) {
        const answer = await fetch(`${system.emulator.productionUrl}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${other}` } });
        await answer.arrayBuffer();
        if (!answer.ok) {
          otherRefused++;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    })();
    let refusedAt = 0;
    try {
      const backingOff = await eventually(async () => {
        const current = await system.status('acct-concurrent');
        return current.phase === 'backing_off' ? current : undefined;
      }, 30_000);
      refusedAt = Date.now();
      expect(backingOff.error).toMatchObject({ code: 'CONCURRENT_REQUEST_LIMIT' });
      expect(`${backingOff.error?.message} ${backingOff.error?.fix}`).not.toMatch(/daily|24-hour|quota|allocation/i);
    } finally {
      hogging = false;
      await hog;
      await system.control.setFaults(org.orgId, {});
    }
    // No resume: the short backoff (seconds, not the daily limit's minutes) ends by itself.
    await system.control.insertRecords(org.orgId, 'Account', [{ Name: 'Created while backing off' }]);
    const synced = await eventually(async () => {
      const current = await system.status('acct-concurrent');
      return current.error === null && current.objects.Account?.records === 11 ? current : undefined;
    }, 20_000);
    expect(Date.now() - refusedAt).toBeLessThan(20_000);
    expect(synced.phase).toBe('incremental');
    // The sync's refusals: a few, no retry storm.
    expect((await system.control.usage(org.orgId)).refused - otherRefused).toBeLessThanOrEqual(3);
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

