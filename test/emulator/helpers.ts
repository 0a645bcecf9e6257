// Shared setup for emulator tests: a fresh emulator per file, and the OAuth web-server flow
// driven like a browser (real HTTP, real HTML forms) with jsforce doing the OAuth client side.
import jsforce from 'jsforce';
import { createControlClient, startEmulator, type ControlClient, type RunningEmulator } from '../../emulator/index.js';
import type { UserPermissions } from '../../emulator/store.js';

export const CALLBACK = 'http://localhost:3000/api/integrations/salesforce/callback';

export interface Form {
  action: string;
  fields: Record<string, string>;
  buttons: { name: string; value: string }[];
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1];
const unescapeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Reads the first <form> of a page: its action, input values and submit buttons. */
export function parseForm(html: string): Form {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`No form in page: ${html.slice(0, 500)}`);
  const open = /<form\b[^>]*>/i.exec(form[0])![0];
  const fields: Record<string, string> = {};
  for (const m of form[1]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(m[0], 'name');
    if (name) fields[name] = unescapeHtml(attr(m[0], 'value') ?? '');
  }
  const buttons = [...form[1]!.matchAll(/<button\b[^>]*>/gi)].map((m) => ({ name: attr(m[0], 'name') ?? '', value: attr(m[0], 'value') ?? '' }));
  return { action: unescapeHtml(attr(open, 'action') ?? ''), fields, buttons };
}

export async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

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

/** Walks authorize → login form → consent → redirect and returns the redirect's query. */
export async function browserAuthorize(authorizeUrl: string, username: string, password: string, decision: 'allow' | 'deny' = 'allow'): Promise<URLSearchParams> {
  const loginPage = await fetch(authorizeUrl, { redirect: 'manual' });
  if (loginPage.status !== 200) throw new Error(`authorize answered ${loginPage.status}: ${await loginPage.text()}`);
  const login = parseForm(await loginPage.text());
  const afterLogin = await postForm(new URL(login.action, authorizeUrl).toString(), { ...login.fields, username, password });
  if (afterLogin.status !== 302) throw new Error(`login answered ${afterLogin.status}: ${(await afterLogin.text()).slice(0, 300)}`);
  const consentUrl = new URL(afterLogin.headers.get('location')!, authorizeUrl).toString();
  const consentPage = await fetch(consentUrl, { redirect: 'manual' });
  const consent = parseForm(await consentPage.text());
  const button = consent.buttons.find((b) => b.value === decision)!;
  const afterConsent = await postForm(new URL(consent.action, consentUrl).toString(), { ...consent.fields, [button.name]: button.value });
  if (afterConsent.status !== 302) throw new Error(`consent answered ${afterConsent.status}`);
  return new URL(afterConsent.headers.get('location')!).searchParams;
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
