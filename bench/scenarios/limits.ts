import type jsforce from 'jsforce';
import { BULK_PAGE_SIZE } from '../../domain/sync/plan.js';
import { mapAccount, mapContact, mapOpportunity, type SalesforceAccountRecord, type SalesforceContactRecord, type SalesforceOpportunityRecord } from '../../domain/sync/mapping.js';
import { bulkInitialQuery, initialQuery, parseSalesforceDateTime } from '../../domain/sync/soql.js';
import type { SyncedObject } from '../../domain/synced-objects.js';
import { createQueryJob, fetchResultsPage, queryJobStatus } from '../../salesforce/bulk-query.js';
import { limitsRow, objectLimits, rate, scaledWriteSeconds, type Measured, type ObjectLimits } from '../per-object.js';
import { insertBatched, insertOneByOne, resetScratchTables, dropScratchTables, type MirrorTable, type Row } from '../limits-db.js';
import { jsforceConnection } from '../oauth.js';
import type { ScenarioResult } from '../report.js';
import type { BenchOrg, BenchSystem } from '../system.js';
import { OBJECTS } from './initial-sync.js';

/**
 * Rows of each object kept in memory for its write limit: all of them at the default size, and enough at
 * larger ones for a steady rate (beyond it the object's rate is measured on this many and scaled).
 */
const WRITE_SAMPLE_PER_OBJECT = 100_000;
/** Contacts the naive baseline reads and writes (one INSERT per row is slow); its rate is scaled. */
const NAIVE_SAMPLE = 1_000;
const CONNECTION_ID = '00000000-0000-4000-8000-000000000000';
const TABLES: Record<SyncedObject, MirrorTable> = { Account: 'salesforce_accounts', Contact: 'contacts', Opportunity: 'deals' };

type Page = { records: Row[]; done: boolean; nextRecordsUrl?: string };

/** A record as the sync would store it (same mapping), into the scratch copy of its table. */
function toRow(object: SyncedObject, record: Row): Row {
  const common = { account_id: 'acct-bench-limit', salesforce_connection_id: CONNECTION_ID, salesforce_modstamp: parseSalesforceDateTime(String(record.SystemModstamp)).toISOString() };
  if (object === 'Account') return { ...mapAccount(record as unknown as SalesforceAccountRecord).row, ...common };
  const mapped = object === 'Contact' ? mapContact(record as unknown as SalesforceContactRecord).row : mapOpportunity(record as unknown as SalesforceOpportunityRecord).row;
  return { ...mapped, ...common, salesforce_environment: 'production' };
}

