import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type RunningApi } from '../../api/server.js';
import { freePort } from '../../dev/free-port.js';
import { connectionWorkflowId, type ConnectionStatus } from '../../domain/connection-status.js';
import { browserAuthorize } from '../../emulator/browser-login.js';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { connectThroughBrowser, eventually, followCallback, requestAuthorizeUrl } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

// Issue 9 point 5: every grant FastFollow lets go of (disconnect, reconnect, failed activation) is
// revoked at Salesforce, durably; a disconnect stops the connection's calls to Salesforce.

let system: TestSystem;
/** A second API replica on the same database and emulator whose Temporal is unreachable. */
let temporalDown: RunningApi;

beforeAll(async () => {
  // Initial reads that Bulk API 2.0 makes cheaper take it from 1,000 records (the cancellation test's slow job).
  system = await startTestSystem({ SYNC_BULK_MIN_RECORDS: '1000' });
  const port = await freePort();
  const deadTemporal = `127.0.0.1:${await freePort()}`;
  temporalDown = await startApiServer(loadConfig({ ...system.env, API_PORT: String(port), TEMPORAL_ADDRESS: deadTemporal }), createLogger({ level: 'silent' }), {
    hostname: '127.0.0.1',
  });
}, 60_000);
afterAll(async () => {
  await temporalDown?.stop();
  await system?.stop();
});

const connectionRoute = (accountId: string) => `/api/integrations/salesforce/connections/${accountId}/production`;

async function connected(accountId: string, org: TestOrg): Promise<void> {
  await connectThroughBrowser(system, accountId, 'production', org);
  // Generous: on a loaded machine the first page can take a while behind the earlier tests' workflows.
  await eventually(async () => (await system.status(accountId)).apiUsage, 60_000);
}

async function grantStates(org: TestOrg) {
  const tokens = (await system.control.tokens(org.orgId)).tokens;
  return { refresh: tokens.filter((t) => t.type === 'refresh'), access: tokens.filter((t) => t.type === 'access') };
}

async function connectionRow(accountId: string) {
  return system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
}

async function revocationRows(accountId: string) {
  return system.database.db.selectFrom('salesforce_pending_revocations').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
}

describe('disconnect revokes before it forgets', () => {
  it('with the login host hanging: DELETE answers, the status shows the revocation pending, and the grant is revoked once the host is back', async () => {
    const org = await system.createOrg('production');
    await connected('acct-host-down', org);
    await system.control.setLoginHostFaults('production', { revoke: 'hang' });
    try {
      const started = Date.now();
      const response = await system.call(connectionRoute('acct-host-down'), { method: 'DELETE' });
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(15_000); // the inline attempt gives up after 5 s

      // Forgotten locally, not yet at Salesforce: the refresh token waits, encrypted, for the retry.
      expect(await connectionRow('acct-host-down')).toMatchObject({ status: 'disconnected', refresh_token_ciphertext: null, access_token_ciphertext: null });
      const [pending] = await revocationRows('acct-host-down');
      expect(pending).toMatchObject({ reason: 'disconnect', done_at: null });
      expect(pending!.refresh_token_ciphertext).toBeTruthy();
      expect((await grantStates(org)).refresh.map((t) => t.state)).toContain('active');
      const status = await system.status('acct-host-down');
      expect(status.phase).toBe('disconnected');
      expect(status.revocation).toMatchObject({ state: 'pending', lastError: 'timeout' });
      expect(status.revocation!.attempts).toBeGreaterThanOrEqual(1);
      const health = await system.call('/api/support/connections/acct-host-down/production/health', { headers: { authorization: `Bearer ${system.config.SUPPORT_TOKEN}` } });
      expect(((await health.json()) as { revocation: unknown }).revocation).toMatchObject({ state: 'pending' });
    } finally {
      await system.control.setLoginHostFaults('production', {});
    }

    // The revocation workflow retries until Salesforce answers.
    const done = await eventually(async () => {
      const status = await system.status('acct-host-down');
      return status.revocation?.state === 'done' ? status : undefined;
    }, 30_000);
    expect(done.revocation).toMatchObject({ state: 'done', lastError: null });
    const grant = await grantStates(org);
    expect(grant.refresh.filter((t) => t.state === 'active')).toEqual([]);
    expect(grant.access.filter((t) => t.state === 'active')).toEqual([]);
    const [row] = await revocationRows('acct-host-down');
    expect(row).toMatchObject({ outcome: 'revoked', refresh_token_ciphertext: null, refresh_token_key_version: null });
    const workflow = await system.temporal.workflow.getHandle(`salesforce-revocation:${row!.id}`).describe();
    expect(workflow.status.name).toBe('COMPLETED');
  }, 60_000);

  it('with Temporal unreachable too: the revocation stays pending and is picked up once Temporal answers', async () => {
    const org = await system.createOrg('production');
    await connected('acct-all-down', org);
    await system.control.setLoginHostFaults('production', { revoke: 'unavailable' });
    try {
      const response = await fetch(`${temporalDown.url}${connectionRoute('acct-all-down')}`, { method: 'DELETE', headers: { authorization: `Bearer ${system.config.API_TOKEN}` } });
      expect(response.status).toBeGreaterThanOrEqual(500); // the workflow could not be told; calling DELETE again finishes it
      const [pending] = await revocationRows('acct-all-down');
      expect(pending).toMatchObject({ reason: 'disconnect', done_at: null, last_error: 'HTTP_503' });
      expect((await connectionRow('acct-all-down')).refresh_token_ciphertext).toBeNull();
    } finally {
      await system.control.setLoginHostFaults('production', {});
    }
    // Temporal is up for the other replica: its next disconnect (or a status read) sweeps the pending row up.
    expect((await system.call(connectionRoute('acct-all-down'), { method: 'DELETE' })).status).toBe(200);
    await eventually(async () => (await system.status('acct-all-down')).revocation?.state === 'done', 30_000);
    expect((await grantStates(org)).refresh.filter((t) => t.state === 'active')).toEqual([]);
  }, 60_000);
});

