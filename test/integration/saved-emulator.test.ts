import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERNAME } from '../../emulator/demo.js';
import { browserAuthorize } from '../../emulator/browser-login.js';
import { createControlClient } from '../../emulator/index.js';
import { demoOrgsSeed } from '../../dev/emulator-seeds.js';
import { freePort } from '../../dev/free-port.js';
import { startLocalSystem, type LocalSystem } from '../../dev/local-system.js';
import { savedEmulatorFiles } from '../../dev/saved-emulator.js';
import type { ConnectionStatus } from '../../domain/connection-status.js';
import { createLogger } from '../../platform/logger.js';
import { testEnv } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { BrowserCookies, eventually, followCallback } from '../support/oauth-browser.js';

// `npm start` keeps its local world across restarts: the emulator saves its orgs, tokens and records
// in the data folder, so a connection made before a restart still syncs after it (refresh tokens,
// rotation included, are still valid at the emulator).
const accountId = 'acct-console-restart';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ff-saved-emulator-'));
let database: TestDatabase;
let env: Record<string, string>;
let ports: { api: number; emulator: number; emulatorSandbox: number };
let system: LocalSystem | undefined;

const logger = createLogger({ level: 'silent' });

async function start(): Promise<LocalSystem> {
  return startLocalSystem({
    env,
    dataDir,
    ports,
    postgres: { url: database.url },
    temporal: { address: env.TEMPORAL_ADDRESS! },
    emulator: { seed: demoOrgsSeed, persist: true },
    logger,
    temporalLog: { to: logger },
  });
}

async function status(running: LocalSystem): Promise<ConnectionStatus> {
  const response = await fetch(`${running.apiUrl}/api/integrations/salesforce/connections/${accountId}/production`, {
    headers: { authorization: `Bearer ${running.config.API_TOKEN}` },
  });
  return (await response.json()) as ConnectionStatus;
}

async function contactCount(): Promise<number> {
  const row = await database.db.selectFrom('contacts').select((eb) => eb.fn.countAll<string>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  database = await createTestDatabase();
  ports = { api: await freePort(), emulator: await freePort(), emulatorSandbox: await freePort() };
  // One environment for both runs: the same secrets (stored tokens stay decryptable) and task queue.
  env = testEnv({ SYNC_POLL_INTERVAL: '1s', SYNC_SAFETY_LAG: '500ms', SYNC_LOOKBACK: '2s' });
  for (const key of ['SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET', 'SALESFORCE_CALLBACK_URL', 'APP_URL', 'API_PORT']) delete env[key];
});
afterAll(async () => {
  if (system) {
    // Stops the connection's workflow on the shared Temporal server.
    await fetch(`${system.apiUrl}/api/integrations/salesforce/connections/${accountId}/production`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${system.config.API_TOKEN}` },
    }).catch(() => undefined);
    await system.stop();
  }
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local system keeps its Salesforce emulator across restarts', () => {
  it('a demo connection is still incremental with its rows after a restart, and keeps syncing', async () => {
    system = await start();
    const browser = new BrowserCookies();
    const connect = await fetch(`${system.apiUrl}/api/integrations/salesforce/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${system.config.API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ accountId, environment: 'production' }),
    });
    expect(connect.status).toBe(200);
    browser.store(connect);
    const { authorizeUrl } = (await connect.json()) as { authorizeUrl: string };
    const params = await browserAuthorize(authorizeUrl, DEMO_USERNAME, DEMO_PASSWORD, 'allow');
    const landing = await followCallback(`${system.config.SALESFORCE_CALLBACK_URL}?${params.toString()}`, browser);
    expect(landing.searchParams.get('salesforce')).toBe('connected');
    const first = system;
    await eventually(async () => (await status(first)).phase === 'incremental' && (await contactCount()) === 300, 60_000);

    await system.stop();
    system = undefined;
    const files = savedEmulatorFiles(dataDir);
    expect(statSync(files.state).mode & 0o777).toBe(0o600);

    system = await start();
    expect(system.emulator!.running.restored).toBe(true);
    const second = system;
    expect((await status(second)).phase).toBe('incremental');
    expect(await contactCount()).toBe(300);

    // A change made at Salesforce after the restart arrives (the saved refresh token still works).
    const control = createControlClient(system.emulator!.running.productionUrl);
    const { org_id: orgId } = await database.db.selectFrom('salesforce_connections').select('org_id').where('account_id', '=', accountId).executeTakeFirstOrThrow();
    await control.insertRecords(orgId!, 'Contact', [{ FirstName: 'After', LastName: 'Restart', Email: 'after.restart@example.com' }]);
    await eventually(async () => (await contactCount()) === 301, 60_000);
    const current = await status(second);
    expect(current.phase).toBe('incremental');
    expect(current.error ?? null).toBeNull();
  }, 150_000);
});
