import jsforce from 'jsforce';
import { authorizationCode } from '../emulator/browser-login.js';
import { SALESFORCE_API_VERSION } from '../salesforce/client.js';
import type { BenchOrg, BenchSystem } from './system.js';

/**
 * The app asks to connect, the "browser" logs in and consents at the emulator, then follows the
 * redirect to our callback. Returns when the callback was requested (the sync's start line).
 */
export async function connectThroughApi(system: BenchSystem, accountId: string, org: BenchOrg, browserAddress = '10.0.0.1'): Promise<{ callbackAt: number }> {
  const response = await system.call('/api/integrations/salesforce/connect', { method: 'POST', body: JSON.stringify({ accountId, environment: 'production' }) });
  if (response.status !== 200) throw new Error(`connect answered ${response.status}: ${await response.text()}`);
  const { authorizeUrl } = (await response.json()) as { authorizeUrl: string };
  // The app relays the binding cookie to the browser, which sends it back to the callback (same browser).
  const bindingCookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  // Salesforce hands the state back unchanged; ours is in the authorize URL.
  const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
  const code = await authorizationCode(authorizeUrl, org.username, org.password);
  const callbackAt = Date.now();
  const callback = await fetch(`${system.connectedApp.callbackUrl}?${new URLSearchParams({ code, state })}`, {
    redirect: 'manual',
    // Each user's browser has its own address (the API trusts one proxy hop in the bench): many connections
    // at once are many users, not one client over the callback's rate limit.
    headers: { cookie: bindingCookie, 'x-forwarded-for': browserAddress },
  });
  const landing = callback.headers.get('location') ?? '';
  if (callback.status !== 302 || new URL(landing).searchParams.get('salesforce') !== 'connected') {
    throw new Error(`callback answered ${callback.status} → ${landing || (await callback.text())}`);
  }
  return { callbackAt };
}

/** A jsforce Connection authorised through the same web-server flow (PKCE) by the bench's own grant. */
export async function jsforceConnection(system: BenchSystem, org: BenchOrg): Promise<jsforce.Connection> {
  const { clientId, clientSecret, callbackUrl } = system.connectedApp;
  const oauth2 = new jsforce.OAuth2({ loginUrl: org.loginUrl, clientId, clientSecret, redirectUri: callbackUrl, useVerifier: true });
  const code = await authorizationCode(oauth2.getAuthorizationUrl({ state: 'bench' }), org.username, org.password);
  const conn = new jsforce.Connection({ oauth2, version: SALESFORCE_API_VERSION });
  await conn.authorize(code);
  return conn;
}
