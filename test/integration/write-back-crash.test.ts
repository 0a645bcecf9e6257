import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';
import { startWorkerProcess } from '../support/worker-process.js';
import { collectionPatches, connectionIdOf, outboxRows, outboxSettled } from '../support/write-back.js';

// 5,000 FastFollow edits across 2,000 contacts, written back while the worker process is SIGKILLed in
// the middle (each Salesforce call held by the emulator's latency fault): every field ends with its last
// FastFollow value, in at most 10 collection calls, and no record is created.

let system: TestSystem;
let org: TestOrg;
let connectionId: string;
const workers: ChildProcess[] = [];
const ACCOUNT = 'acct-write-back-crash';
const CONTACTS = 2_000;

beforeAll(async () => {
  system = await startTestSystem({ SYNC_POLL_INTERVAL: '2s' }, { worker: false });
  await startWorkerProcess(system, workers);
  org = await system.createOrg('production');
  await system.control.generateRecords(org.orgId, 'Account', 20, 41);
  await system.control.generateRecords(org.orgId, 'Contact', CONTACTS, 42);
  await connectThroughBrowser(system, ACCOUNT, 'production', org);
  await eventually(async () => {
    const status = await system.status(ACCOUNT, 'production');
    return status.initialSync?.completedAt && status.phase === 'incremental';
  }, 120_000);
  connectionId = await connectionIdOf(system, ACCOUNT, 'production');
}, 240_000);

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await system?.stop();
});

describe('write-back crash safety', () => {
  it('5,000 edits across 2,000 records with a SIGKILL mid-way: the last FastFollow value per field, ≤ 10 collection calls, no new records', async () => {
    await system.control.setFaults(org.orgId, { latencyMs: 1_500 });
    const patchesBefore = collectionPatches(await system.control.usage(org.orgId));
    // One transaction of the app: every contact's phone twice (the second wins), the first 1,000 emails once.
    await system.database.db.transaction().execute(async (trx) => {
      const scope = sql`salesforce_connection_id = ${connectionId} and salesforce_contact_id is not null`;
      await sql`update contacts set phone = 'first ' || salesforce_contact_id where ${scope}`.execute(trx);
      await sql`update contacts set phone = 'last ' || salesforce_contact_id where ${scope}`.execute(trx);
      await sql`update contacts set email = 'moved.' || lower(salesforce_contact_id) || '@ff.example'
        where ${scope} and salesforce_contact_id in (select salesforce_contact_id from contacts where ${scope} order by salesforce_contact_id limit 1000)`.execute(trx);
    });
    expect((await outboxRows(system, connectionId)).length).toBe(5_000);

    // Kill the worker once some batches are written and others are still pending (a call held in flight).
    await eventually(async () => {
      const rows = await outboxRows(system, connectionId);
      return rows.some((row) => row.status === 'written') && rows.some((row) => row.status === 'pending') ? true : undefined;
    }, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    workers.at(-1)!.kill('SIGKILL');
    const pendingAtKill = (await outboxRows(system, connectionId)).filter((row) => row.status === 'pending').length;
    expect(pendingAtKill).toBeGreaterThan(0);
    await startWorkerProcess(system, workers);

    await outboxSettled(system, connectionId, 180_000);
    const rows = await outboxRows(system, connectionId);
    expect(rows.filter((row) => row.status !== 'written')).toEqual([]);
    const { records } = await system.control.listRecords(org.orgId, 'Contact');
    const live = records.filter((row) => !row.IsDeleted);
    expect(live).toHaveLength(CONTACTS);
    const moved = new Set(rows.filter((row) => row.field === 'email').map((row) => row.salesforce_id));
    expect(moved.size).toBe(1_000);
    for (const record of live) {
      expect(record.Phone).toBe(`last ${record.Id}`);
      if (moved.has(record.Id)) expect(record.Email).toBe(`moved.${record.Id.toLowerCase()}@ff.example`);
    }
    const patches = collectionPatches(await system.control.usage(org.orgId)) - patchesBefore;
    expect(patches).toBeLessThanOrEqual(10);
    expect(patches).toBeGreaterThanOrEqual(9);
  }, 360_000);
});
