import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startApiServer, type RunningApi } from '../../api/server.js';
import { createControlClient, startEmulator, type ControlClient, type RunningEmulator } from '../../emulator/index.js';
import type { UserPermissions } from '../../emulator/store.js';
import type { Config } from '../../platform/config.js';
import { freePort } from '../../dev/free-port.js';
import { createLogger } from '../../platform/logger.js';
import { startWorker, type RunningWorker } from '../../worker/run-worker.js';
import { installTemporalRuntimeLogging } from '../../worker/runtime-logging.js';
import { loadConfig } from '../../platform/config.js';
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
 * The whole system for an integration test: the Salesforce emulator (a Connected App with PKCE
 * and rotation, a production and a sandbox org), a fresh database, and the real API (over HTTP)
 * and worker wired by configuration exactly as in production, on the run's Temporal server.
 * `demo: true` serves the local demo page (as `npm start` does) and points APP_URL at it.
 */
export async function startTestSystem(overrides: Record<string, string> = {}, options: { demo?: boolean; worker?: boolean } = {}): Promise<TestSystem> {
  const emulator = await startEmulator({ port: 0, sandboxPort: 0 });
  const control = createControlClient(emulator.productionUrl);
  const database = await createTestDatabase();
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const clientId = `3MVG9FastFollowTest.${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('hex');
  const callbackUrl = `${apiUrl}/api/integrations/salesforce/callback`;
  await control.createConnectedApp({ clientId, clientSecret, callbackUrl, requirePkce: true, rotateRefreshTokens: true });

  let orgCount = 0;
  const createOrg = async (environment: 'production' | 'sandbox', options: OrgOptions = {}): Promise<TestOrg> => {
    const { permissions, ...settings } = options;
    const org = await control.createOrg({ edition: 'Enterprise', environment, ...settings });
    const username = `admin${++orgCount}.${randomBytes(3).toString('hex')}@acme.example${environment === 'sandbox' ? '.uat' : ''}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const user = await control.createUser(org.orgId, { username, password, ...(permissions ? { permissions } : {}) });
    return { orgId: org.orgId, userId: user.userId, username, password, loginUrl: org.loginUrl };
  };
  const [production, sandbox] = [await createOrg('production'), await createOrg('sandbox')];

  const env = testEnv({
    DATABASE_URL: database.url,
    API_PORT: String(port),
    SALESFORCE_CLIENT_ID: clientId,
    SALESFORCE_CLIENT_SECRET: clientSecret,
    SALESFORCE_CALLBACK_URL: callbackUrl,
    SALESFORCE_LOGIN_URL_PRODUCTION: emulator.productionUrl,
    SALESFORCE_LOGIN_URL_SANDBOX: emulator.sandboxUrl,
    APP_URL: options.demo ? `${apiUrl}/demo` : `${apiUrl}/app/settings`,
    SYNC_POLL_INTERVAL: '1s',
    SYNC_SAFETY_LAG: '500ms',
    SYNC_LOOKBACK: '2s',
    LOG_LEVEL: 'debug',
    ...overrides,
  });
  const config = loadConfig(env);
  const logs: string[] = [];
  const logger = createLogger({ level: config.LOG_LEVEL, destination: { write: (line: string) => void logs.push(line) } });
  // worker: false leaves the task queue to worker processes the test runs itself (crash tests).
  installTemporalRuntimeLogging(logger); // so the leak checks see the SDK's and activities' lines too
  const worker = options.worker === false ? { done: Promise.resolve(), stop: async () => undefined } : await startWorker(config, logger);
  const login = (environment: 'production' | 'sandbox', org: TestOrg) => ({ environment, username: org.username, password: org.password });
  const demo = options.demo ? { logins: [login('production', production), login('sandbox', sandbox)] } : undefined;
  const api = await startApiServer(config, logger, { demo });
  const temporal = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }) });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${apiUrl}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { authorization: `Bearer ${config.API_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  return {
    config,
    env,
    apiUrl,
    emulator,
    control,
    database,
    temporal,
    production,
    sandbox,
    logs,
    api,
    worker,
    createOrg,
    call,
    status: async (accountId, environment = 'production') =>
      (await (await call(`/api/integrations/salesforce/connections/${accountId}/${environment}`)).json()) as ConnectionStatus,
    support: (accountId, command, environment = 'production') =>
      call(`/api/support/connections/${accountId}/${environment}/${command}`, { method: 'POST', headers: { authorization: `Bearer ${config.SUPPORT_TOKEN}` } }),
    async stop() {
      await api.stop();
      await worker.stop();
      await temporal.connection.close();
      await emulator.close();
      await database.drop();
    },
  };
}
