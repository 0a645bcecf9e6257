import { describe, expect, it } from 'vitest';
import { disconnectSignal, pauseUpdate } from '../../workflows/connection-contract.js';
import { saveHistory } from '../support/histories.js';
import { page, useHarness, statusWhere, timerDurations, until } from '../support/workflow-harness.js';

// A Bulk job still processing: syncPage answers `waitMs` and the read lane waits that long on a
// durable timer before the next status poll (fake activities on the real Temporal dev server).

const harness = useHarness();

/** Scripts each object's calls by their own count: `steps[object][k]` answers that object's call k (then a plain page). */
function perObject(steps: Partial<Record<string, Array<Parameters<typeof page>[0]>>>) {
  const calls = new Map<string, number>();
  return (input: { object: string; mode: string }) => {
    if (input.mode !== 'initial') return page();
    const k = calls.get(input.object) ?? 0;
    calls.set(input.object, k + 1);
    return page(steps[input.object]?.[k] ?? {});
  };
}

describe.concurrent('read lane: Bulk job waits', () => {
  it('while the Contact job processes, Opportunity is read; a durable timer only when every object left waits', async () => {
    const { handle, org } = await harness.start('bulk-wait', {}, (org) => {
      org.script = perObject({
        Contact: [
          { done: false, fetched: 0, upserted: 0, apiCalls: 1, waitMs: 1_500 }, // the job (asked for at the plan) still processing
          { done: false, fetched: 0, upserted: 0, apiCalls: 1, waitMs: 1_000 }, // still processing
          { done: true, fetched: 5, upserted: 5, apiCalls: 2 }, // JobComplete + the chunk
        ],
        Opportunity: [{ done: true, fetched: 3, upserted: 3, apiCalls: 2 }], // its job was done: status + chunk
      });
    });
    const done = await statusWhere(handle, (s) => !!s.initialSync?.completedAt, 15_000);
    expect(org.pages.slice(0, 5).map((p) => p.object)).toEqual(['Account', 'Contact', 'Opportunity', 'Contact', 'Contact']);
    // Account 1 + Contact 1 + Opportunity 2 + Contact 1 + 2: the polls are in the initial sync's calls.
    expect(done.initialSync?.apiCalls).toBe(7);
    expect(done.initialSync?.records).toBe(2 + 3 + 5);
    // First timer: what was left of Contact's 1.5 s after Opportunity's page; then its full 1 s.
    const timers = await timerDurations(harness.client, handle.workflowId);
    expect(timers[0]).toBeGreaterThan(0);
    expect(timers[0]).toBeLessThanOrEqual(1_500);
    expect(timers[1]).toBe(1_000);
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
    await saveHistory('v9-initial-read-interleaved', await handle.fetchHistory());
  });

  it('the plan is a step of its own before the first page: its calls are the read\'s, and it says when a just-asked-for first job is polled', async () => {
    const { handle, org } = await harness.start('plan-step', {}, (org) => {
      org.planScript = () => ({ apiCalls: 4, apiUsage: { used: 40, max: 1_000 }, estimate: { records: 12, apiCalls: 9 }, pollAfterMs: { Account: 800 } });
      org.script = perObject({ Account: [{ done: true, fetched: 4, upserted: 4, apiCalls: 2 }] });
    });
    const done = await statusWhere(handle, (s) => !!s.initialSync?.completedAt, 15_000);
    expect(org.plans).toEqual([expect.objectContaining({ pagesBefore: 0 })]);
    // Account's job was asked for just now: Contact and Opportunity are read first, Account once its poll is due.
    expect(org.pages.slice(0, 3).map((p) => p.object)).toEqual(['Contact', 'Opportunity', 'Account']);
    expect(done.initialSync?.apiCalls).toBe(4 + 1 + 1 + 2);
    expect(done.initialSync?.records).toBe(2 + 2 + 4);
    const timers = await timerDurations(harness.client, handle.workflowId);
    expect(timers[0]).toBeGreaterThan(0);
    expect(timers[0]).toBeLessThanOrEqual(800);
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
    await saveHistory('v10-initial-read-plan-step', await handle.fetchHistory());
  });

  it('every object waiting on its job: one timer until the earliest is due, then that one is polled first', async () => {
    const { handle, org } = await harness.start('bulk-wait-all', {}, (org) => {
      org.script = perObject({
        Account: [{ done: false, fetched: 0, upserted: 0, apiCalls: 4, waitMs: 3_000 }], // plan + three jobs asked for
        Contact: [{ done: false, fetched: 0, upserted: 0, apiCalls: 1, waitMs: 300 }],
        Opportunity: [{ done: false, fetched: 0, upserted: 0, apiCalls: 1, waitMs: 5_000 }],
      });
    });
    await statusWhere(handle, (s) => !!s.initialSync?.completedAt, 15_000);
    expect(org.pages.slice(0, 6).map((p) => p.object)).toEqual(['Account', 'Contact', 'Opportunity', 'Contact', 'Account', 'Opportunity']);
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
  });

  it('a pause cuts a Bulk wait short: no poll while paused', async () => {
    const { handle, org } = await harness.start('bulk-wait-pause', {}, (org) => {
      const processing = { done: false, fetched: 0, upserted: 0, apiCalls: 1, waitMs: 60_000 };
      org.script = perObject({ Contact: [processing], Opportunity: [processing] });
    });
    // Both jobs processing: the lane waits on its timer.
    await until(() => org.pages.length === 3);
    const paused = await handle.executeUpdate(pauseUpdate);
    expect(paused.phase).toBe('paused');
    expect(org.pages).toHaveLength(3);
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
  });
});
