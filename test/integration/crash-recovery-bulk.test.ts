import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actualMirror, expectedMirror } from '../support/mirror.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';
import { startWorkerProcess } from '../support/worker-process.js';

// The Bulk API 2.0 path under SIGKILL: the query job survives the crash (its id is committed
// before the first chunk), so a restarted worker fetches the remaining chunks of the same job.

let system: TestSystem;
let org: TestOrg;
const workers: ChildProcess[] = [];
const ACCOUNT = 'acct-crash-bulk';
const CONTACTS = 60_000; // Bulk: two result chunks (50,000 + 10,000)

beforeAll(async () => {
  system = await startTestSystem({ SYNC_POLL_INTERVAL: '1h' }, { worker: false });
  org = await system.createOrg('production');
  await system.control.generateRecords(org.orgId, 'Account', 500, 71);
  await system.control.generateRecords(org.orgId, 'Contact', CONTACTS, 72);
  await system.control.generateRecords(org.orgId, 'Opportunity', 500, 73);
  await system.control.setFaults(org.orgId, { latencyMs: 400 });
}, 120_000);

afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await system?.stop();
});

describe('crash recovery with Bulk API 2.0', () => {
  it('SIGKILLed workers finish the same bulk job: equal data, no duplicates, one job', async () => {
    let worker = await startWorkerProcess(system, workers);
    await connectThroughBrowser(system, ACCOUNT, 'production', org);

    let kills = 0;
    for (let round = 0; round < 2; round++) {
      await new Promise((resolve) => setTimeout(resolve, 1_500 + Math.random() * 1_500));
      if ((await system.status(ACCOUNT)).initialSync?.completedAt) break;
      worker.kill('SIGKILL');
      kills++;
      worker = await startWorkerProcess(system, workers);
    }
    expect(kills).toBeGreaterThanOrEqual(1);

    await eventually(async () => (await system.status(ACCOUNT)).initialSync?.completedAt, 240_000);
    const expected = await expectedMirror(system.control, org.orgId);
    const actual = await actualMirror(system.database.db, ACCOUNT);
    expect(new Set(actual.contacts.map((row) => row.salesforce_contact_id)).size).toBe(CONTACTS);
    expect(actual.contacts).toEqual(expected.contacts);
    expect(actual.deals).toEqual(expected.deals);

    const usage = await system.control.usage(org.orgId);
    const jobsCreated = Object.entries(usage.byEndpoint)
      .filter(([endpoint]) => /^POST \/jobs\/query$/.test(endpoint))
      .reduce((sum, [, count]) => sum + count, 0);
    expect(jobsCreated, JSON.stringify(usage.byEndpoint)).toBe(1);
  }, 300_000);
});
