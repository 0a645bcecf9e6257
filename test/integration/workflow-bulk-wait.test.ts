import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { disconnectSignal, pauseUpdate } from '../../workflows/connection-contract.js';
import { saveHistory } from '../support/histories.js';
import { page, startHarness, statusWhere, timerDurations, until, type Harness } from '../support/workflow-harness.js';

// A Bulk job still processing: syncPage answers `waitMs` and the read lane waits that long on a
// durable timer before the next status poll (fake activities on the real Temporal dev server).

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(inject('temporalAddress'));
}, 30_000);
afterAll(async () => {
  await harness?.stop();
});

/** Contact (the 2nd object) is a Bulk read: job created, two polls still processing, then the chunk. */
const bulkContacts = (n: number) => {
  if (n === 1) return page({ done: false, fetched: 0, upserted: 0, apiCalls: 1, waitMs: 700 }); // job created
  if (n === 2) return page({ done: false, fetched: 0, upserted: 0, apiCalls: 1, waitMs: 1_400 }); // InProgress
  if (n === 3) return page({ done: true, fetched: 5, upserted: 5, apiCalls: 2 }); // JobComplete + the chunk
  return page();
};

describe.concurrent('read lane: Bulk job waits', () => {
  it('waits each waitMs on a durable timer between Bulk steps, and counts every poll', async () => {
    const { handle, org } = await harness.start('bulk-wait', {}, (org) => {
      org.script = (_input, n) => bulkContacts(n);
    });
    const done = await statusWhere(handle, (s) => !!s.initialSync?.completedAt, 15_000);
    expect(org.pages.slice(0, 5).map((p) => p.object)).toEqual(['Account', 'Contact', 'Contact', 'Contact', 'Opportunity']);
    // Account 1 + Contact 1 + 1 + 2 + Opportunity 1: the polls are in the initial sync's calls.
    expect(done.initialSync?.apiCalls).toBe(6);
    expect(done.initialSync?.records).toBe(2 + 5 + 2);
    const timers = await timerDurations(harness.client, handle.workflowId);
    expect(timers.slice(0, 2)).toEqual([700, 1_400]);
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
    await saveHistory('v5-bulk-job-wait', await handle.fetchHistory());
  });

  it('a pause cuts a Bulk wait short: no poll while paused', async () => {
    const { handle, org } = await harness.start('bulk-wait-pause', {}, (org) => {
      org.script = (_input, n) => (n === 1 ? page({ done: false, fetched: 0, upserted: 0, apiCalls: 1, waitMs: 60_000 }) : bulkContacts(n));
    });
    await until(() => org.pages.length === 2);
    const paused = await handle.executeUpdate(pauseUpdate);
    expect(paused.phase).toBe('paused');
    expect(org.pages).toHaveLength(2);
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
  });
});
