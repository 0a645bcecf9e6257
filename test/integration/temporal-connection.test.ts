import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../api/server.js';
import { freePort } from '../../dev/free-port.js';
import { createLogger } from '../../platform/logger.js';
import { StartupError } from '../../platform/run-main.js';
import { startWorker } from '../../worker/run-worker.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase } from '../support/database.js';

// The worker and the API reach Temporal through the same connection settings. The run's Temporal dev
// server speaks plain TCP: with TLS off both connect; with TLS (or an API key, which implies it) both
// are refused by it — which shows the settings reach both connections.

const logger = createLogger({ level: 'silent' });
const API_KEY = 'temporal-cloud-api-key-not-to-be-shown';

async function health(settings: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const database = await createTestDatabase();
  const api = await startApiServer(testConfig({ ...settings, DATABASE_URL: database.url, API_PORT: String(await freePort()), API_HOST: '127.0.0.1' }), logger);
  try {
    const response = await fetch(`${api.url}/api/health`);
    return { status: response.status, body: await response.json() };
  } finally {
    await api.stop();
    await database.drop();
  }
}

describe('Temporal connection settings', () => {
  it('with TLS off (the default), the worker polls and the API reaches Temporal', async () => {
    const database = await createTestDatabase();
    try {
      const worker = await startWorker(testConfig({ DATABASE_URL: database.url, TEMPORAL_TLS: 'false' }), logger);
      await worker.stop();
    } finally {
      await database.drop();
    }
    expect(await health({})).toEqual({ status: 200, body: { status: 'ok', temporal: 'up', database: 'up' } });
  });

  it('with TLS on against a plain server, the worker stops with one line naming TLS, and the API reports Temporal down', async () => {
    const config = testConfig({ TEMPORAL_TLS: 'true' });
    const failure = await startWorker(config, logger).then(
      async (worker) => {
        await worker.stop();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as Error).message).toBe(
      `Cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS, TLS): the server does not speak TLS (is it a plain-TCP server?)`,
    );
    expect(await health({ TEMPORAL_TLS: 'true' })).toMatchObject({ status: 503, body: { temporal: 'down', database: 'up' } });
  });

  it('an API key turns TLS on for the worker too, and never appears in its error', async () => {
    const failure = await startWorker(testConfig({ TEMPORAL_API_KEY: API_KEY }), logger).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as Error).message).toContain('(TEMPORAL_ADDRESS, TLS, API key)');
    expect((failure as Error).message).not.toContain(API_KEY);
  });
});
