import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import { installTemporalRuntimeLogging, type TemporalLevel, type TemporalLogTarget } from '../worker/runtime-logging.js';
import { Cleanup } from './cleanup.js';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.js';
import type { EmulatorSeed, SeededEmulator } from './emulator-seeds.js';
import { postgresDataDir } from './postgres-data-dir.js';
import { savedEmulatorFiles, seedOrReuse } from './saved-emulator.js';
import { startTemporalDevServer, type DevServer } from './temporal-server.js';

/** The Salesforce emulator to start and how to fill it. */
export interface EmulatorChoice {
  seed: EmulatorSeed;
  logRequests?: boolean;
  /**
   * Keep the emulator's orgs, tokens and records in `dataDir` across restarts (`npm start`);
   * tests and the benchmark leave it off and get a fresh in-memory emulator.
   */
  persist?: boolean;
}

/** Fixed ports (`npm start`); a free port for each one left out. */
export interface LocalPorts {
  postgres?: number;
  temporal?: number;
  /** Serve the Temporal Web UI on this port; no UI when left out. */
  temporalUi?: number;
  emulator?: number;
  emulatorSandbox?: number;
  api?: number;
}

export interface InfrastructureOptions {
  /** 'embedded' starts a Postgres server; a URL is used as it is; nothing when left out. */
  postgres?: 'embedded' | { url: string };
  /** Database to create on the embedded server; DATABASE_URL is the server's admin URL without one. */
  database?: string;
  /** 'dev-server' starts the Temporal CLI dev server; an address is used as it is. */
  temporal?: 'dev-server' | { address: string };
  /** Start the Salesforce emulator and seed it; the Salesforce settings come from elsewhere when left out. */
  emulator?: EmulatorChoice & { callbackUrl: string };
  /** Keep Postgres's cluster and Temporal's history here; temporary folders and memory when left out. */
  dataDir?: string;
  ports?: LocalPorts;
  /** Where the Temporal SDK's own lines go; installed before anything creates its Runtime. */
  temporalLog?: { to: TemporalLogTarget; level?: TemporalLevel };
  /** Registry of what was started (last stopped first); a new one when left out. */
  cleanup?: Cleanup;
  /** Progress lines (e.g. a one-time build of the Temporal CLI). */
  log?: (line: string) => void;
}

export interface LocalInfrastructure {
  /** DATABASE_URL, TEMPORAL_ADDRESS and SALESFORCE_* for what was started or given. */
  env: Record<string, string>;
  postgres?: RunningPostgres;
  temporal?: DevServer;
  emulator?: { running: RunningEmulator; seeded: SeededEmulator };
  cleanup: Cleanup;
}

/**
 * Starts, side by side, the servers the system runs on: Postgres, the Temporal dev server and the
 * Salesforce emulator. Whatever started is registered in `cleanup`; if one piece fails, the others
 * are stopped before the error is thrown.
 */
export async function startLocalInfrastructure(options: InfrastructureOptions): Promise<LocalInfrastructure> {
  const cleanup = options.cleanup ?? new Cleanup();
  if (options.temporalLog) installTemporalRuntimeLogging(options.temporalLog.to, options.temporalLog.level);
  const [postgres, temporal, emulator] = await Promise.allSettled([
    startPostgres(options, cleanup),
    startTemporal(options, cleanup),
    startSalesforce(options, cleanup),
  ]);
  const failure = [postgres, temporal, emulator].find((result) => result.status === 'rejected');
  if (failure) {
    await cleanup.run();
    throw failure.reason;
  }
  const pieces = { postgres: valueOf(postgres), temporal: valueOf(temporal), emulator: valueOf(emulator) };
  return {
    ...pieces.postgres,
    ...pieces.temporal,
    ...pieces.emulator,
    env: { ...pieces.postgres.env, ...pieces.temporal.env, ...pieces.emulator.env },
    cleanup,
  };
}

function valueOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/** One piece: what it started (if anything) and the settings it contributes. */
type Piece<T> = Partial<T> & { env: Record<string, string> };

async function startPostgres(options: InfrastructureOptions, cleanup: Cleanup): Promise<Piece<{ postgres: RunningPostgres }>> {
  if (!options.postgres) return { env: {} };
  if (options.postgres !== 'embedded') return { env: { DATABASE_URL: options.postgres.url } };
  const folder = postgresFolder(options.dataDir, cleanup);
  const postgres = await startEmbeddedPostgres({ dataDir: folder.dataDir, ephemeral: folder.ephemeral, port: options.ports?.postgres });
  cleanup.add('Postgres', () => postgres.stop());
  const url = options.database ? await postgres.createDatabase(options.database) : postgres.adminUrl;
  return { postgres, env: { DATABASE_URL: url } };
}

/** The persistent cluster folder, or a temporary one removed after Postgres stops. */
function postgresFolder(dataDir: string | undefined, cleanup: Cleanup): { dataDir: string; ephemeral: boolean } {
  if (dataDir) return { dataDir: postgresDataDir(path.join(dataDir, 'postgres')), ephemeral: false };
  // Under the system temp folder, so the `postgres` user (when we run as root) can reach it.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'fastfollow-pg-'));
  cleanup.add('Postgres temporary folder', async () => rmSync(scratch, { recursive: true, force: true }));
  return { dataDir: path.join(scratch, 'data'), ephemeral: true };
}

async function startTemporal(options: InfrastructureOptions, cleanup: Cleanup): Promise<Piece<{ temporal: DevServer }>> {
  if (!options.temporal) return { env: {} };
  if (options.temporal !== 'dev-server') return { env: { TEMPORAL_ADDRESS: options.temporal.address } };
  const temporal = await startTemporalDevServer({
    ...(options.ports?.temporal !== undefined ? { port: options.ports.temporal } : {}),
    ...(options.ports?.temporalUi !== undefined ? { uiPort: options.ports.temporalUi } : {}),
    ...(options.dataDir ? { dbFilename: path.join(options.dataDir, 'temporal.sqlite') } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  cleanup.add('Temporal dev server', () => temporal.stop());
  return { temporal, env: { TEMPORAL_ADDRESS: temporal.address } };
}

async function startSalesforce(options: InfrastructureOptions, cleanup: Cleanup): Promise<Piece<Pick<LocalInfrastructure, 'emulator'>>> {
  if (!options.emulator) return { env: {} };
  const saveIn = options.emulator.persist ? options.dataDir : undefined;
  const running = await startEmulator({
    port: options.ports?.emulator ?? 0,
    sandboxPort: options.ports?.emulatorSandbox ?? 0,
    logRequests: options.emulator.logRequests ?? false,
    ...(saveIn ? { persistFile: savedEmulatorFiles(saveIn).state } : {}),
  });
  cleanup.add('Salesforce emulator', () => running.close());
  const seeded = await seedOrReuse(running, options.emulator.seed, options.emulator.callbackUrl, saveIn);
  return {
    emulator: { running, seeded },
    env: {
      SALESFORCE_CLIENT_ID: seeded.clientId,
      SALESFORCE_CLIENT_SECRET: seeded.clientSecret,
      SALESFORCE_CALLBACK_URL: options.emulator.callbackUrl,
      SALESFORCE_LOGIN_URL_PRODUCTION: running.productionUrl,
      SALESFORCE_LOGIN_URL_SANDBOX: running.sandboxUrl,
    },
  };
}
