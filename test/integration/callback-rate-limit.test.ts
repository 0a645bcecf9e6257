import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type RunningApi } from '../../api/server.js';
import { freePort } from '../../dev/free-port.js';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { countCallbackHit } from '../../db/callback-rate-limits.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

// The public OAuth callback is rate limited per client address, in Postgres so every API replica
// counts against the same limit, and a limited browser still lands on the app page with a code.
const LIMIT = 30;
const CALLBACK_PATH = '/api/integrations/salesforce/callback';

let system: TestSystem; // TRUST_PROXY=1: one load balancer in front
let replica: RunningApi; // a second API replica behind the same load balancer, same database
let direct: RunningApi; // TRUST_PROXY unset: clients reach the API directly
beforeAll(async () => {
  system = await startTestSystem({ TRUST_PROXY: '1' }, { worker: false });
  const logger = createLogger({ level: 'silent' });
  const server = async (settings: Record<string, string>) => {
    const port = await freePort();
    const running = await startApiServer(loadConfig({ ...system.env, ...settings, API_PORT: String(port) }), logger);
    return { ...running, url: `http://127.0.0.1:${port}` };
  };
  replica = await server({ TRUST_PROXY: '1' });
  direct = await server({ TRUST_PROXY: '' });
});
afterAll(async () => {
  await replica?.stop();
  await direct?.stop();
  await system?.stop();
});

/** The limit counts in fixed one-minute windows: start a burst early enough to finish inside one. */
async function awayFromWindowEdge(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 250));
}

/** A callback with a forged state (cheap: no token exchange) as the browser would follow it; returns the landing. */
async function callback(apiUrl: string, forwardedFor?: string): Promise<URL> {
  const response = await fetch(`${apiUrl}${CALLBACK_PATH}?code=x&state=forged`, {
    redirect: 'manual',
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

const codeOf = (landing: URL) => landing.searchParams.get('code');

describe('callback rate limit', () => {
  it(`behind a trusted proxy: ${LIMIT} a minute per client (the proxy's hop, not a spoofed one), shared by the replicas`, async () => {
    await awayFromWindowEdge();
    const client = '203.0.113.7';
    for (let i = 0; i < LIMIT; i++) {
      // The client sends its own X-Forwarded-For (a new spoofed address each time); the load balancer appends the real one.
      const landing = await callback(i % 2 === 0 ? system.apiUrl : replica.url, `10.66.0.${i}, ${client}`);
      expect(codeOf(landing)).toBe('INVALID_STATE');
    }
    for (const apiUrl of [system.apiUrl, replica.url]) {
      const limited = await callback(apiUrl, `10.66.1.1, ${client}`);
      expect(`${limited.origin}${limited.pathname}`).toBe(system.config.APP_URL);
      expect(limited.searchParams.get('salesforce')).toBe('error');
      expect(codeOf(limited)).toBe('RATE_LIMITED');
      expect(limited.searchParams.get('fix')).toMatch(/minute/);
    }
    // Another client behind the same load balancer is not limited.
    expect(codeOf(await callback(replica.url, '198.51.100.9'))).toBe('INVALID_STATE');
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: a client cannot dodge the limit by spoofing it', async () => {
    await awayFromWindowEdge();
    const landings: Array<string | null> = [];
    for (let i = 0; i <= LIMIT; i++) landings.push(codeOf(await callback(direct.url, `198.18.0.${i}`)));
    expect(landings.slice(0, LIMIT).every((code) => code === 'INVALID_STATE')).toBe(true);
    expect(landings[LIMIT]).toBe('RATE_LIMITED');
  });

  it('forgets finished windows as new ones open', async () => {
    const { db } = system.database;
    await db
      .insertInto('callback_rate_limits')
      .values({ client_key: 'old-client', window_start: new Date(Date.now() - 10 * 60_000), hits: 7 })
      .execute();
    expect(await countCallbackHit(db, 'fresh-client', 60)).toBe(1);
    expect(await db.selectFrom('callback_rate_limits').selectAll().where('client_key', '=', 'old-client').execute()).toEqual([]);
    expect(await countCallbackHit(db, 'fresh-client', 60)).toBe(2);
  });
});
