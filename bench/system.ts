import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createControlClient, type ControlClient } from '../emulator/index.js';
import { loadConfig, type Config } from '../platform/config.js';
import { createDb, type Db } from '../db/connect.js';
import { prepareDatabase } from '../db/prepare.js';
import type { Cleanup } from '../dev/cleanup.js';
import { connectedAppSeed } from '../dev/emulator-seeds.js';
import { freePort } from '../dev/free-port.js';
import { startLocalInfrastructure } from '../dev/local-infrastructure.js';
import type { BenchOptions } from './args.js';
import { startNodeProcess, type LoggedProblem, type NodeProcess } from './child-process.js';

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
  /** The benchmark's own connection to the sync's database, for row counts, cursors and the write limit. */
  db: Db;
  /** The benchmark's own Temporal client (history lengths). */
  temporal: Client;
  connectedApp: { clientId: string; clientSecret: string; callbackUrl: string };
  /** The worker and the API, each a process of its own (`npm run worker`, `npm run api`). */
  processes: { worker: NodeProcess; api: NodeProcess };
  /** Warnings and errors the worker and the API logged (kept off the terminal). */
  runtimeLog: LoggedProblem[];
  /** Calls the API with a bearer token (the app's unless `token` is given). */
  call(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  createOrg(options?: { name?: string }): Promise<BenchOrg>;
}

/**
 * The system as production runs it, on free ports: embedded Postgres and the Temporal dev server (child
 * processes), the worker and the API each in a child process of its own (the production entry points,
 * so their RSS and CPU are their own), and the Salesforce emulator in this process with the driver.
 * Each started piece is registered in `cleanup`.
 */
export async function startBenchSystem(options: Pick<BenchOptions, 'pollInterval' | 'safetyLag' | 'lookback'>, cleanup: Cleanup): Promise<BenchSystem> {
  const runtimeLog: LoggedProblem[] = [];
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const callbackUrl = `${apiUrl}/api/integrations/salesforce/callback`;
  const infrastructure = await startLocalInfrastructure({
    postgres: 'embedded',
    database: 'fastfollow_bench',
    temporal: 'dev-server',
    // BENCH_LOG_EMULATOR=1 prints every emulator request (to see which calls a scenario makes).
    emulator: { seed: connectedAppSeed('Bench'), callbackUrl, logRequests: process.env.BENCH_LOG_EMULATOR === '1' },
    cleanup,
  });
  const env: Record<string, string> = {
    API_TOKEN: `bench-api-${randomBytes(16).toString('hex')}`,
    SUPPORT_TOKEN: `bench-support-${randomBytes(16).toString('hex')}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    API_PORT: String(apiPort),
    API_HOST: '127.0.0.1',
    // As behind one reverse proxy: the bench names each simulated browser's address in X-Forwarded-For.
    TRUST_PROXY: '1',
    APP_URL: `${apiUrl}/app/settings`,
    ...infrastructure.env,
    TEMPORAL_TASK_QUEUE: 'salesforce-sync-bench',
    SYNC_POLL_INTERVAL: options.pollInterval,
    SYNC_SAFETY_LAG: options.safetyLag,
    SYNC_LOOKBACK: options.lookback,
    // SYNC_INITIAL_RUN=0s in the bench's environment measures one page per activity (no fetch-ahead) for comparison.
    ...(process.env.SYNC_INITIAL_RUN ? { SYNC_INITIAL_RUN: process.env.SYNC_INITIAL_RUN } : {}),
    // Production's level: info lines are read (and dropped) by the bench, warnings and errors kept for the report.
    LOG_LEVEL: 'info',
  };
  const config = loadConfig(env);
  await prepareDatabase(config.DATABASE_URL);
  // BENCH_WORKER_NODE_OPTIONS: Node flags for the worker alone (e.g. heap limits, docs/performance.md, "Worker memory").
  const workerEnv = process.env.BENCH_WORKER_NODE_OPTIONS ? { ...env, NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : env;
  // Started side by side: each spends most of its start loading modules and waiting on its connections.
  const [worker, api] = await Promise.all([
    startNodeProcess('worker', 'worker/main.ts', workerEnv, /worker polling/, cleanup, runtimeLog),
    startNodeProcess('api', 'api/main.ts', env, /API listening/, cleanup, runtimeLog),
  ]);
  const control = createControlClient(infrastructure.emulator!.running.productionUrl);
  const connectedApp = { clientId: config.SALESFORCE_CLIENT_ID, clientSecret: config.SALESFORCE_CLIENT_SECRET, callbackUrl };
  const db = createDb(config.DATABASE_URL, { max: 4 });
  cleanup.add('benchmark database pool', () => db.destroy());
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  cleanup.add('benchmark Temporal client', () => connection.close());

  let orgs = 0;
  return {
    config,
    apiUrl,
    control,
    db,
    temporal: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
    connectedApp,
    processes: { worker, api },
    runtimeLog,
    call: (route, { token, ...init } = {}) =>
      fetch(`${apiUrl}${route}`, {
        redirect: 'manual',
        ...init,
        headers: { authorization: `Bearer ${token ?? config.API_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      }),
    async createOrg({ name } = {}) {
      const org = await control.createOrg({ name: name ?? `Bench Org ${++orgs}`, edition: 'Enterprise', environment: 'production', dailyApiLimit: 5_000_000 });
      const username = `bench${++orgs}.${randomBytes(3).toString('hex')}@acme.example`;
      const password = `pw-${randomBytes(6).toString('hex')}`;
      await control.createUser(org.orgId, { username, password });
      return { orgId: org.orgId, loginUrl: org.loginUrl, username, password };
    },
  };
}
