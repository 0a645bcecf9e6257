import { randomBytes } from 'node:crypto';
import { startApiServer, type RunningApi } from '../api/server.js';
import { prepareDatabase } from '../db/prepare.js';
import { loadConfig, type Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import { startWorker, type RunningWorker } from '../worker/run-worker.js';
import { Cleanup } from './cleanup.js';
import { registerDemoRoutes } from './demo-routes.js';
import { loadOrCreateDevSecrets, type DevSecrets } from './dev-secrets.js';
import { freePort } from './free-port.js';
import { startLocalInfrastructure, type EmulatorChoice, type InfrastructureOptions, type LocalInfrastructure } from './local-infrastructure.js';

export interface LocalSystemOptions extends Omit<InfrastructureOptions, 'emulator'> {
  /** Settings the system is configured from (process.env for `npm start`); gaps are filled in. */
  env?: Record<string, string | undefined>;
  /** Applied over everything else (a test's overrides). */
  overrides?: Record<string, string>;
  /** Start and seed the Salesforce emulator; its URLs and Connected App become the SALESFORCE_* settings. */
  emulator?: EmulatorChoice;
  /** The worker's and the API's logger. */
  logger: Logger;
  /** Run a worker in this process (default); false leaves the task queue to others (crash tests). */
  worker?: boolean;
  /**
   * Serve the local demo page (listing the seeded logins) and make it APP_URL's default. Only with the
   * emulator: the page has no bearer token, so it never runs beside a real Connected App.
   */
  demo?: boolean;
  /** Host name in the API's URL and its OAuth callback URL (default 127.0.0.1). */
  host?: string;
}

export interface LocalSystem extends LocalInfrastructure {
  /** The complete environment `config` was loaded from (for processes a caller starts itself). */
  env: Record<string, string>;
  config: Config;
  apiUrl: string;
  api: RunningApi;
  worker?: RunningWorker;
  /** Stops everything this call started, last started first. */
  stop(): Promise<void>;
}

/**
 * The whole system on one machine, as `npm start`, the benchmark and the integration tests run
 * it: Postgres, Temporal and the Salesforce emulator (each started, or given), migrations, the
 * worker and the API, configured by environment exactly as in production.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const cleanup = options.cleanup ?? new Cleanup();
  const apiPort = options.ports?.api ?? (await freePort());
  const apiUrl = `http://${options.host ?? '127.0.0.1'}:${apiPort}`;
  const base = baseEnv(options, apiPort, apiUrl);
  const emulator = options.emulator && { ...options.emulator, callbackUrl: base.SALESFORCE_CALLBACK_URL! };
  const infrastructure = await startLocalInfrastructure({ ...options, emulator, cleanup });
  try {
    const ui = infrastructure.temporal?.uiUrl;
    const env = { ...base, ...(ui && !base.TEMPORAL_UI_URL ? { TEMPORAL_UI_URL: ui } : {}), ...infrastructure.env, ...options.overrides };
    const config = loadConfig(env);
    await prepareDatabase(config.DATABASE_URL);
    const worker = options.worker === false ? undefined : await startWorker(config, options.logger);
    if (worker) cleanup.add('worker', () => worker.stop());
    const logins = infrastructure.emulator?.seeded.logins ?? [];
    const api = await startApiServer(config, options.logger, {
      // With the emulator (demo logins, a tokenless demo page) the API is reachable from this machine only.
      ...(options.emulator ? { hostname: '127.0.0.1' } : {}),
      ...(demoEnabled(options) ? { extraRoutes: (app, deps) => registerDemoRoutes(app, deps, { logins }) } : {}),
    });
    cleanup.add('API', () => api.stop());
    return { ...infrastructure, env, config, apiUrl, api, ...(worker ? { worker } : {}), stop: () => cleanup.run() };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/**
 * The given settings with the gaps filled: the API's port and URLs, and secrets (kept in a 0600
 * file in the data folder so stored tokens stay decryptable across restarts, else random).
 */
function baseEnv(options: LocalSystemOptions, apiPort: number, apiUrl: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  const secrets = options.dataDir ? loadOrCreateDevSecrets(options.dataDir) : randomSecrets();
  env.API_TOKEN ||= secrets.apiToken;
  env.SUPPORT_TOKEN ||= secrets.supportToken;
  env.TOKEN_ENCRYPTION_KEY ||= secrets.tokenEncryptionKey;
  env.API_PORT ||= String(apiPort);
  env.SALESFORCE_CALLBACK_URL ||= `${apiUrl}/api/integrations/salesforce/callback`;
  env.APP_URL ||= demoEnabled(options) ? `${apiUrl}/demo` : `${apiUrl}/app/settings`;
  return env;
}

function demoEnabled(options: LocalSystemOptions): boolean {
  return options.demo === true && options.emulator !== undefined;
}

function randomSecrets(): DevSecrets {
  return {
    apiToken: `local-api-${randomBytes(16).toString('hex')}`,
    supportToken: `local-support-${randomBytes(16).toString('hex')}`,
    tokenEncryptionKey: randomBytes(32).toString('base64'),
  };
}
