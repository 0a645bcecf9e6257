import { describe, expect, it } from 'vitest';
import { disconnectSignal, followupPostedSignal, pauseUpdate, resumeUpdate } from '../../workflows/connection-contract.js';
import { saveHistory } from '../support/histories.js';
import { gate, page, useHarness, statusWhere, until } from '../support/workflow-harness.js';

// The write lane's logic with fake activities on the real Temporal dev server: batching, running
// beside a read page that takes long, pause, and carrying pending follow-ups across continueAsNew.

const harness = useHarness();

describe.concurrent('write lane (fake activities)', () => {
  it('sends follow-ups posted during a long read page at once, collected into one batch', async () => {
    const held = gate();
    const { handle, org } = await harness.start('write-beside-read', {}, (org) => {
      org.script = async (_input, n) => {
        if (n === 0) await held.enter();
        return page();
      };
    });
    await held.entered;
    const posted = Date.now();
    for (const followupId of ['a', 'b', 'c']) await handle.signal(followupPostedSignal, { followupId });
    await until(() => org.taskBatches.length > 0, 5_000);
    expect(org.taskBatches[0]!.at - posted).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(org.taskBatches).toHaveLength(1); // the three went together
    expect(org.pages).toHaveLength(1); // …while the first read page was still held
    held.open();
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
    // Replay fixture (RECORD_HISTORIES=1): the write lane's batch beside a held read page.
    await saveHistory('v5-write-lane-beside-read', await handle.fetchHistory());
  });

  it('a full batch (200 posted) goes before the flush delay; a batch that leaves more due is followed by another', async () => {
    const { handle, org } = await harness.start('write-full-batch', { timings: { followupFlushMs: 20_000 } }, (org) => {
      org.taskScript = (n) => ({ due: n === 0 ? 250 : 0 });
    });
    await Promise.all(Array.from({ length: 200 }, (_, i) => handle.signal(followupPostedSignal, { followupId: `f${i}` })));
    await until(() => org.taskBatches.length >= 2, 10_000);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('a burst arriving over seconds goes in a few batches, each waiting while follow-ups keep coming (replay fixture)', async () => {
    const { handle, org } = await harness.start('write-busy-burst');
    await statusWhere(handle, (s) => !!s.initialSync?.completedAt);
    for (let tick = 0; tick < 60; tick++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => handle.signal(followupPostedSignal, { followupId: `burst${tick * 10 + i}` })));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the last batch: at once when full, else within 2 s
    expect(org.taskBatches.length).toBeGreaterThan(0);
    // Full batches would be 3; one per 500 ms flush delay a dozen (the paced test in followups.test.ts
    // measures the calls through the real system).
    expect(org.taskBatches.length).toBeLessThanOrEqual(6);
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
    // Replay fixture (RECORD_HISTORIES=1): batches collected while a burst arrives (patch followup-batch-fills-while-busy).
    await saveHistory('v11-write-lane-busy-burst', await handle.fetchHistory());
  });

  it('sends nothing while paused, and the pending follow-ups on resume', async () => {
    const { handle, org } = await harness.start('write-paused');
    await statusWhere(handle, (s) => !!s.initialSync?.completedAt);
    expect((await handle.executeUpdate(pauseUpdate)).phase).toBe('paused');
    await handle.signal(followupPostedSignal, { followupId: 'while-paused' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(org.taskBatches).toHaveLength(0);
    await handle.executeUpdate(resumeUpdate);
    await until(() => org.taskBatches.length === 1, 5_000);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('carries follow-ups posted just before continue-as-new into the next run', async () => {
    const { handle, org } = await harness.start('write-carried', { cyclesPerRun: 3, timings: { followupFlushMs: 60_000 } });
    await until(() => org.pages.length > 0);
    const firstRun = (await handle.describe()).runId;
    await handle.signal(followupPostedSignal, { followupId: 'carried' });
    // The flush delay outlasts the run: the batch can only come from the next run.
    await until(() => org.taskBatches.length === 1, 15_000);
    expect(org.taskBatches[0]!.runId).not.toBe(firstRun);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });
});
