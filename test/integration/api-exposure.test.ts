import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cleanup } from '../../dev/cleanup.js';
import { freePort } from '../../dev/free-port.js';
import { startLocalSystem } from '../../dev/local-system.js';
import { createLogger } from '../../platform/logger.js';
import { testEnv } from '../support/config.js';
import { createTestDatabase } from '../support/database.js';
import { startTestSystem } from '../support/system.js';

// Who can reach the API: the production process (`npm run api`) listens where API_HOST says (every
// interface by default) and has no demo page; the local system with the Salesforce emulator (demo
// logins, a demo page without a token) listens on 127.0.0.1 only.

/** This machine's first non-loopback IPv4 address: what another machine on the network would dial. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;

/** Status code of GET `path` at host:port, or the connection error's code (e.g. ECONNREFUSED). */
function statusAt(host: string, port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(() => cleanup.run());

/** Starts `npm run api` (api/main.ts) and resolves once it logged where it listens. */
async function startApiProcess(env: Record<string, string>): Promise<{ child: ChildProcess; listening: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.add('api process', async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
  let output = '';
  const listening = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /API listening on (\S+?)"/.exec(output);
      if (line) resolve(line[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`api exited (${code}): ${output}`)));
  });
  return { child, listening };
}

describe('npm run api (production)', () => {
  it('has no demo page, and listens on every interface by default', async () => {
    const database = await createTestDatabase({ migrate: false });
    cleanup.add('database', () => database.drop());
    const port = await freePort();
    const { listening } = await startApiProcess(testEnv({ DATABASE_URL: database.url, API_PORT: String(port) }));
    expect(listening).toBe(`http://localhost:${port}`);
    expect(await statusAt('127.0.0.1', port, '/api/health')).toBe(200);
    expect(await statusAt('127.0.0.1', port, '/demo')).toBe(404);
    if (externalAddress) expect(await statusAt(externalAddress, port, '/api/health')).toBe(200);
  });

  it('listens only where API_HOST says', async () => {
    const database = await createTestDatabase({ migrate: false });
    cleanup.add('database', () => database.drop());
    const port = await freePort();
    const { listening } = await startApiProcess(testEnv({ DATABASE_URL: database.url, API_PORT: String(port), API_HOST: '127.0.0.1' }));
    expect(listening).toBe(`http://127.0.0.1:${port}`);
    expect(await statusAt('127.0.0.1', port, '/api/health')).toBe(200);
    if (externalAddress) expect(await statusAt(externalAddress, port, '/api/health')).toBe('ECONNREFUSED');
  });
});

describe('the local system', () => {
  it('with the emulator: serves the demo page on 127.0.0.1 only, whatever API_HOST says', async () => {
    const system = await startTestSystem({ API_HOST: '0.0.0.0' }, { demo: true, worker: false });
    cleanup.add('system', () => system.stop());
    const port = system.config.API_PORT;
    expect(system.api.hostname).toBe('127.0.0.1');
    expect(await statusAt('127.0.0.1', port, '/demo')).toBe(200);
    if (externalAddress) expect(await statusAt(externalAddress, port, '/demo')).toBe('ECONNREFUSED');
  });

  it('without the emulator (a real Connected App): never mounts the demo page, and binds as configured', async () => {
    const database = await createTestDatabase({ migrate: false });
    cleanup.add('database', () => database.drop());
    const env = testEnv({ DATABASE_URL: database.url, API_HOST: '127.0.0.1' });
    const system = await startLocalSystem({
      env,
      postgres: { url: database.url },
      temporal: { address: env.TEMPORAL_ADDRESS! },
      logger: createLogger({ level: 'silent' }),
      worker: false,
      demo: true,
    });
    cleanup.add('system', () => system.stop());
    expect(system.api.hostname).toBe('127.0.0.1');
    expect(await statusAt('127.0.0.1', system.config.API_PORT, '/api/health')).toBe(200);
    expect(await statusAt('127.0.0.1', system.config.API_PORT, '/demo')).toBe(404);
  });
});
