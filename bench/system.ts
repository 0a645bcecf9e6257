import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { startApiServer } from '../api/server.js';
import { createControlClient, startEmulator, type ControlClient } from '../emulator/index.js';
import { loadConfig, type Config } from '../platform/config.js';
import { createDb, type Db } from '../db/connect.js';
import { prepareDatabase } from '../db/prepare.js';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.js';
import { freePort } from '../dev/free-port.js';
import { startTemporalDevServer } from '../dev/temporal-server.js';
import { createLogger } from '../platform/logger.js';
import { startWorker } from '../worker/run-worker.js';
import type { BenchOptions } from './args.js';
import type { Cleanup } from './cleanup.js';

export interface BenchOrg {
  orgId: string;
  loginUrl: string;
  username: string;
  password: string;
}

export interface BenchSystem {
  config: Config;
  apiUrl: string;
  control: ControlClient;
  /** The benchmark's own connection to the sync's database, for row counts and cursors. */
  db: Db;
  connectedApp: { clientId: string; clientSecret: string; callbackUrl: string };
  /** Warnings and errors the Temporal runtime and worker logged (kept off the terminal). */
  runtimeLog: LogEntry[];
  /** Calls the API with a bearer token (the app's unless `token` is given). */
  call(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  createOrg(): Promise<BenchOrg>;
}

/**
 * Everything in this process, as `npm start` wires it but silent and on free ports: embedded
 * Postgres, the Temporal dev server, the Salesforce emulator (a Connected App with PKCE and refresh
 * token rotation), migrations, the worker and the API. Each started piece is registered in `cleanup`.
 */
export async function startBenchSystem(options: Pick<BenchOptions, 'pollInterval' | 'safetyLag' | 'lookback'>, cleanup: Cleanup): Promise<BenchSystem> {
  // Before anything creates the Temporal runtime (the dev server starts through it too).
  const runtimeLog: LogEntry[] = [];
  Runtime.install({ logger: new DefaultLogger('WARN', (entry) => void runtimeLog.push(entry)) });

  const benchDir = path.join(os.tmpdir(), `fastfollow-bench-${process.pid}`);
  cleanup.add('temporary folder', async () => rmSync(benchDir, { recursive: true, force: true }));
  const dataDir = path.join(benchDir, 'postgres');
  const [databaseUrl, temporal, emulator] = await Promise.all([
    startEmbeddedPostgres({ dataDir, ephemeral: true }).then((postgres) => {
      cleanup.add('Postgres', () => postgres.stop());
      return postgres.createDatabase('fastfollow_bench');
    }),
    startTemporalDevServer().then((server) => {
      cleanup.add('Temporal dev server', () => server.stop());
      return server;
    }),
    // BENCH_LOG_EMULATOR=1 prints every emulator request (to see which calls a scenario makes).
    startEmulator({ port: 0, sandboxPort: 0, logRequests: process.env.BENCH_LOG_EMULATOR === '1' }).then((running) => {
      cleanup.add('Salesforce emulator', () => running.close());
      return running;
    }),
  ]);
  await prepareDatabase(databaseUrl);

  const control = createControlClient(emulator.productionUrl);
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const connectedApp = {
    clientId: `3MVG9FastFollowBench.${randomBytes(6).toString('hex')}`,
    clientSecret: randomBytes(24).toString('hex'),
    callbackUrl: `${apiUrl}/api/integrations/salesforce/callback`,
  };
  await control.createConnectedApp({ ...connectedApp, requirePkce: true, rotateRefreshTokens: true });

  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'salesforce-sync-bench',
    API_PORT: String(apiPort),
    API_TOKEN: `api-${randomBytes(16).toString('hex')}`,
    SUPPORT_TOKEN: `support-${randomBytes(16).toString('hex')}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SALESFORCE_CLIENT_ID: connectedApp.clientId,
    SALESFORCE_CLIENT_SECRET: connectedApp.clientSecret,
    SALESFORCE_CALLBACK_URL: connectedApp.callbackUrl,
    SALESFORCE_LOGIN_URL_PRODUCTION: emulator.productionUrl,
    SALESFORCE_LOGIN_URL_SANDBOX: emulator.sandboxUrl,
    APP_URL: `${apiUrl}/app`,
    SYNC_POLL_INTERVAL: options.pollInterval,
    SYNC_SAFETY_LAG: options.safetyLag,
    SYNC_LOOKBACK: options.lookback,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger({ level: config.LOG_LEVEL });
  const db = createDb(config.DATABASE_URL, { max: 2 });
  cleanup.add('benchmark database pool', () => db.destroy());
  const worker = await startWorker(config, logger);
  cleanup.add('worker', () => worker.stop());
  const api = await startApiServer(config, logger);
  cleanup.add('API', () => api.stop());

  let orgs = 0;
  return {
    config,
    apiUrl,
    control,
    db,
    connectedApp,
    runtimeLog,
    call: (route, { token, ...init } = {}) =>
      fetch(`${apiUrl}${route}`, {
        redirect: 'manual',
        ...init,
        headers: { authorization: `Bearer ${token ?? config.API_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      }),
    async createOrg() {
      const org = await control.createOrg({ name: `Bench Org ${++orgs}`, edition: 'Enterprise', environment: 'production', dailyApiLimit: 5_000_000 });
      const username = `bench${orgs}.${randomBytes(3).toString('hex')}@acme.example`;
      const password = `pw-${randomBytes(6).toString('hex')}`;
      await control.createUser(org.orgId, { username, password });
      return { orgId: org.orgId, loginUrl: org.loginUrl, username, password };
    },
  };
}
