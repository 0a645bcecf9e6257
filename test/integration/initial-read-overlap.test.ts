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

/** A new production org with generated records of each object (seeds `seed`, `seed + 1`, `seed + 2`). */
async function orgWith(counts: { Account: number; Contact: number; Opportunity: number }, seed: number): Promise<TestOrg> {
  const org = await system.createOrg('production');
  await system.control.generateRecords(org.orgId, 'Account', counts.Account, seed);
  await system.control.generateRecords(org.orgId, 'Contact', counts.Contact, seed + 1);
  await system.control.generateRecords(org.orgId, 'Opportunity', counts.Opportunity, seed + 2);
  return org;
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
    // Sizes where Bulk costs fewer calls than REST pages (the plan's rule).
    const org = await orgWith({ Account: 12_000, Contact: 12_500, Opportunity: 13_000 }, 901);
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

  it('polls a job when the job that finished first says it will be done, not at the next doubling of its age', async () => {
    const accountId = 'acct-polls-predicted-end';
    const org = await orgWith({ Account: 20, Contact: 48_000, Opportunity: 12_000 }, 921);
    // 250 ms per 1,000 rows (org clock): Opportunity's job takes 3 s, Contact's 12 s. Without a
    // prediction Contact's job would be polled at 2, 4, 8 and 16 s of age.
    await system.control.updateOrg(org.orgId, { bulkProcessingMsPerThousand: 250 });
    await connectThroughBrowser(system, accountId, 'production', org);

    // The moment Contact's job is seen done (its figures kept, its rows not yet applied).
    const contactDone = async () => (await cursors(accountId)).find((row) => row.object === 'Contact' && row.bulk_completed_records !== null);
    let seen: CursorRow | undefined;
    const deadline = Date.now() + 90_000;
    while (!(seen = await contactDone()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toMatchObject({ bulk_completed_records: 48_000 });
    expect(seen!.bulk_completed_processing_ms).toBeGreaterThanOrEqual(12_000);
    // Seen done at the predicted 12 s (from Opportunity's 3 s for 12,000 rows), not at 16 s, and with no
    // more polls: those that answered InProgress were at most the first (when its turn came) and those at 2, 4 and 8 s.
    expect(seen!.bulk_job_created_at).not.toBeNull();
    const seenAtAgeMs = new Date(seen!.updated_at).getTime() - new Date(seen!.bulk_job_created_at!).getTime();
    expect(seenAtAgeMs).toBeGreaterThanOrEqual(12_000);
    expect(seenAtAgeMs).toBeLessThan(15_000);
    expect(seen!.bulk_job_polls).toBeLessThanOrEqual(4);

    await completedInitialSync(accountId, org);
    const opportunity = (await cursors(accountId)).find((row) => row.object === 'Opportunity')!;
    expect(opportunity).toMatchObject({ method: 'bulk', bulk_completed_records: 12_000 });
    expect(opportunity.bulk_completed_processing_ms).toBeGreaterThanOrEqual(3_000);
  }, 180_000);

  it('applies several REST pages per activity, fetching ahead, with every page fetched once and the rows equal to the org', async () => {
    const accountId = 'acct-overlap-pages';
    // Under the Bulk threshold: a REST read of 4,500 contacts in pages of 2,000.
    const org = await orgWith({ Account: 20, Contact: 4_500, Opportunity: 30 }, 911);
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
