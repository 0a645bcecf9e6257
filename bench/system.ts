import { randomBytes } from 'node:crypto';
import type { LogEntry } from '@temporalio/worker';
import { createControlClient, type ControlClient } from '../emulator/index.js';
import type { Config } from '../platform/config.js';
import { createDb, type Db } from '../db/connect.js';
import type { Cleanup } from '../dev/cleanup.js';
import { connectedAppSeed } from '../dev/emulator-seeds.js';
import { startLocalSystem } from '../dev/local-system.js';
import { createLogger } from '../platform/logger.js';
import type { BenchOptions } from './args.js';

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
 * Everything in this process, as `npm start` wires it but silent, ephemeral and on free ports:
 * embedded Postgres, the Temporal dev server, the Salesforce emulator (a Connected App with PKCE
 * and refresh token rotation), migrations, the worker and the API. Each started piece is
 * registered in `cleanup`.
 */
export async function startBenchSystem(options: Pick<BenchOptions, 'pollInterval' | 'safetyLag' | 'lookback'>, cleanup: Cleanup): Promise<BenchSystem> {
  const runtimeLog: LogEntry[] = [];
  const system = await startLocalSystem({
    postgres: 'embedded',
    database: 'fastfollow_bench',
    temporal: 'dev-server',
    // BENCH_LOG_EMULATOR=1 prints every emulator request (to see which calls a scenario makes).
    emulator: { seed: connectedAppSeed('Bench'), logRequests: process.env.BENCH_LOG_EMULATOR === '1' },
    env: {
      TEMPORAL_TASK_QUEUE: 'salesforce-sync-bench',
      SYNC_POLL_INTERVAL: options.pollInterval,
      SYNC_SAFETY_LAG: options.safetyLag,
      SYNC_LOOKBACK: options.lookback,
      LOG_LEVEL: 'silent',
    },
    logger: createLogger({ level: 'silent' }),
    // Warnings and errors only, kept for the report instead of the terminal.
    temporalLog: { to: (entry) => void runtimeLog.push(entry), level: 'WARN' },
    cleanup,
  });
  const { config, apiUrl } = system;
  const control = createControlClient(system.emulator!.running.productionUrl);
  const connectedApp = { clientId: config.SALESFORCE_CLIENT_ID, clientSecret: config.SALESFORCE_CLIENT_SECRET, callbackUrl: config.SALESFORCE_CALLBACK_URL };
  const db = createDb(config.DATABASE_URL, { max: 2 });
  cleanup.add('benchmark database pool', () => db.destroy());

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