async function readRest(conn: jsforce.Connection, object: SyncedObject, keep: (row: Row) => void): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  let page = (await conn.query(initialQuery(object), { autoFetch: false })) as unknown as Page;
  let rows = 0;
  for (;;) {
    rows += page.records.length;
    for (const record of page.records) keep(toRow(object, record));
    if (page.done || !page.nextRecordsUrl) break;
    page = (await conn.queryMore(page.nextRecordsUrl)) as unknown as Page;
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

/** A Bulk API 2.0 job polled every 50 ms (the machine's limit, not a polite client's backoff), its pages fetched in turn. */
async function readBulk(conn: jsforce.Connection, object: SyncedObject): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  const jobId = await createQueryJob(conn, bulkInitialQuery(object));
  for (;;) {
    const { state, errorMessage } = await queryJobStatus(conn, jobId);
    if (state === 'JobComplete') break;
    if (state === 'Failed' || state === 'Aborted') throw new Error(`Bulk job ${state}: ${errorMessage ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let rows = 0;
  let locator: string | null = null;
  do {
    const page = await fetchResultsPage(conn, jobId, { locator, maxRecords: BULK_PAGE_SIZE });
    // Mapped like the sync does (so parsing and mapping count), then dropped.
    for (const record of page.records) toRow(object, record);
    rows += page.records.length;
    locator = page.nextLocator;
  } while (locator);
  return { rows, seconds: (performance.now() - started) / 1000 };
}

/** jsforce autoFetch of a subset of contacts, then one INSERT per row: how one would write it first. */
async function naive(system: BenchSystem, conn: jsforce.Connection, contacts: number): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  const result = await conn.query(initialQuery('Contact'), { autoFetch: true, maxFetch: Math.min(contacts, NAIVE_SAMPLE) });
  await insertOneByOne(system.db, 'contacts', (result.records as unknown as Row[]).map((record) => toRow('Contact', record)));
  return { rows: result.records.length, seconds: (performance.now() - started) / 1000 };
}

type ObjectMeasures = { rest: Measured; bulk: Measured; write: number; writeRows: number } & ObjectLimits;

export async function limitsScenario(system: BenchSystem, org: BenchOrg, counts: Record<SyncedObject, number>): Promise<ScenarioResult> {
  const conn = await jsforceConnection(system, org);
  const kept: Record<SyncedObject, Row[]> = { Account: [], Contact: [], Opportunity: [] };
  const reads: Partial<Record<SyncedObject, { rest: Measured; bulk: Measured }>> = {};
  for (const object of OBJECTS) {
    const rest = await readRest(conn, object, (row) => {
      if (kept[object].length < WRITE_SAMPLE_PER_OBJECT) kept[object].push(row);
    });
    reads[object] = { rest, bulk: await readBulk(conn, object) };
  }
  await resetScratchTables(system.db);
  const byObject = {} as Record<SyncedObject, ObjectMeasures>;
  for (const object of OBJECTS) {
    const started = performance.now();
    await insertBatched(system.db, TABLES[object], kept[object]);
    const write = { rows: kept[object].length, seconds: (performance.now() - started) / 1000 };
    const { rest, bulk } = reads[object]!;
    byObject[object] = { rest, bulk, write: write.seconds, ...objectLimits(rest, bulk, write) };
  }
  await resetScratchTables(system.db);
  const naiveRun = await naive(system, conn, counts.Contact);
  await dropScratchTables(system.db);

  const total = OBJECTS.reduce((sum, object) => sum + counts[object], 0);
  const restSeconds = OBJECTS.reduce((sum, object) => sum + byObject[object].rest.seconds, 0);
  const bulkSeconds = OBJECTS.reduce((sum, object) => sum + byObject[object].bulk.seconds, 0);
  // The best read: each object by whichever API read it faster.
  const bestReadSeconds = OBJECTS.reduce((sum, object) => sum + Math.min(byObject[object].rest.seconds, byObject[object].bulk.seconds), 0);
  const readLimit = total / bestReadSeconds;
  const writeRows = OBJECTS.reduce((sum, object) => sum + byObject[object].writeRows, 0);
  // All the org's rows at each object's own write rate (the same as rows ÷ seconds when nothing was capped).
  const writeSeconds = scaledWriteSeconds(counts, byObject);
  const writeLimit = writeSeconds ? total / writeSeconds : null;
  const naiveRate = rate(naiveRun);
  const sampled = writeRows < total ? ` (each object on ≤ ${WRITE_SAMPLE_PER_OBJECT.toLocaleString('en-US')} rows, scaled)` : '';
  return {
    scenario: 'limits',
    metrics: [
      { metric: 'read limit, REST only (jsforce query + queryMore, no DB)', value: total / restSeconds, unit: 'rows/s' },
      { metric: 'read limit, Bulk only (job, 50 ms polls, pages, no DB)', value: total / bulkSeconds, unit: 'rows/s' },
      { metric: 'read limit, best API per object', value: readLimit, unit: 'rows/s' },
      { metric: `write limit, Postgres alone, batched INSERT of 10k rows${sampled}`, value: writeLimit ?? 'n/a', unit: 'rows/s' },
      { metric: 'per object, rows/s of each read and write alone:', value: '', unit: '' },
      ...OBJECTS.map((object) => limitsRow(object, byObject[object])),
      { metric: `naive: jsforce autoFetch + one INSERT per row (${naiveRun.rows.toLocaleString('en-US')} contacts, scaled)`, value: naiveRate ?? 'n/a', unit: 'rows/s' },
    ],
    details: { byObject, total, readLimit, writeLimit, writeRows, writeSeconds, naiveRate, naiveRows: naiveRun.rows, restSeconds, bulkSeconds, bestReadSeconds },
  };
}
