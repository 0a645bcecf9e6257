// Applies generated Bulk CSV chunks of contacts straight to Postgres (no Temporal, no emulator), as the
// initial read's runs do, and reports where the time goes: CSV parse, mapping, each statement.
// `npx tsx bench/apply-alone.ts`; ROWS=<n> (default 100,000), SLICE=<rows per statement> (default 2,000),
// SERIAL=1 maps each slice just before writing it (no overlap), to compare.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Database } from '../db/schema.js';
import { applyPreparedSlice, beginPageApply, type SalesforceRecord } from '../db/mirror.js';
import { prepareSlice, preparedSlices } from '../db/mirror-prepare.js';
import { parseResults } from '../salesforce/bulk-results-csv.js';

const ROWS = Number(process.env.ROWS ?? 100_000);
const CHUNK = 50_000;
const SLICE = Number(process.env.SLICE ?? 2_000);

function id(prefix: string, n: number): string {
  return `${prefix}${n.toString(36).padStart(12, '0')}AAA`.slice(0, 18);
}
const q = (value: string) => `"${value.replace(/"/g, '""')}"`;
function csvChunk(from: number, to: number, stamp: string): string {
  const lines = ['"Id","FirstName","LastName","Email","Phone","AccountId","Account.Name","SystemModstamp","IsDeleted"'];
  for (let n = from; n < to; n++) {
    lines.push([id('003', n), `First${n}`, `Last ${n % 977}`, n % 50 === 0 ? `dup${n % 300}@example.com` : `person${n}@example.com`, `+1 555 ${n}`, id('001', n % 10_000), `Account ${n % 10_000}`, stamp, 'false'].map(q).join(','));
  }
  return lines.join('\n') + '\n';
}

const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'ff-apply-')), 'pg');
const server = await startEmbeddedPostgres({ dataDir, ephemeral: true });
const url = await server.createDatabase('apply_alone');
const timings = new Map<string, { ms: number; count: number }>();
const db = new Kysely<Database>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  log(event) {
    if (event.level !== 'query') return;
    const key = event.query.sql.replace(/\s+/g, ' ').trim().slice(0, 70);
    const entry = timings.get(key) ?? { ms: 0, count: 0 };
    entry.ms += event.queryDurationMillis;
    entry.count += 1;
    timings.set(key, entry);
  },
});
try {
  await migrateToLatest(db);
  timings.clear();
  const accountId = randomUUID();
  const { id: connectionId } = await db
    .insertInto('salesforce_connections')
    .values({ account_id: accountId, environment: 'production', status: 'active', org_id: '00D000000000001AAA', user_id: '005000000000001AAA', login_url: 'https://login.example', instance_url: 'https://org.example' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const context = { accountId, connectionId, environment: 'production' as const };
  const stamp = '2026-01-01T00:00:00.000Z';
  const chunks = Array.from({ length: Math.ceil(ROWS / CHUNK) }, (_, i) => csvChunk(i * CHUNK, Math.min(ROWS, (i + 1) * CHUNK), stamp));
  let parseMs = 0;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  for (const chunk of chunks) {
    const t = performance.now();
    const records = parseResults(chunk) as unknown as SalesforceRecord[];
    parseMs += performance.now() - t;
    await db.transaction().execute(async (trx) => {
      const lookups = await beginPageApply(trx, connectionId, 'Contact');
      if (process.env.SERIAL) for (let start = 0; start < records.length; start += SLICE) await applyPreparedSlice(trx, context, prepareSlice('Contact', records.slice(start, start + SLICE)), lookups);
      else for await (const prepared of preparedSlices('Contact', { records }, SLICE)) await applyPreparedSlice(trx, context, prepared, lookups);
    });
  }
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const statementsMs = [...timings.values()].reduce((sum, entry) => sum + entry.ms, 0);
  console.log(`${ROWS} contacts in ${(wall / 1000).toFixed(2)} s = ${Math.round(ROWS / (wall / 1000))} rows/s; node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s; CSV parse ${(parseMs / 1000).toFixed(2)} s; statements ${(statementsMs / 1000).toFixed(2)} s`);
  for (const [key, entry] of [...timings].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${(entry.ms / 1000).toFixed(3).padStart(7)} s ${String(entry.count).padStart(4)}× ${key}`);
} finally {
  await db.destroy();
  await server.stop();
}
