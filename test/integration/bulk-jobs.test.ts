import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CursorRow } from '../../db/cursors.js';
import { chooseReadMethod, expectedBulkPolls } from '../../domain/sync/plan.js';
import type { UsageReport } from '../../emulator/usage.js';
import { actualMirror, expectedMirror } from '../support/mirror.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';
import { startWorkerProcess } from '../support/worker-process.js';

// Bulk API 2.0 jobs as Salesforce runs them (the emulator's per-org Bulk settings): a job that fails,
// one that keeps being aborted, one deleted mid-read, and one that processes for 3 minutes (org clock)
// while the worker is killed. Each initial sync completes with FastFollow's rows equal to the org's.

let system: TestSystem;
const workers: ChildProcess[] = [];
let worker: ChildProcess;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  // One page per activity: the deleted-job test moves the org clock between two results chunks.
  system = await startTestSystem({ SYNC_POLL_INTERVAL: '1h', SYNC_INITIAL_RUN: '0s' }, { worker: false });
  worker = await startWorkerProcess(system, workers);
}, 120_000);

afterAll(async () => {
  for (const child of workers) child.kill('SIGKILL');
  await system?.stop();
});

/** An org with `contacts` contacts (Bulk) and a few accounts and opportunities (REST). */
async function orgWith(contacts: number, seed: number): Promise<TestOrg> {
  const org = await system.createOrg('production', { sessionTimeoutSeconds: 30 * 86_400 });
  await system.control.generateRecords(org.orgId, 'Account', 200, seed);
  await system.control.generateRecords(org.orgId, 'Contact', contacts, seed + 1);
  await system.control.generateRecords(org.orgId, 'Opportunity', 200, seed + 2);
  return org;
}

async function contactCursor(accountId: string): Promise<CursorRow | undefined> {
  return system.database.db
    .selectFrom('salesforce_sync_cursors')
    .innerJoin('salesforce_connections', 'salesforce_connections.id', 'salesforce_sync_cursors.connection_id')
    .selectAll('salesforce_sync_cursors')
    .where('salesforce_connections.account_id', '=', accountId)
    .where('salesforce_sync_cursors.object', '=', 'Contact')
    .executeTakeFirst();
}

