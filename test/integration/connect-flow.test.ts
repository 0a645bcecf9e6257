import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseForm, postForm } from '../../emulator/browser-login.js';
import { connectionWorkflowId, type ConnectionStatus } from '../../domain/connection-status.js';
import { connectThroughBrowser, eventually, followCallback, requestAuthorizeUrl } from '../support/oauth-browser.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

async function status(accountId: string, environment: string): Promise<ConnectionStatus> {
  const response = await system.call(`/api/integrations/salesforce/connections/${accountId}/${environment}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ConnectionStatus;
}

async function storedConnections(accountId: string) {
  return system.database.db.selectFrom('salesforce_connections').selectAll().where('account_id', '=', accountId).execute();
}

describe('connect (full OAuth flow over HTTP)', () => {
  it.each(['production', 'sandbox'] as const)('%s: login, consent, callback, workflow running and findable in Temporal', async (environment) => {
    const org = environment === 'production' ? system.production : system.sandbox;
    const accountId = `acct-${environment}`;
    const attempt = await connectThroughBrowser(system, accountId, environment, org);

    const expectedLoginHost = environment === 'production' ? system.emulator.productionUrl : system.emulator.sandboxUrl;
    expect(attempt.authorizeUrl.startsWith(`${expectedLoginHost}/services/oauth2/authorize?`)).toBe(true);
    const authorize = new URL(attempt.authorizeUrl).searchParams;
    expect(authorize.get('scope')).toBe('api refresh_token offline_access id profile');
    expect(authorize.get('code_challenge_method')).toBe('S256');
    expect(authorize.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(`${attempt.landing.origin}${attempt.landing.pathname}`).toBe(system.config.APP_URL);
    expect(attempt.landing.searchParams.get('salesforce')).toBe('connected');
    expect(attempt.landing.searchParams.get('environment')).toBe(environment);

    const [row] = await storedConnections(accountId);
    expect(row).toMatchObject({ environment, status: 'active', org_id: org.orgId, user_id: org.userId, username: org.username });
    expect(row?.refresh_token_ciphertext).toBeTruthy();

    // Findable by account id in Temporal, with its phase.
    const workflowId = connectionWorkflowId(accountId, environment);
    const found = await eventually(async () => {
      for await (const execution of system.temporal.workflow.list({ query: `FastFollowAccountId = "${accountId}"` })) {
        if (execution.workflowId === workflowId && execution.searchAttributes.SyncPhase) return execution;
      }
      return undefined;
    });
    expect(found.status.name).toBe('RUNNING');
    expect(found.searchAttributes.SalesforceEnvironment).toEqual([environment]);
    expect(found.searchAttributes.SalesforceOrgId).toEqual([org.orgId]);

    // The workflow checked the org and reports its API usage.
    const current = await eventually(async () => {
      const s = await status(accountId, environment);
      return s.apiUsage ? s : undefined;
    });
    expect(current).toMatchObject({ accountId, environment, orgId: org.orgId, phase: 'incremental', error: null });
    expect(current.apiUsage?.max).toBe(100_000);
    expect(current.apiUsage?.used).toBeGreaterThan(0);
  });

  it('reconnecting keeps the same workflow and hands it the new grant', async () => {
    const accountId = 'acct-reconnect';
    await connectThroughBrowser(system, accountId, 'production', system.production);
    const handle = system.temporal.workflow.getHandle(connectionWorkflowId(accountId, 'production'));
    const firstRun = (await handle.describe()).runId;
    const before = await storedConnections(accountId);
    await connectThroughBrowser(system, accountId, 'production', system.production);
    const after = await storedConnections(accountId);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(before[0]?.id);
    expect(after[0]?.refresh_token_ciphertext).not.toBe(before[0]?.refresh_token_ciphertext);
    expect((await handle.describe()).runId).toBe(firstRun);
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });
});

describe('connect failures store nothing', () => {
  async function expectNothingStored(accountId: string) {
    expect(await storedConnections(accountId)).toEqual([]);
    await expect(system.temporal.workflow.getHandle(connectionWorkflowId(accountId, 'production')).describe()).rejects.toThrow(/not found/i);
  }

  it('user denies access: redirect with ACCESS_DENIED and its fix', async () => {
    const attempt = await connectThroughBrowser(system, 'acct-deny', 'production', system.production, 'deny');
    expect(attempt.landing.searchParams.get('salesforce')).toBe('error');
    expect(attempt.landing.searchParams.get('code')).toBe('ACCESS_DENIED');
    expect(attempt.landing.searchParams.get('fix')).toContain('Allow');
    await expectNothingStored('acct-deny');
  });

  it('unknown state: INVALID_STATE and no token exchange', async () => {
    const before = await system.control.usage(system.production.orgId);
    const landing = await followCallback(`${system.config.SALESFORCE_CALLBACK_URL}?code=abc&state=forged`);
    expect(landing.searchParams.get('code')).toBe('INVALID_STATE');
    expect((await system.control.usage(system.production.orgId)).tokenRequests).toBe(before.tokenRequests);
  });

  it('replayed callback: the state is single use', async () => {
    const attempt = await connectThroughBrowser(system, 'acct-replay', 'production', system.production);
    expect(attempt.landing.searchParams.get('salesforce')).toBe('connected');
    const before = await system.control.usage(system.production.orgId);
    const replay = await followCallback(attempt.callbackUrl);
    expect(replay.searchParams.get('code')).toBe('INVALID_STATE');
    expect((await system.control.usage(system.production.orgId)).tokenRequests).toBe(before.tokenRequests);
  });

  it('expired state: INVALID_STATE after 10 minutes', async () => {
    const authorizeUrl = await requestAuthorizeUrl(system, 'acct-expired', 'production');
    const state = new URL(authorizeUrl).searchParams.get('state')!;
    await system.database.db
      .updateTable('salesforce_oauth_states')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('account_id', '=', 'acct-expired')
      .execute();
    const landing = await followCallback(`${system.config.SALESFORCE_CALLBACK_URL}?code=whatever&state=${state}`);
    expect(landing.searchParams.get('code')).toBe('INVALID_STATE');
    await expectNothingStored('acct-expired');
  });

  it('token exchange refused (bad code): INVALID_LOGIN with the fix text', async () => {
    const authorizeUrl = await requestAuthorizeUrl(system, 'acct-badcode', 'production');
    const state = new URL(authorizeUrl).searchParams.get('state')!;
    const landing = await followCallback(`${system.config.SALESFORCE_CALLBACK_URL}?code=not-a-real-code&state=${state}`);
    expect(landing.searchParams.get('code')).toBe('INVALID_LOGIN');
    expect(landing.searchParams.get('fix')).toContain('callback URL');
    await expectNothingStored('acct-badcode');
  });

  it('a sandbox user on the production login host cannot log in (Salesforce keeps the login page)', async () => {
    const authorizeUrl = await requestAuthorizeUrl(system, 'acct-wronghost', 'production');
    await expect(connectLogin(authorizeUrl, system.sandbox.username, system.sandbox.password)).resolves.toContain('INVALID_LOGIN');
    await expectNothingStored('acct-wronghost');
  });

  it('a callback URL that does not match the Connected App: Salesforce shows redirect_uri_mismatch, nothing reaches us', async () => {
    const authorizeUrl = await requestAuthorizeUrl(system, 'acct-mismatch', 'production');
    const tampered = new URL(authorizeUrl);
    tampered.searchParams.set('redirect_uri', 'https://evil.example/callback');
    const page = await fetch(tampered, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('redirect_uri_mismatch');
    await expectNothingStored('acct-mismatch');
  });

  it('rejects a bad connect body naming the fields', async () => {
    const response = await system.call('/api/integrations/salesforce/connect', {
      method: 'POST',
      body: JSON.stringify({ accountId: 'has:colon', environment: 'staging' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; fields: Array<{ path: string }> } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.fields.map((field) => field.path).sort()).toEqual(['accountId', 'environment']);
  });

  it('status of an account that never connected is 404', async () => {
    const response = await system.call('/api/integrations/salesforce/connections/acct-never/production');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_CONNECTED');
  });
});

/** Posts the login form and returns the page Salesforce answers with (it stays on the login page on failure). */
async function connectLogin(authorizeUrl: string, username: string, password: string): Promise<string> {
  const login = parseForm(await (await fetch(authorizeUrl)).text());
  const response = await postForm(new URL(login.action, authorizeUrl).toString(), { ...login.fields, username, password });
  expect(response.status).toBe(200);
  return response.text();
}

describe('callback hygiene', () => {
  // Runs last in this file: it uses up this address's callback allowance.
  it('rate-limits the public callback per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const response = await fetch(`${system.config.SALESFORCE_CALLBACK_URL}?code=x&state=forged-${i}`, { redirect: 'manual' });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((status) => status === 302)).toBe(true);
  });
});
