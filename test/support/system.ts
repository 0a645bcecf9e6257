import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { RunningApi } from '../../api/server.js';
import { createControlClient, type ControlClient, type RunningEmulator } from '../../emulator/index.js';
import type { UserPermissions } from '../../emulator/store.js';
import type { Config } from '../../platform/config.js';
import { connectedAppSeed, type EmulatorSeed } from '../../dev/emulator-seeds.js';
import { freePort } from '../../dev/free-port.js';
import { startLocalSystem } from '../../dev/local-system.js';
import { createLogger } from '../../platform/logger.js';
import type { RunningWorker } from '../../worker/run-worker.js';
import type { ConnectionStatus } from '../../domain/connection-status.js';
import { testEnv } from './config.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestOrg {
  orgId: string;
  userId: string;
  username: string;
  password: string;
  loginUrl: string;
}

export type OrgOptions = Parameters<ControlClient['createOrg']>[0] & { permissions?: UserPermissions };

export interface TestSystem {
  config: Config;
  /** The raw environment `config` was loaded from (for worker processes a test starts). */
  env: Record<string, string>;
  apiUrl: string;
  emulator: RunningEmulator;
  control: ControlClient;
  database: TestDatabase;
  temporal: Client;
  production: TestOrg;
  sandbox: TestOrg;
  /** Every log line the API and worker wrote (JSON), for leak checks. */
  logs: string[];
  api: RunningApi;
  worker: RunningWorker;
  /** Calls the API with the app's bearer token. */
  call(path: string, init?: RequestInit): Promise<Response>;
  /** The connection route's status body. */
  status(accountId: string, environment?: 'production' | 'sandbox'): Promise<ConnectionStatus>;
  /** A support command (pause, resume, resync) with the support token. */
  support(accountId: string, command: 'pause' | 'resume' | 'resync', environment?: 'production' | 'sandbox'): Promise<Response>;
  /** An org with one user (an admin unless `permissions` restrict it). */
  createOrg(environment: 'production' | 'sandbox', options?: OrgOptions): Promise<TestOrg>;
  stop(): Promise<void>;
}

/**
 * The whole system for an integration test, through the local-system composer: the Salesforce
 * emulator (a Connected App with PKCE and rotation, a production and a sandbox org), a fresh
 * database on the run's Postgres, and the real API (over HTTP) and worker wired by configuration
 * exactly as in production, on the run's Temporal server. `demo: true` serves the local demo page
 * (as `npm start` does) and points APP_URL at it.
 */
export async function startTestSystem(overrides: Record<string, string> = {}, options: { demo?: boolean; worker?: boolean } = {}): Promise<TestSystem> {
  const database = await createTestDatabase();
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const seeded = testOrgsSeed();
  const env = testEnv({
    API_PORT: String(port),
    SALESFORCE_CALLBACK_URL: `${apiUrl}/api/integrations/salesforce/callback`,
    APP_URL: options.demo ? `${apiUrl}/demo` : `${apiUrl}/app/settings`,
    SYNC_POLL_INTERVAL: '1s',
    SYNC_SAFETY_LAG: '500ms',
    SYNC_LOOKBACK: '2s',
    LOG_LEVEL: 'debug',
  });
  const logs: string[] = [];
  const logger = createLogger({ level: overrides.LOG_LEVEL ?? env.LOG_LEVEL, destination: { write: (line: string) => void logs.push(line) } });
  const system = await startLocalSystem({
    env,
    overrides,
    ports: { api: port },
    postgres: { url: database.url },
    temporal: { address: env.TEMPORAL_ADDRESS! },
    emulator: { seed: seeded.seed },
    logger,
    temporalLog: { to: logger }, // so the leak checks see the SDK's and activities' lines too
    // worker: false leaves the task queue to worker processes the test runs itself (crash tests).
    worker: options.worker !== false,
    demo: options.demo === true,
  }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  const { config } = system;
  const temporal = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }) });
  const { call, status, support } = apiCalls(apiUrl, config);
  const { production, sandbox, createOrg } = seeded.result();
  return {
    config,
    env: system.env,
    apiUrl,
    emulator: system.emulator!.running,
    control: createControlClient(system.emulator!.running.productionUrl),
    database,
    temporal,
    production,
    sandbox,
    logs,
    api: system.api,
    worker: system.worker ?? { done: Promise.resolve(), stop: async () => undefined },
    createOrg,
    call,
    status,
    support,
    async stop() {
      await system.stop();
      await temporal.connection.close();
      await database.drop();
    },
  };
}

/**
 * A Connected App and a production and a sandbox org, made while the composer seeds the emulator
 * (before the API starts, so the demo page can list their logins).
 */
function testOrgsSeed(): { seed: EmulatorSeed; result: () => Pick<TestSystem, 'production' | 'sandbox' | 'createOrg'> } {
  let result: Pick<TestSystem, 'production' | 'sandbox' | 'createOrg'> | undefined;
  const seed: EmulatorSeed = async (control, callbackUrl) => {
    const app = await connectedAppSeed('Test')(control, callbackUrl);
    const createOrg = orgFactory(control);
    const [production, sandbox] = [await createOrg('production'), await createOrg('sandbox')];
    result = { production, sandbox, createOrg };
    const login = (environment: 'production' | 'sandbox', org: TestOrg) => ({ environment, username: org.username, password: org.password });
    return { ...app, logins: [login('production', production), login('sandbox', sandbox)] };
  };
  return {
    seed,
    result: () => {
      if (!result) throw new Error('the emulator was not seeded');
      return result;
    },
  };
}

/** The API over HTTP with the app's bearer token (support commands with the support token). */
function apiCalls(apiUrl: string, config: Config): Pick<TestSystem, 'call' | 'status' | 'support'> {
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${apiUrl}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { authorization: `Bearer ${config.API_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  return {
    call,
    status: async (accountId, environment = 'production') =>
      (await (await call(`/api/integrations/salesforce/connections/${accountId}/${environment}`)).json()) as ConnectionStatus,
    support: (accountId, command, environment = 'production') =>
      call(`/api/support/connections/${accountId}/${environment}/${command}`, { method: 'POST', headers: { authorization: `Bearer ${config.SUPPORT_TOKEN}` } }),
  };
}

/** Orgs with one user each (an admin unless `permissions` restrict it). */
function orgFactory(control: ControlClient): TestSystem['createOrg'] {
  let count = 0;
  return async (environment, options = {}) => {
    const { permissions, ...settings } = options;
    const org = await control.createOrg({ edition: 'Enterprise', environment, ...settings });
    const username = `admin${++count}.${randomBytes(3).toString('hex')}@acme.example${environment === 'sandbox' ? '.uat' : ''}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const user = await control.createUser(org.orgId, { username, password, ...(permissions ? { permissions } : {}) });
    return { orgId: org.orgId, userId: user.userId, username, password, loginUrl: org.loginUrl };
  };
}
