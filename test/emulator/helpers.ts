// Shared setup for emulator tests: a fresh emulator per file, and the OAuth web-server flow
// driven like a browser (real HTTP, real HTML forms) with jsforce doing the OAuth client side.
import jsforce from 'jsforce';
import { createControlClient, startEmulator, type ControlClient, type RunningEmulator } from '../../emulator/index.js';
import type { UserPermissions } from '../../emulator/store.js';
import { browserAuthorize } from '../../emulator/browser-login.js';

export const CALLBACK = 'http://localhost:3000/api/integrations/salesforce/callback';

export { browserAuthorize, parseForm, postForm, type Form } from '../../emulator/browser-login.js';

export interface TestWorld {
  emulator: RunningEmulator;
  control: ControlClient;
}

export async function startWorld(): Promise<TestWorld> {
  const emulator = await startEmulator({ port: 0, sandboxPort: 0 });
  return { emulator, control: createControlClient(emulator.productionUrl) };
}

let counter = 0;
export interface OrgFixture {
  orgId: string;
  instanceUrl: string;
  loginUrl: string;
  username: string;
  password: string;
  userId: string;
  clientId: string;
  clientSecret: string;
}

/** An org with one user and its own connected app. */
export async function createOrgFixture(world: TestWorld, options: {
  edition?: 'Developer' | 'Enterprise' | 'Professional' | 'Essentials' | 'Unlimited' | 'Performance';
  environment?: 'production' | 'sandbox';
  dailyApiLimit?: number;
  sessionTimeoutSeconds?: number;
  permissions?: UserPermissions;
  rotateRefreshTokens?: boolean;
  requirePkce?: boolean;
  customFields?: Parameters<ControlClient['createOrg']>[0] extends infer O ? O extends { customFields?: infer C } ? C : never : never;
} = {}): Promise<OrgFixture> {
  const n = ++counter;
  const org = await world.control.createOrg({
    edition: options.edition ?? 'Enterprise',
    environment: options.environment ?? 'production',
    ...(options.dailyApiLimit !== undefined ? { dailyApiLimit: options.dailyApiLimit } : {}),
    ...(options.sessionTimeoutSeconds !== undefined ? { sessionTimeoutSeconds: options.sessionTimeoutSeconds } : {}),
    ...(options.customFields ? { customFields: options.customFields } : {}),
  });
  const username = `user${n}.${Date.now()}@example.com${options.environment === 'sandbox' ? '.uat' : ''}`;
  const password = `pw-${n}`;
  const user = await world.control.createUser(org.orgId, { username, password, ...(options.permissions ? { permissions: options.permissions } : {}) });
  const clientId = `3MVG9test${n}`;
  const clientSecret = `secret-${n}`;
  await world.control.createConnectedApp({
    clientId, clientSecret, callbackUrl: CALLBACK,
    requirePkce: options.requirePkce ?? true,
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
  });
  return { ...org, username, password, userId: user.userId, clientId, clientSecret };
}

export function oauth2For(fx: OrgFixture, useVerifier = true) {
  return new jsforce.OAuth2({ loginUrl: fx.loginUrl, clientId: fx.clientId, clientSecret: fx.clientSecret, redirectUri: CALLBACK, useVerifier });
}

/** A jsforce Connection authorised through the full web-server flow with PKCE. */
export async function connect(fx: OrgFixture, version = '62.0') {
  const oauth2 = oauth2For(fx);
  const state = `st-${Math.random()}`;
  const redirect = await browserAuthorize(oauth2.getAuthorizationUrl({ state }), fx.username, fx.password);
  if (redirect.get('state') !== state) throw new Error('state was not passed through');
  const conn = new jsforce.Connection({ oauth2, version });
  const userInfo = await conn.authorize(redirect.get('code')!);
  return { conn, userInfo, oauth2 };
}

/** Raw REST call with a bearer token, for exact statuses, headers and bodies. */
export async function api(fx: { instanceUrl: string }, token: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${fx.instanceUrl}/services/data/v62.0${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* CSV or HTML */
  }
  return { status: res.status, headers: res.headers, body: body as any, text };
}
