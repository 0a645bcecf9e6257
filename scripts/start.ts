import path from 'node:path';
import { startApiServer } from '../api/server.js';
import { createControlClient, startEmulator } from '../emulator/index.js';
import { seedDemoOrgs } from '../emulator/demo.js';
import { loadConfig } from '../platform/config.js';
import { prepareDatabase } from '../db/prepare.js';
import { loadOrCreateDevSecrets } from '../dev/dev-secrets.js';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.js';
import { postgresDataDir } from '../dev/postgres-data-dir.js';
import { startTemporalDevServer } from '../dev/temporal-server.js';
import { createLogger } from '../platform/logger.js';
import { onShutdownSignal, runMain } from '../platform/run-main.js';
import { startWorker } from '../worker/run-worker.js';
import { installTemporalRuntimeLogging } from '../worker/runtime-logging.js';

/**
 * `npm start`: the whole system on one machine. Each embedded piece (Postgres, the Temporal dev
 * server with its Web UI, the Salesforce emulator) starts only when its setting is absent.
 */
const EMBEDDED_PORTS = { postgres: 54329, temporal: 7233, temporalUi: 8233, emulator: 4010, emulatorSandbox: 4011 };

runMain(async () => {
  const dataDir = path.resolve(process.env.FASTFOLLOW_DATA_DIR ?? '.data');
  const env: NodeJS.ProcessEnv = { ...process.env };
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const lines: string[] = [];
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let stopping = false;

  const stopAll = async () => {
    stopping = true;
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((error: unknown) => say(`  (stopping ${name}: ${error instanceof Error ? error.message : String(error)})`));
    }
  };
  onShutdownSignal(async () => {
    say('\nStopping…');
    await stopAll();
    say('Stopped.');
  });

  // The SDK's own lines (bundling, worker states) only when something is wrong: keeps the banner readable.
  installTemporalRuntimeLogging(createLogger({ level: process.env.LOG_LEVEL || 'info', name: 'temporal' }), 'WARN');
  try {
    const secrets = loadOrCreateDevSecrets(dataDir);
    env.API_TOKEN ||= secrets.apiToken;
    env.SUPPORT_TOKEN ||= secrets.supportToken;
    env.TOKEN_ENCRYPTION_KEY ||= secrets.tokenEncryptionKey;
    const apiPort = Number(env.API_PORT || 3000);
    const apiBase = `http://localhost:${Number.isInteger(apiPort) ? apiPort : 3000}`;
    env.APP_URL ||= `${apiBase}/demo`;
    env.SALESFORCE_CALLBACK_URL ||= `${apiBase}/api/integrations/salesforce/callback`;

    const [postgresUrl, temporal, emulator] = await Promise.all([
      env.DATABASE_URL
        ? undefined
        : startEmbeddedPostgres({ dataDir: postgresDataDir(path.join(dataDir, 'postgres')), port: EMBEDDED_PORTS.postgres }).then(async (postgres) => {
            stops.push({ name: 'Postgres', stop: () => postgres.stop() });
            return postgres.createDatabase('fastfollow');
          }),
      env.TEMPORAL_ADDRESS
        ? undefined
        : startTemporalDevServer({
            port: EMBEDDED_PORTS.temporal,
            uiPort: EMBEDDED_PORTS.temporalUi,
            dbFilename: path.join(dataDir, 'temporal.sqlite'),
            log: say,
          }).then((server) => {
            stops.push({ name: 'Temporal dev server', stop: () => server.stop() });
            return server;
          }),
      env.SALESFORCE_CLIENT_ID
        ? undefined
        : startEmulator({ port: EMBEDDED_PORTS.emulator, sandboxPort: EMBEDDED_PORTS.emulatorSandbox }).then(async (running) => {
            stops.push({ name: 'Salesforce emulator', stop: () => running.close() });
            const demo = await seedDemoOrgs(createControlClient(running.productionUrl), { callbackUrl: env.SALESFORCE_CALLBACK_URL! });
            return { running, demo };
          }),
    ]);

    if (postgresUrl) {
      env.DATABASE_URL = postgresUrl;
      lines.push(`  Postgres (embedded)      ${postgresUrl.replace(/:[^:@/]+@/, ':***@')}  data: ${dataDir}`);
    }
    if (temporal) {
      env.TEMPORAL_ADDRESS = temporal.address;
      lines.push(`  Temporal dev server      ${temporal.address} (gRPC)`);
      lines.push(`  Temporal Web UI          ${temporal.uiUrl}`);
    }
    if (emulator) {
      env.SALESFORCE_CLIENT_ID = emulator.demo.clientId;
      env.SALESFORCE_CLIENT_SECRET = emulator.demo.clientSecret;
      env.SALESFORCE_LOGIN_URL_PRODUCTION = emulator.running.productionUrl;
      env.SALESFORCE_LOGIN_URL_SANDBOX = emulator.running.sandboxUrl;
      lines.push(`  Salesforce emulator      ${emulator.running.productionUrl} (production login + instances), ${emulator.running.sandboxUrl} (sandbox login)`);
      for (const login of emulator.demo.logins) {
        lines.push(`    demo ${login.environment.padEnd(10)} username ${login.username}  password ${login.password}`);
      }
    }

    const config = loadConfig(env);
    const logger = createLogger({ level: config.LOG_LEVEL });
    await prepareDatabase(config.DATABASE_URL);
    const worker = await startWorker(config, logger);
    stops.push({ name: 'worker', stop: () => worker.stop() });
    // The demo page is APP_URL's default (with the emulator's logins when the emulator is ours).
    const api = await startApiServer(config, logger, process.env.APP_URL ? {} : { demo: { logins: emulator?.demo.logins ?? [] } });
    stops.push({ name: 'API', stop: () => api.stop() });
    lines.push(`  Worker                   task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
    lines.push(`  API                      ${api.url}  (docs: ${api.url}/api/docs, health: ${api.url}/api/health)`);
    lines.push(`  Demo app page            ${config.APP_URL}`);
    if (!process.env.API_TOKEN || !process.env.SUPPORT_TOKEN) {
      // Not printed: tokens stay out of terminals and logs; they live in a 0600 file.
      lines.push(`  Local API/support tokens ${path.join(dataDir, 'dev-secrets.json')}`);
    }

    say(['', 'FastFollow Salesforce sync is running:', ...lines, '', 'Press Ctrl-C to stop everything.'].join('\n'));
    await worker.done;
    if (!stopping) {
      say('The worker stopped unexpectedly; shutting down.');
      await stopAll();
      process.exit(1);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
});
