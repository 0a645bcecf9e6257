import { describe, expect, it } from 'vitest';
import { disconnectSignal, followupPostedSignal, writeBackWorkSignal } from '../../workflows/connection-contract.js';
import { saveHistory } from '../support/histories.js';
import { page, salesforceFailure, useHarness, statusWhere, timerDurations, until } from '../support/workflow-harness.js';

// The quota logic of the connection workflow with fake activities on the real Temporal dev server:
// one backoff episode for every lane (no Task call during it, no burst after it), and error re-checks
// that grow from minutes to hours (here milliseconds).

const harness = useHarness();

describe.concurrent('quota logic (fake activities)', () => {
  it('a quota refusal of a read holds the Task lane too; both resume by themselves after the backoff, with no burst of refused calls', async () => {
    let exhausted = true;
    let refused = 0;
    const { handle, org } = await harness.start('quota-episode', { timings: { backoffBaseMs: 2_000, backoffMaxMs: 4_000 } }, (org) => {
      org.script = () => {
        if (exhausted) {
          refused++;
          throw salesforceFailure('REQUEST_LIMIT_EXCEEDED');
        }
        return page();
      };
      org.taskScript = () => {
        if (exhausted) {
          refused++;
          throw salesforceFailure('REQUEST_LIMIT_EXCEEDED');
        }
        return {};
      };
    });
    const backingOff = await statusWhere(handle, (s) => s.phase === 'backing_off' && s.waiting?.kind === 'backoff');
    const until1 = Date.parse(backingOff.waiting!.until);
    await handle.signal(followupPostedSignal, { followupId: 'quota-episode-f1' });
    await until(() => Date.now() > until1 - 200 || undefined, 10_000);
    exhausted = false;
    expect(org.taskBatches).toHaveLength(0); // no Task call during the episode
    await until(() => org.taskBatches.length > 0 || undefined, 10_000);
    expect(org.taskBatches[0]!.at).toBeGreaterThanOrEqual(until1 - 50);
    const synced = await statusWhere(handle, (s) => s.phase === 'incremental' && s.lastSyncAt !== null);
    expect(synced.waiting ?? null).toBeNull();
    expect(refused).toBeLessThanOrEqual(2);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('a quota refusal of a write-back batch starts the episode for every lane: a follow-up posted during it waits, then is logged', async () => {
    let exhausted = false;
    const refusals: string[] = [];
    const { handle, org } = await harness.start('quota-write-back', { timings: { backoffBaseMs: 3_000, backoffMaxMs: 6_000 } }, (org) => {
      // The read lane sleeps between cycles, so the write-back lane meets the refusal first.
      org.settings = { ...org.settings, pollIntervalMs: 60_000 };
      org.script = () => {
        if (exhausted) refusals.push('read');
        if (exhausted) throw salesforceFailure('REQUEST_LIMIT_EXCEEDED');
        return page();
      };
      org.writeBackScript = () => {
        if (exhausted) refusals.push('write-back');
        if (exhausted) throw salesforceFailure('REQUEST_LIMIT_EXCEEDED');
        return {};
      };
      org.taskScript = () => {
        if (exhausted) refusals.push('task');
        if (exhausted) throw salesforceFailure('REQUEST_LIMIT_EXCEEDED');
        return {};
      };
    });
    await statusWhere(handle, (s) => s.phase === 'incremental' && s.lastSyncAt !== null);
    // Until the read lane sleeps out its poll interval (no page for 500 ms).
    let pages = -1;
    await until(async () => {
      const quiet = org.pages.length === pages;
      pages = org.pages.length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return quiet || undefined;
    });
    exhausted = true;
    await handle.signal(writeBackWorkSignal);
    await until(() => refusals.length > 0 || undefined);
    const refusedAt = Date.now();
    expect(refusals).toEqual(['write-back']);
    // The episode lasts at least half the base backoff (1.5 s): a follow-up posted now is not tried during it.
    await handle.signal(followupPostedSignal, { followupId: 'quota-write-back-f1' });
    await until(() => Date.now() - refusedAt > 1_200 || undefined);
    expect(org.taskBatches).toHaveLength(0);
    exhausted = false;
    await until(() => org.taskBatches.length > 0 || undefined, 15_000);
    expect(refusals).toEqual(['write-back']);
    await handle.signal(disconnectSignal, { reason: 'test over' });
    await handle.result();
    await saveHistory('v8-write-back-quota-episode', await handle.fetchHistory());
  });

  it('when the org runs out of quota, whichever lane is refused first holds the others; a follow-up posted then is logged once quota returns', async () => {
    let exhausted = false;
    let taskRefusals = 0;
    const { handle, org } = await harness.start('quota-task-first', { timings: { backoffBaseMs: 600, backoffMaxMs: 1_200 } }, (org) => {
      // The quota is the org's: once it is used up, reads are refused too.
      org.script = () => {
        if (exhausted) throw salesforceFailure('REQUEST_LIMIT_EXCEEDED');
        return page();
      };
      org.taskScript = () => {
        if (exhausted) {
          taskRefusals++;
          throw salesforceFailure('REQUEST_LIMIT_EXCEEDED');
        }
        return {};
      };
    });
    await statusWhere(handle, (s) => s.phase === 'incremental');
    exhausted = true;
    await handle.signal(followupPostedSignal, { followupId: 'quota-task-first-f1' });
    const held = await statusWhere(handle, (s) => s.phase === 'backing_off');
    expect(held.waiting?.kind).toBe('backoff');
    exhausted = false;
    await until(() => org.taskBatches.length > taskRefusals || undefined, 10_000);
    await statusWhere(handle, (s) => s.phase === 'incremental');
    // The Task lane waited out the episode instead of trying on its own: at most its one probe was refused.
    expect(taskRefusals).toBeLessThanOrEqual(1);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('a missing permission is re-checked after minutes, then at doubling intervals up to the hourly cap', async () => {
    const { handle } = await harness.start('quota-recheck', { timings: { errorRecheckFirstMs: 100, errorRecheckMs: 400 } }, (org) => {
      org.script = () => {
        throw salesforceFailure('INSUFFICIENT_ACCESS');
      };
    });
    const erroring = await statusWhere(handle, (s) => s.phase === 'error');
    expect(erroring.waiting).toMatchObject({ kind: 'error_recheck', reason: 'INSUFFICIENT_ACCESS' });
    const timers = await until(async () => {
      const durations = await timerDurations(harness.client, handle.workflowId);
      return durations.length >= 4 ? durations : undefined;
    });
    expect(timers.slice(0, 4)).toEqual([100, 200, 400, 400]);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });
});
