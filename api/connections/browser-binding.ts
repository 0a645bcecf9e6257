import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// The OAuth flow is bound to the browser that clicked Connect: the connect step sets a cookie holding a
// random secret (only its hash is stored beside the state) and the callback requires it. A Salesforce
// user who completes someone else's authorize URL arrives without it, so nothing is connected.

export const CALLBACK_PATH = '/api/integrations/salesforce/callback';

export interface BrowserBinding {
  /** Cookie name, derived from the state: two Connect tabs in one browser each keep their own cookie. */
  cookie: string;
  value: string;
  path: string;
  maxAgeSeconds: number;
  /** False only for a plain-HTTP callback URL (local development), where a Secure cookie never comes back. */
  secure: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function bindingCookieName(state: string): string {
  return `ff_sf_oauth_${sha256(state).slice(0, 16)}`;
}

export function newBrowserBinding(state: string, callbackUrl: string, ttlMs: number): { binding: BrowserBinding; hash: string } {
  const value = randomBytes(32).toString('base64url');
  const binding = {
    cookie: bindingCookieName(state),
    value,
    path: CALLBACK_PATH,
    maxAgeSeconds: Math.floor(ttlMs / 1000),
    secure: bindingCookieOptions(callbackUrl).secure,
  };
  return { binding, hash: sha256(value) };
}

/** Compares the presented cookie with the stored hash in constant time; a missing either side never matches. */
export function bindingMatches(presented: string | undefined, storedHash: string | null): boolean {
  if (!presented || !storedHash) return false;
  const expected = Buffer.from(storedHash, 'hex');
  const actual = Buffer.from(sha256(presented), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * The cookie's attributes for Hono's setCookie/deleteCookie: SameSite=Lax so it survives Salesforce's
 * top-level redirect back, Secure unless the callback is plain HTTP (localhost development).
 */
export function bindingCookieOptions(callbackUrl: string) {
  return { path: CALLBACK_PATH, httpOnly: true, secure: new URL(callbackUrl).protocol === 'https:', sameSite: 'Lax' as const };
}
