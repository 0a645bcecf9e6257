import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { Config } from '../../platform/config.js';

// The support console's session: a signed, HttpOnly, SameSite=Strict cookie for /support holding an
// expiry and a random nonce. Nothing is stored server-side, so any API replica accepts it; the signing
// key derives from SUPPORT_TOKEN, so rotating the token ends every session. The CSRF token of a
// session is an HMAC of its nonce (same key): forms carry it, the cookie alone is not enough.

export const SESSION_COOKIE = 'ff_support_session';
export const CONSOLE_PATH = '/support';
const SESSION_SECONDS = 8 * 60 * 60;

export interface ConsoleSession {
  csrfToken: string;
  expiresAt: Date;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison of two secrets of any length (their digests are compared). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function signingKey(config: Pick<Config, 'SUPPORT_TOKEN'>): string {
  return createHmac('sha256', config.SUPPORT_TOKEN).update('fastfollow support console session v1').digest('base64url');
}

function csrfTokenOf(config: Pick<Config, 'SUPPORT_TOKEN'>, nonce: string): string {
  return createHmac('sha256', signingKey(config)).update(`csrf:${nonce}`).digest('base64url');
}

/** https as the browser sees it: the request URL, or the proxy's X-Forwarded-Proto when proxies are trusted. */
export function servedOverHttps(c: Context, config: Pick<Config, 'TRUST_PROXY'>): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return config.TRUST_PROXY > 0 && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export async function startSession(c: Context, config: Pick<Config, 'SUPPORT_TOKEN' | 'TRUST_PROXY'>): Promise<void> {
  const expiresAt = Date.now() + SESSION_SECONDS * 1000;
  await setSignedCookie(c, SESSION_COOKIE, `${expiresAt}.${randomBytes(18).toString('base64url')}`, signingKey(config), {
    path: CONSOLE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: servedOverHttps(c, config),
    maxAge: SESSION_SECONDS,
  });
}

export function endSession(c: Context, config: Pick<Config, 'TRUST_PROXY'>): void {
  deleteCookie(c, SESSION_COOKIE, { path: CONSOLE_PATH, httpOnly: true, sameSite: 'Strict', secure: servedOverHttps(c, config) });
}

/** The request's session, or null when there is none, it was not signed by us, or it expired. */
export async function readSession(c: Context, config: Pick<Config, 'SUPPORT_TOKEN'>): Promise<ConsoleSession | null> {
  const value = await getSignedCookie(c, signingKey(config), SESSION_COOKIE);
  if (!value) return null;
  const [expiry, nonce] = value.split('.');
  const expiresAt = Number(expiry);
  if (!nonce || !Number.isFinite(expiresAt) || expiresAt <= Date.now()) return null;
  return { csrfToken: csrfTokenOf(config, nonce), expiresAt: new Date(expiresAt) };
}
