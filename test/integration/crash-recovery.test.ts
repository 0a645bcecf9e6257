import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actualMirror, expectedMirror } from '../support/mirror.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';
import { startWorkerProcess } from '../support/worker-process.js';

// Worker processes killed with SIGKILL in the middle of an initial sync: the data must end equal
// to Salesforce with no duplicates, at nearly the API cost of an uninterrupted run.

let system: TestSystem;
let org: TestOrg;
const workers: ChildProcess[] = [];
const ACCOUNT = 'acct-crash';
const CONTACTS = 60_000;
const ACCOUNTS = 2_000;
const OPPORTUNITIES = 5_000;

const startWorker = () => startWorkerProcess(system, workers);

beforeAll(async () => {
  // One incremental cycle after the initial read, then a long wait: API calls stay countable.
  // REST paging (Bulk switched off) gives many pages, and so many moments to crash in.
  system = await startTestSystem({ SYNC_POLL_INTERVAL: '1h', SYNC_BULK_MIN_RECORDS: '1000000000' }, { worker: false });
  org = await system.createOrg('production');
  await system.control.generateRecords(org.orgId, 'Account', ACCOUNTS, 21);
  await system.control.generateRecords(org.orgId, 'Contact', CONTACTS, 22);
  await system.control.generateRecords(org.orgId, 'Opportunity', OPPORTUNITIES, 23);
  // Slow pages, so kills land mid-sync.
  await system.control.setFaults(org.orgId, { latencyMs: 150 });
}, 120_000);

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await system?.stop();
});

describe('with no worker running', () => {
  it('connecting still works, and status answers from stored state within seconds', async () => {
    const attempt = await connectThroughBrowser(system, 'acct-noworker', 'production', system.production);
    expect(attempt.landing.searchParams.get('salesforce')).toBe('connected');
    const started = Date.now();
    const response = await system.call('/api/integrations/salesforce/connections/acct-noworker/production');
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await response.json()).toMatchObject({ accountId: 'acct-noworker', orgId: system.production.orgId, phase: 'initial_sync' });
  });
});

describe('crash recovery', () => {
  it('SIGKILLed workers resume the initial sync without gaps, duplicates or wasted API calls', async () => {
    const before = await system.control.usage(org.orgId);
    let worker = await startWorker();
    await connectThroughBrowser(system, ACCOUNT, 'production', org);

    let kills = 0;
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 + Math.random() * 2_000));
      if ((await system.status(ACCOUNT)).initialSync?.completedAt) break;
      worker.kill('SIGKILL');
      kills++;
      worker = await startWorker();
    }
    expect(kills).toBeGreaterThanOrEqual(2);

    const done = await eventually(async () => {
      const current = await system.status(ACCOUNT);
      // Wait for the first incremental cycle too, so the call count below is final.
      return current.initialSync?.completedAt && current.lastSyncAt && current.lastSyncAt > current.initialSync.completedAt ? current : undefined;
    }, 240_000);

    const expected = await expectedMirror(system.control, org.orgId);
    const actual = await actualMirror(system.database.db, ACCOUNT);
    expect(actual.contacts.length).toBe(CONTACTS);
    expect(new Set(actual.contacts.map((row) => row.salesforce_contact_id)).size).toBe(CONTACTS);
    expect(actual.contacts).toEqual(expected.contacts);
    expect(actual.deals).toEqual(expected.deals);
    expect(done.objects.Contact?.records).toBeGreaterThanOrEqual(CONTACTS);

    // Uninterrupted: the record-count call, 1 + 30 + 3 pages, one incremental cycle (3 calls) and the identity call while connecting.
    const uninterrupted = 1 + 1 + 30 + 3 + 3 + 1;
    const after = await system.control.usage(org.orgId);
    expect(after.total - before.total).toBeLessThanOrEqual(Math.floor(uninterrupted * 1.1));
  }, 300_000);
});
