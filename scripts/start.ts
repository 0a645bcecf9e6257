import path from 'node:path';
import pinoPretty from 'pino-pretty';
import { Cleanup } from '../dev/cleanup.js';
import { demoOrgsSeed } from '../dev/emulator-seeds.js';
import { startLocalSystem, type LocalSystem } from '../dev/local-system.js';
import { createLogger } from '../platform/logger.js';
import { onShutdownSignal, runMain } from '../platform/run-main.js';

/**
 * `npm start`: the whole system on one machine. Each embedded piece (Postgres, the Temporal dev
 * server with its Web UI, the Salesforce emulator) starts only when its setting is absent.
 */
const EMBEDDED_PORTS = { postgres: 54329, temporal: 7233, temporalUi: 8233, emulator: 4010, emulatorSandbox: 4011 };

const say = (line: string) => process.stdout.write(`${line}\n`);

runMain(async () => {
  const dataDir = path.resolve(process.env.FASTFOLLOW_DATA_DIR ?? '.data');
  const env = process.env;
  const cleanup = new Cleanup();
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await cleanup.run();
    for (const failure of cleanup.failures) say(`  (${failure})`);
  };
  onShutdownSignal(async () => {
    say('\nStopping…');
    await stopAll();
    say('Stopped.');
  });

  // People read these lines: pretty-printed here only (the worker and API processes log JSON).
  const pretty = pinoPretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true });
  const level = env.LOG_LEVEL || 'info';
  const apiPort = Number(env.API_PORT || 3000);
  const system = await startLocalSystem({
    env,
    dataDir,
    database: 'fastfollow',
    ports: { ...EMBEDDED_PORTS, api: Number.isInteger(apiPort) ? apiPort : 3000 },
    host: 'localhost',
    postgres: env.DATABASE_URL ? { url: env.DATABASE_URL } : 'embedded',
    temporal: env.TEMPORAL_ADDRESS ? { address: env.TEMPORAL_ADDRESS } : 'dev-server',
    ...(env.SALESFORCE_CLIENT_ID ? {} : { emulator: { seed: demoOrgsSeed, persist: true } }),
    // The demo page (no bearer token) is APP_URL's default, only with the emulator; the API then
    // listens on 127.0.0.1 only (dev/local-system.ts).
    demo: !env.APP_URL && !env.SALESFORCE_CLIENT_ID,
    logger: createLogger({ level, destination: pretty }),
    // The SDK's own lines (bundling, worker states) only when something is wrong: keeps the banner readable.
    temporalLog: { to: createLogger({ level, name: 'temporal', destination: pretty }), level: 'WARN' },
    cleanup,
    log: say,
  }).catch(async (error: unknown) => {
    for (const failure of cleanup.failures) say(`  (${failure})`);
    throw error;
  });

  say(['', 'FastFollow Salesforce sync is running:', ...banner(system, dataDir), '', 'Press Ctrl-C to stop everything.'].join('\n'));
  await system.worker?.done;
  if (!stopping) {
    say('The worker stopped unexpectedly; shutting down.');
    await stopAll();
    process.exit(1);
  }
});

/** What runs where; passwords of the embedded Postgres masked, API tokens never printed. */
function banner(system: LocalSystem, dataDir: string): string[] {
  const lines: string[] = [];
  if (system.postgres) {
    lines.push(`  Postgres (embedded)      ${system.config.DATABASE_URL.replace(/:[^:@/]+@/, ':***@')}  data: ${dataDir}`);
  }
  if (system.temporal) {
    lines.push(`  Temporal dev server      ${system.temporal.address} (gRPC)`);
    lines.push(`  Temporal Web UI          ${system.temporal.uiUrl}`);
  }
  if (system.emulator) {
    const { running, seeded } = system.emulator;
    lines.push(`  Salesforce emulator      ${running.productionUrl} (production login + instances), ${running.sandboxUrl} (sandbox login)`);
    for (const login of seeded.logins) {
      lines.push(`    demo ${login.environment.padEnd(10)} username ${login.username}  password ${login.password}`);
    }
  }
  lines.push(`  Worker                   task queue ${system.config.TEMPORAL_TASK_QUEUE} on ${system.config.TEMPORAL_ADDRESS}`);
  lines.push(`  API                      ${system.api.url}  (docs: ${system.api.url}/api/docs, health: ${system.api.url}/api/health)`);
  lines.push(`  Demo app page            ${system.config.APP_URL}`);
  lines.push(`  Support console          ${system.api.url}/support  (sign in with the support token)`);
  if (!process.env.API_TOKEN || !process.env.SUPPORT_TOKEN) {
    // Not printed: tokens stay out of terminals and logs; they live in a 0600 file.
    lines.push(`  Local API/support tokens ${path.join(dataDir, 'dev-secrets.json')}`);
  }
  return lines;
}