describe('reconnecting', () => {
  it('revokes the grant it replaces, for the same org and for another org', async () => {
    const org = await system.createOrg('production');
    await connected('acct-reconnect-revokes', org);
    const first = (await grantStates(org)).refresh.map((t) => t.token);

    await connectThroughBrowser(system, 'acct-reconnect-revokes', 'production', org);
    const same = await eventually(async () => {
      const { refresh } = await grantStates(org);
      return refresh.filter((t) => first.includes(t.token)).every((t) => t.state === 'revoked') ? refresh : undefined;
    });
    expect(same.filter((t) => !first.includes(t.token)).map((t) => t.state)).toContain('active');

    const other = await system.createOrg('production');
    await connectThroughBrowser(system, 'acct-reconnect-revokes', 'production', other);
    await eventually(async () => (await grantStates(org)).refresh.every((t) => t.state === 'revoked' || t.state === 'rotated'));
    expect((await grantStates(org)).access.filter((t) => t.state === 'active')).toEqual([]);
    expect((await grantStates(other)).refresh.map((t) => t.state)).toContain('active');
    const rows = await revocationRows('acct-reconnect-revokes');
    expect(rows.map((r) => [r.reason, r.outcome])).toEqual([
      ['reconnect', 'revoked'],
      ['reconnect', 'revoked'],
    ]);
    expect(rows.every((r) => r.refresh_token_ciphertext === null)).toBe(true);
  }, 120_000);
});

describe('an activation that fails after the code exchange', () => {
  it('leaves no live grant behind when Temporal is unreachable', async () => {
    const org = await system.createOrg('production');
    const authorizeUrl = await requestAuthorizeUrl(system, 'acct-no-temporal', 'production');
    const params = await browserAuthorize(authorizeUrl, org.username, org.password, 'allow');
    // Salesforce's redirect reaches the replica whose Temporal is down.
    const landing = await followCallback(`${temporalDown.url}/api/integrations/salesforce/callback?${params.toString()}`);
    expect(landing.searchParams.get('salesforce')).toBe('error');
    expect(landing.searchParams.get('code')).toBe('TEMPORARILY_UNAVAILABLE');

    const grant = await grantStates(org);
    expect(grant.refresh.length).toBe(1);
    expect(grant.refresh.filter((t) => t.state === 'active')).toEqual([]);
    expect(grant.access.filter((t) => t.state === 'active')).toEqual([]);
    expect(await connectionRow('acct-no-temporal')).toMatchObject({ status: 'disconnected', refresh_token_ciphertext: null, access_token_ciphertext: null });
    expect(await revocationRows('acct-no-temporal')).toMatchObject([{ reason: 'activation_failed', outcome: 'revoked', refresh_token_ciphertext: null }]);
  }, 60_000);
});

describe('a disconnect during a page', () => {
  it('cancels the page in flight: after DELETE returns, no further call reaches the org (Bulk polls included)', async () => {
    const org = await system.createOrg('production');
    // Enough records that the initial read of Accounts takes Bulk API 2.0 (it saves calls over REST).
    await system.control.generateRecords(org.orgId, 'Account', 12_001, 51); // Bulk: job, 3 expected polls, one chunk (5) < REST (7)
    // A Bulk job that never finishes: the page polls it; and revoking fails, so the access token stays live.
    await system.control.setFaults(org.orgId, { bulkJobProcessingMs: 10 * 60_000 });
    await system.control.setLoginHostFaults('production', { revoke: 'unavailable' });
    try {
      await connectThroughBrowser(system, 'acct-mid-page', 'production', org);
      await eventually(async () => ((await system.control.usage(org.orgId)).byEndpoint['GET /jobs/query/:jobId'] ?? 0) >= 3, 30_000);

      const response = await system.call(connectionRoute('acct-mid-page'), { method: 'DELETE' });
      expect(response.status).toBe(200);
      const atReturn = await system.control.usage(org.orgId);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const later = await system.control.usage(org.orgId);
      expect(later.total).toBe(atReturn.total);
      expect(later.byEndpoint).toEqual(atReturn.byEndpoint);

      const final = (await system.temporal.workflow.getHandle(connectionWorkflowId('acct-mid-page', 'production')).result()) as ConnectionStatus;
      expect(final).toMatchObject({ phase: 'disconnected', endedReason: 'Disconnected from FastFollow', error: null });
    } finally {
      await system.control.setLoginHostFaults('production', {});
      await system.control.setFaults(org.orgId, {});
    }
  }, 60_000);
});
