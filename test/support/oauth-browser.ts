import { browserAuthorize } from '../../emulator/browser-login.js';
import type { TestOrg, TestSystem } from './system.js';

export interface ConnectAttempt {
  authorizeUrl: string;
  /** The full callback URL Salesforce redirected the browser to. */
  callbackUrl: string;
  /** Where our callback sent the browser (APP_URL with the outcome). */
  landing: URL;
}

/**
 * The cookies one browser holds for our API (name → value and path), fed by Set-Cookie headers the
 * way a browser's jar is: the connect step's binding cookie goes in, the callback's clearing removes it.
 */
export class BrowserCookies {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const attribute = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split('=')[1];
      if (attribute('max-age') === '0') this.cookies.delete(name);
      else this.cookies.set(name, { value, path: attribute('path') ?? '/' });
    }
  }

  /** The Cookie header a browser sends to `url` (undefined when none matches). */
  header(url: string): string | undefined {
    const { pathname } = new URL(url);
    const sent = [...this.cookies].filter(([, cookie]) => pathname.startsWith(cookie.path)).map(([name, cookie]) => `${name}=${cookie.value}`);
    return sent.length > 0 ? sent.join('; ') : undefined;
  }

  names(): string[] {
    return [...this.cookies.keys()];
  }
}

/** The browser every helper uses unless told otherwise: the one the FastFollow user clicked Connect in. */
export const userBrowser = new BrowserCookies();

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

/**
 * The app's first step: POST /connect, whose binding cookie the app relays to the user's browser
 * (`browser`, by default the one every helper uses). Returns the Salesforce authorize URL.
 */
export async function requestAuthorizeUrl(
  system: TestSystem,
  accountId: string,
  environment: 'production' | 'sandbox',
  browser: BrowserCookies = userBrowser,
): Promise<string> {
  return (await requestConnect(system, accountId, environment, browser)).authorizeUrl;
}

export interface ConnectAnswer {
  authorizeUrl: string;
  binding?: { cookie: string; value: string; path: string; maxAgeSeconds: number; secure: boolean };
  response: Response;
}

export async function requestConnect(
  system: TestSystem,
  accountId: string,
  environment: 'production' | 'sandbox',
  browser: BrowserCookies = userBrowser,
): Promise<ConnectAnswer> {
  const response = await system.call('/api/integrations/salesforce/connect', {
    method: 'POST',
    body: JSON.stringify({ accountId, environment }),
  });
  if (response.status !== 200) throw new Error(`connect answered ${response.status}: ${await response.text()}`);
  browser.store(response);
  return { ...((await response.json()) as Omit<ConnectAnswer, 'response'>), response };
}

/** The browser follows Salesforce's redirect to our callback, sending its cookies; returns where it lands. */
export async function followCallback(callbackUrl: string, browser: BrowserCookies = userBrowser, headers: Record<string, string> = {}): Promise<URL> {
  const cookie = browser.header(callbackUrl);
  const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
  if (callback.status !== 302) throw new Error(`callback answered ${callback.status}: ${await callback.text()}`);
  browser.store(callback);
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
