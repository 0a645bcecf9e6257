import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CursorRow } from '../../db/cursors.js';
import { connectionWorkflowId } from '../../domain/connection-status.js';
import { REST_PAGE_SIZE } from '../../domain/sync/plan.js';
import type { UsageReport } from '../../emulator/usage.js';
import { actualMirror, expectedMirror } from '../support/mirror.js';
import { connectThroughBrowser, eventually } from '../support/oauth-browser.js';
import { startTestSystem, type TestOrg, type TestSystem } from '../support/system.js';

// The initial read overlaps its waits (real worker, Temporal, Postgres and the emulator over HTTP):
// every Bulk job is asked for right after the plan, so Salesforce processes them together; and an
// activity applies several pages, fetching the next while the current one is written.

let system: TestSystem;

beforeAll(async () => {
  // From 5,000 records an object is read through Bulk here, so small orgs exercise both methods.
  system = await startTestSystem({ SYNC_POLL_INTERVAL: '1h', SYNC_BULK_MIN_RECORDS: '5000' });
}, 120_000);
afterAll(async () => {
  await system?.stop();
});

const count = (usage: UsageReport, endpoint: string) => usage.byEndpoint[endpoint] ?? 0;

async function cursors(accountId: string): Promise<CursorRow[]> {
  return system.database.db
    .selectFrom('salesforce_sync_cursors')
    .innerJoin('salesforce_connections', 'salesforce_connections.id', 'salesforce_sync_cursors.connection_id')
    .selectAll('salesforce_sync_cursors')
    .where('salesforce_connections.account_id', '=', accountId)
    .execute();
}

async function completedInitialSync(accountId: string, org: TestOrg) {
  await eventually(async () => ((await system.status(accountId)).initialSync?.completedAt ? true : undefined), 120_000);
  const expected = await expectedMirror(system.control, org.orgId);
  const actual = await actualMirror(system.database.db, accountId);
  expect(actual.contacts).toEqual(expected.contacts);
  expect(actual.deals).toEqual(expected.deals);
  return actual;
}

/** The objects of the syncPage activities the workflow scheduled (read from its history). */
async function syncPageObjects(accountId: string): Promise<string[]> {
  const history = await system.temporal.workflow.getHandle(connectionWorkflowId(accountId, 'production')).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'syncPage') return [];
    const input = JSON.parse(Buffer.from(scheduled.input!.payloads![0]!.data!).toString()) as { object: string; mode: string };
    return input.mode === 'initial' ? [input.object] : [];
  });
}

describe('the initial read overlaps Salesforce waits', () => {
  it('asks for the Bulk job of every Bulk object right after the plan; each job processes while the objects before it are read', async () => {
    const accountId = 'acct-overlap-jobs';
    const org = await system.createOrg('production');
    // Sizes where Bulk costs fewer calls than REST pages (the plan's rule).
    await system.control.generateRecords(org.orgId, 'Account', 12_000, 901);
    await system.control.generateRecords(org.orgId, 'Contact', 12_500, 902);
    await system.control.generateRecords(org.orgId, 'Opportunity', 13_000, 903);
    // Each job stays InProgress 3 s (wall clock) after it is created.
    await system.control.setFaults(org.orgId, { bulkJobProcessingMs: 3_000 });
    await connectThroughBrowser(system, accountId, 'production', org);

    // By the first status poll of the first object's job, the later objects' jobs exist too: asked for in the plan's step.
    const first = await eventually(async () => {
      const rows = await cursors(accountId);
      return rows.some((row) => row.object === 'Account' && row.bulk_job_polls >= 1) ? rows : undefined;
    }, 60_000);
    expect(first.map((row) => [row.object, row.method, row.bulk_job_id !== null]).sort()).toEqual([
      ['Account', 'bulk', true],
      ['Contact', 'bulk', true],
      ['Opportunity', 'bulk', true],
    ]);

    await completedInitialSync(accountId, org);
    const usage = await system.control.usage(org.orgId);
    // One job per object, no more: starting them together costs nothing extra.
    expect(count(usage, 'POST /jobs/query')).toBe(3);
  }, 180_000);

  it('applies several REST pages per activity, fetching ahead, with every page fetched once and the rows equal to the org', async () => {
    const accountId = 'acct-overlap-pages';
    const org = await system.createOrg('production');
    await system.control.generateRecords(org.orgId, 'Account', 20, 911);
    // Under the Bulk threshold: a REST read of 4,500 contacts in pages of 2,000.
    await system.control.generateRecords(org.orgId, 'Contact', 4_500, 912);
    await system.control.generateRecords(org.orgId, 'Opportunity', 30, 913);
    await connectThroughBrowser(system, accountId, 'production', org);

    const actual = await completedInitialSync(accountId, org);
    expect(actual.contacts).toHaveLength(4_500);
    const usage = await system.control.usage(org.orgId);
    // One page each for accounts and opportunities; contacts: the first query and 2 locators, each fetched exactly once.
    expect(count(usage, 'GET /query') + count(usage, 'GET /query/:locator')).toBe(2 + Math.ceil(4_500 / REST_PAGE_SIZE));
    // Fewer activities than pages: the contact pages were applied back to back in one run.
    const contactActivities = (await syncPageObjects(accountId)).filter((object) => object === 'Contact').length;
    expect(contactActivities).toBeLessThan(Math.ceil(4_500 / REST_PAGE_SIZE));
  }, 180_000);
});
