import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAuthorize, parseForm, postForm } from '../../emulator/browser-login.js';
import { connectionWorkflowId, type ConnectionStatus } from '../../domain/connection-status.js';
import { createHash } from 'node:crypto';
import {
  BrowserCookies,
  connectThroughBrowser,
  eventually,
  followCallback,
  requestAuthorizeUrl,
  requestConnect,
} from '../support/oauth-browser.js';
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
      // The usage is reported from the first check, while the (tiny) initial read may still be running.
      return s.apiUsage && s.phase === 'incremental' ? s : undefined;
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


const CALLBACK_PATH = '/api/integrations/salesforce/callback';
const stateOf = (authorizeUrl: string) => new URL(authorizeUrl).searchParams.get('state')!;
const callbackFor = (params: URLSearchParams) => `${system.config.SALESFORCE_CALLBACK_URL}?${params.toString()}`;

describe('the flow is bound to the browser that clicked Connect', () => {
  it('connect sets an HttpOnly, SameSite=Lax binding cookie named after the state, for the callback path only', async () => {
    const { authorizeUrl, binding, response } = await requestConnect(system, 'acct-cookie', 'production', new BrowserCookies());
    const name = `ff_sf_oauth_${createHash('sha256').update(stateOf(authorizeUrl)).digest('hex').slice(0, 16)}`;
    expect(binding).toMatchObject({ cookie: name, path: CALLBACK_PATH, maxAgeSeconds: 600, secure: false });
    expect(binding?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [setCookie] = response.headers.getSetCookie();
    const attributes = setCookie!.split(';').map((part) => part.trim());
    expect(attributes[0]).toBe(`${name}=${binding?.value}`);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', `Path=${CALLBACK_PATH}`, 'Max-Age=600']));
    // The callback URL is http://127.0.0.1 here: a Secure cookie would never come back over plain HTTP.
    expect(attributes).not.toContain('Secure');
    // Only its hash is stored beside the state.
    const [row] = await system.database.db.selectFrom('salesforce_oauth_states').selectAll().where('account_id', '=', 'acct-cookie').execute();
    expect(row?.binding_hash).toBe(createHash('sha256').update(binding!.value).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(binding!.value);
  });

  it('cross-browser attack: a Salesforce user completing someone else\'s authorize URL connects nothing', async () => {
    const attackerBrowser = new BrowserCookies();
    const victimBrowser = new BrowserCookies();
    const victimOrg = await system.createOrg('production');
    const authorizeUrl = await requestAuthorizeUrl(system, 'acct-attacker', 'production', attackerBrowser);
    expect(attackerBrowser.names()).toHaveLength(1);

    // The victim opens the link the attacker sent, logs in to their own org and allows access.
    const params = await browserAuthorize(authorizeUrl, victimOrg.username, victimOrg.password);
    const before = await system.control.usage(victimOrg.orgId);
    const landing = await followCallback(callbackFor(params), victimBrowser);

    expect(landing.searchParams.get('salesforce')).toBe('error');
    expect(landing.searchParams.get('code')).toBe('BROWSER_MISMATCH');
    expect(landing.searchParams.get('fix')).toContain('same browser');
    expect(landing.searchParams.get('accountId')).toBeNull(); // the victim's browser learns nothing of the attacker's account
    // No token exchange, no row, no workflow, no status.
    expect((await system.control.usage(victimOrg.orgId)).tokenRequests).toBe(before.tokenRequests);
    expect(await storedConnections('acct-attacker')).toEqual([]);
    await expect(system.temporal.workflow.getHandle(connectionWorkflowId('acct-attacker', 'production')).describe()).rejects.toThrow(/not found/i);
    expect((await system.call('/api/integrations/salesforce/connections/acct-attacker/production')).status).toBe(404);

    // The state is spent: the attacker cannot replay the victim's code from their own browser either.
    const replay = await followCallback(callbackFor(params), attackerBrowser);
    expect(replay.searchParams.get('code')).toBe('INVALID_STATE');
    expect(await storedConnections('acct-attacker')).toEqual([]);
  });

  it('a binding cookie from another Connect does not open this one', async () => {
    const org = system.production;
    const otherBrowser = new BrowserCookies();
    const other = await requestConnect(system, 'acct-other-tab', 'production', otherBrowser);
    const before = await system.control.usage(org.orgId);

    // The other state's cookie as it is (its own name) …
    const first = await requestAuthorizeUrl(system, 'acct-borrowed', 'production', new BrowserCookies());
    const firstLanding = await followCallback(callbackFor(await browserAuthorize(first, org.username, org.password)), otherBrowser);
    expect(firstLanding.searchParams.get('code')).toBe('BROWSER_MISMATCH');

    // … and its value under this state's cookie name.
    const mine = new BrowserCookies();
    const second = await requestConnect(system, 'acct-borrowed', 'production', mine);
    const forged = new BrowserCookies();
    forged.store(new Response(null, { headers: { 'set-cookie': `${second.binding!.cookie}=${other.binding!.value}; Path=${CALLBACK_PATH}` } }));
    const secondLanding = await followCallback(callbackFor(await browserAuthorize(second.authorizeUrl, org.username, org.password)), forged);
    expect(secondLanding.searchParams.get('code')).toBe('BROWSER_MISMATCH');

    expect((await system.control.usage(org.orgId)).tokenRequests).toBe(before.tokenRequests);
    expect(await storedConnections('acct-borrowed')).toEqual([]);
  });

  it('two Connect tabs in one browser both complete, and each callback clears its own cookie', async () => {
    const browser = new BrowserCookies();
    const org = system.production;
    const first = await requestAuthorizeUrl(system, 'acct-tab-1', 'production', browser);
    const second = await requestAuthorizeUrl(system, 'acct-tab-2', 'production', browser);
    expect(browser.names()).toHaveLength(2);
    const secondLanding = await followCallback(callbackFor(await browserAuthorize(second, org.username, org.password)), browser);
    const firstLanding = await followCallback(callbackFor(await browserAuthorize(first, org.username, org.password)), browser);
    expect([firstLanding.searchParams.get('salesforce'), secondLanding.searchParams.get('salesforce')]).toEqual(['connected', 'connected']);
    expect(browser.names()).toEqual([]);
  });
});

describe('only known codes reach the landing URL', () => {
  async function landWithError(accountId: string, error: string, description: string): Promise<URL> {
    const state = stateOf(await requestAuthorizeUrl(system, accountId, 'production'));
    return followCallback(callbackFor(new URLSearchParams({ error, error_description: description, state })));
  }

  it('an unknown error value lands as SALESFORCE_AUTHORIZATION_FAILED; error_description is never echoed', async () => {
    const landing = await landWithError('acct-xss', '<script>alert(1)</script>', '<b>call +1-555-0100 to restore access</b>');
    expect(landing.searchParams.get('salesforce')).toBe('error');
    expect(landing.searchParams.get('code')).toBe('SALESFORCE_AUTHORIZATION_FAILED');
    expect(landing.searchParams.get('message')).toBeTruthy();
    expect(landing.toString()).not.toMatch(/script|555|restore/);
  });

  it.each([
    ['access_denied', 'ACCESS_DENIED'],
    ['access-denied', 'ACCESS_DENIED'],
    ['redirect_uri_mismatch', 'INVALID_LOGIN'],
    ['invalid_client_id', 'INVALID_CLIENT'],
    ['INSUFFICIENT_ACCESS_OR_READONLY', 'SALESFORCE_AUTHORIZATION_FAILED'],
  ])('error=%s lands as %s', async (error, code) => {
    const landing = await landWithError(`acct-err-${error.replace(/_/g, '-').toLowerCase()}`, error, 'whatever');
    expect(landing.searchParams.get('code')).toBe(code);
  });
});
