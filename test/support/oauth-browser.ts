import { browserAuthorize } from '../../emulator/browser-login.js';
import type { TestOrg, TestSystem } from './system.js';

export interface ConnectAttempt {
  authorizeUrl: string;
  /** The full callback URL Salesforce redirected the browser to. */
  callbackUrl: string;
  /** Where our callback sent the browser (APP_URL with the outcome). */
  landing: URL;
}

/** App asks to connect; the "browser" logs in, consents, and follows the callback redirect. */
export async function connectThroughBrowser(
  system: TestSystem,
  accountId: string,
  environment: 'production' | 'sandbox',
  org: TestOrg,
  decision: 'allow' | 'deny' = 'allow',
): Promise<ConnectAttempt> {
  const authorizeUrl = await requestAuthorizeUrl(system, accountId, environment);
  const params = await browserAuthorize(authorizeUrl, org.username, org.password, decision);
  const callbackUrl = `${system.config.SALESFORCE_CALLBACK_URL}?${params.toString()}`;
  return { authorizeUrl, callbackUrl, landing: await followCallback(callbackUrl) };
}

/** The app's first step: POST /connect, returning the Salesforce authorize URL. */
export async function requestAuthorizeUrl(system: TestSystem, accountId: string, environment: 'production' | 'sandbox'): Promise<string> {
  const response = await system.call('/api/integrations/salesforce/connect', {
    method: 'POST',
    body: JSON.stringify({ accountId, environment }),
  });
  if (response.status !== 200) throw new Error(`connect answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { authorizeUrl: string }).authorizeUrl;
}

export async function followCallback(callbackUrl: string): Promise<URL> {
  const callback = await fetch(callbackUrl, { redirect: 'manual' });
  if (callback.status !== 302) throw new Error(`callback answered ${callback.status}: ${await callback.text()}`);
  return new URL(callback.headers.get('location')!);
}

/** Polls until `check` returns a value (Temporal visibility and workflow progress are asynchronous). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