/** Polls the cursor quickly (the moments between Bulk steps are short). */
async function cursorWhen(accountId: string, check: (cursor: CursorRow) => boolean, timeoutMs = 60_000): Promise<CursorRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cursor = await contactCursor(accountId);
    if (cursor && check(cursor)) return cursor;
    if (Date.now() > deadline) throw new Error(`cursor condition not met within ${timeoutMs} ms: ${JSON.stringify(cursor)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const count = (usage: UsageReport, endpoint: string) => usage.byEndpoint[endpoint] ?? 0;

async function expectInitialSyncEqualsOrg(accountId: string, org: TestOrg, contacts: number) {
  const status = await eventually(async () => {
    const current = await system.status(accountId);
    return current.initialSync?.completedAt ? current : undefined;
  }, 180_000);
  const expected = await expectedMirror(system.control, org.orgId);
  const actual = await actualMirror(system.database.db, accountId);
  expect(new Set(actual.contacts.map((row) => row.salesforce_contact_id)).size).toBe(contacts);
  expect(actual.contacts).toEqual(expected.contacts);
  expect(actual.deals).toEqual(expected.deals);
  return status;
}

describe('Bulk API 2.0 jobs that fail, abort or vanish', () => {
  it('a first job that fails is replaced by a new one; the reason is kept on the cursor', async () => {
    const account = 'acct-bulk-failed';
    const org = await orgWith(15_000, 301);
    await system.control.updateOrg(org.orgId, { bulkJobOutcome: 'failed', bulkJobFailAfterPolls: 1 });
    await connectThroughBrowser(system, account, 'production', org);
    // Only the first job fails: the outcome is fixed when a job is created.
    await cursorWhen(account, (cursor) => cursor.bulk_job_id !== null);
    await system.control.updateOrg(org.orgId, { bulkJobOutcome: 'complete' });

    await expectInitialSyncEqualsOrg(account, org, 15_000);
    const cursor = (await contactCursor(account))!;
    expect(cursor).toMatchObject({ method: 'bulk', bulk_jobs_lost: 1, initial_done: true, bulk_job_id: null });
    expect(cursor.bulk_job_lost_reason).toMatch(/^Bulk query job 750\w+ failed \(.+\); reading Contact again with a new job$/);
    expect(count(await system.control.usage(org.orgId), 'POST /jobs/query')).toBe(2);
    // Support sees it in the health view.
    const health = await system.call(`/api/support/connections/${account}/production/health`, { headers: { authorization: `Bearer ${system.config.SUPPORT_TOKEN}` } });
    const { bulkJobsLost } = (await health.json()) as { bulkJobsLost: Array<{ object: string; lost: number; reason: string }> };
    expect(bulkJobsLost).toEqual([expect.objectContaining({ object: 'Contact', lost: 1, reason: cursor.bulk_job_lost_reason })]);
  }, 240_000);

  it('jobs that keep being aborted: after two, the read goes on with REST queries and completes', async () => {
    const account = 'acct-bulk-aborted';
    const org = await orgWith(15_000, 311);
    await system.control.updateOrg(org.orgId, { bulkJobOutcome: 'aborted' });
    await connectThroughBrowser(system, account, 'production', org);

    await expectInitialSyncEqualsOrg(account, org, 15_000);
    const cursor = (await contactCursor(account))!;
    expect(cursor).toMatchObject({ method: 'rest', bulk_jobs_lost: 2, initial_done: true });
    expect(cursor.bulk_job_lost_reason).toMatch(/aborted .*with REST queries$/);
    const usage = await system.control.usage(org.orgId);
    expect(count(usage, 'POST /jobs/query')).toBe(2);
    expect(count(usage, 'GET /query')).toBeGreaterThanOrEqual(1);
  }, 240_000);
});

describe('a Bulk job that takes 3 minutes (org clock)', () => {
  it('is polled with backoff from the workflow, survives a killed worker without a new job, and stays within the plan', async () => {
    const account = 'acct-bulk-slow';
    const contacts = 15_000;
    const org = await orgWith(contacts, 321);
    // 15 × 12 s = 180 s of processing.
    await system.control.updateOrg(org.orgId, { bulkProcessingMsPerThousand: 12_000 });
    const before = await system.control.usage(org.orgId);
    await connectThroughBrowser(system, account, 'production', org);

    // First poll: still processing. Kill the worker while the workflow waits on its timer.
    await cursorWhen(account, (cursor) => cursor.bulk_job_polls >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    worker.kill('SIGKILL');
    worker = await startWorkerProcess(system, workers);
    await system.control.setClock(90_000);
    // Second poll (another worker): half-way. Then the 3 minutes are over.
    await cursorWhen(account, (cursor) => cursor.bulk_job_polls >= 2, 90_000);
    await system.control.setClock(181_000);

    const status = await expectInitialSyncEqualsOrg(account, org, contacts);
    const usage = await system.control.usage(org.orgId);
    const polls = count(usage, 'GET /jobs/query/:jobId') - count(before, 'GET /jobs/query/:jobId');
    expect(polls).toBe(3);
    expect(count(usage, 'POST /jobs/query')).toBe(1);
    // Every call of the initial read, polls included, is in the status, and within the plan.
    const initialCalls = Object.entries(usage.byEndpoint)
      .filter(([endpoint]) => endpoint !== 'GET /' && endpoint !== 'GET /queryAll')
      .reduce((sum, [endpoint, n]) => sum + n - (before.byEndpoint[endpoint] ?? 0), 0);
    expect(status.initialSync!.apiCalls).toBe(initialCalls);
    const plan = [200, contacts, 200].map((recordCount) => chooseReadMethod({ recordCount }));
    expect(plan[1]).toEqual({ method: 'bulk', expectedApiCalls: 1 + expectedBulkPolls(contacts) + 1 });
    expect(status.initialSync!.apiCalls).toBeLessThanOrEqual(1 + plan.reduce((sum, p) => sum + p.expectedApiCalls, 0));
  }, 240_000);
});

describe('a worker killed while Salesforce creates its Bulk job', () => {
  it('the restarted worker finds that job (one list call) instead of creating a second one', async () => {
    const account = 'acct-bulk-orphan';
    const contacts = 12_000;
    const org = await orgWith(contacts, 341);
    // Every request is held 3 s before Salesforce handles it: the job is created after the worker died.
    await system.control.setFaults(org.orgId, { latencyMs: 3_000 });
    await connectThroughBrowser(system, account, 'production', org);

    await cursorWhen(account, (cursor) => cursor.bulk_job_requested_at !== null && cursor.bulk_job_id === null, 120_000);
    // The request is stored on the cursor just before it is sent: a moment for it to reach Salesforce, which
    // holds it 3 s (killed at once, the worker could die before sending it, and no job would be created).
    await new Promise((resolve) => setTimeout(resolve, 500));
    worker.kill('SIGKILL');
    await eventually(async () => count(await system.control.usage(org.orgId), 'POST /jobs/query') === 1 || undefined, 30_000);
    await system.control.setFaults(org.orgId, { latencyMs: 0 });
    worker = await startWorkerProcess(system, workers);

    await expectInitialSyncEqualsOrg(account, org, contacts);
    const usage = await system.control.usage(org.orgId);
    expect(count(usage, 'POST /jobs/query')).toBe(1);
    expect(count(usage, 'GET /jobs/query')).toBe(1);
    expect(await contactCursor(account)).toMatchObject({ bulk_jobs_lost: 0, bulk_job_requested_at: null, initial_done: true });
  }, 240_000);
});

describe('a Bulk job deleted mid-read', () => {
  it('results gone after the first chunk (retention, org clock): a new job reads the object again and the data equals the org', async () => {
    const account = 'acct-bulk-deleted';
    const contacts = 51_000; // two results chunks: 50,000 + 1,000
    const org = await orgWith(contacts, 331);
    await system.control.updateOrg(org.orgId, { bulkJobRetentionDays: 1 });
    // Each request waits a moment: time to move the clock between the two chunks.
    await system.control.setFaults(org.orgId, { latencyMs: 300 });
    await connectThroughBrowser(system, account, 'production', org);

    await cursorWhen(account, (cursor) => cursor.locator !== null && cursor.bulk_job_id !== null, 120_000);
    await system.control.setClock(181_000 + 2 * DAY_MS);
    expect(count(await system.control.usage(org.orgId), 'POST /jobs/query')).toBe(0); // the 24 h usage window moved on too

    await expectInitialSyncEqualsOrg(account, org, contacts);
    const cursor = (await contactCursor(account))!;
    expect(cursor).toMatchObject({ method: 'bulk', bulk_jobs_lost: 1, initial_done: true });
    expect(cursor.bulk_job_lost_reason).toMatch(/no longer exists/);
    expect(count(await system.control.usage(org.orgId), 'POST /jobs/query')).toBe(1); // the replacement
  }, 300_000);
});
