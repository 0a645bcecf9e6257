import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readSession, sameSecret, startSession, SESSION_COOKIE } from '../../api/console/session.js';

// The support console's stateless session: signed with a key derived from SUPPORT_TOKEN, expiring.
const configA = { SUPPORT_TOKEN: 'support-token-aaaaaaaaaaaaaaaa', TRUST_PROXY: 0 };
const configB = { SUPPORT_TOKEN: 'support-token-bbbbbbbbbbbbbbbb', TRUST_PROXY: 0 };

function app(config: typeof configA) {
  const hono = new Hono();
  hono.post('/support/login', async (c) => {
    await startSession(c, config);
    return c.text('ok');
  });
  hono.get('/support/whoami', async (c) => {
    const session = await readSession(c, config);
    return session ? c.json({ csrf: session.csrfToken }) : c.text('none', 401);
  });
  return hono;
}

async function signIn(config: typeof configA, url = 'http://console.test/support/login'): Promise<string> {
  const response = await app(config).request(url, { method: 'POST' });
  return response.headers.get('set-cookie')!;
}

const cookiePair = (setCookie: string) => setCookie.split(';')[0]!;
const whoami = (config: typeof configA, cookie: string) => app(config).request('http://console.test/support/whoami', { headers: { cookie } });

afterEach(() => vi.useRealTimers());

describe('support console session', () => {
  it('is HttpOnly, SameSite=Strict, for /support only, and Secure over https', async () => {
    const plain = await signIn(configA);
    expect(plain).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(plain).toContain('Path=/support');
    expect(plain).toContain('HttpOnly');
    expect(plain).toContain('SameSite=Strict');
    expect(plain).not.toContain('Secure');
    expect(await signIn(configA, 'https://console.test/support/login')).toContain('Secure');
  });

  it('is accepted back, with a CSRF token of its own; tampered, or after SUPPORT_TOKEN changed, it is not', async () => {
    const first = cookiePair(await signIn(configA));
    const second = cookiePair(await signIn(configA));
    const answer = await whoami(configA, first);
    expect(answer.status).toBe(200);
    const { csrf } = (await answer.json()) as { csrf: string };
    const other = ((await (await whoami(configA, second)).json()) as { csrf: string }).csrf;
    expect(csrf).not.toBe(other);

    expect((await whoami(configB, first)).status).toBe(401);
    const [name, value] = [first.slice(0, first.indexOf('=')), decodeURIComponent(first.slice(first.indexOf('=') + 1))];
    const tampered = value.replace(/^\d/, (digit) => String((Number(digit) + 1) % 10));
    expect((await whoami(configA, `${name}=${encodeURIComponent(tampered)}`)).status).toBe(401);
  });

  it('expires after 8 hours', async () => {
    const cookie = cookiePair(await signIn(configA));
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 8 * 60 * 60 * 1000 + 1000 });
    expect((await whoami(configA, cookie)).status).toBe(401);
  });

  it('compares secrets of any length without throwing', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});
