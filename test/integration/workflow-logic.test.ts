import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { pauseSignal, pauseUpdate, reconnectedSignal, resumeUpdate, resyncSignal, resyncUpdate, statusQuery, disconnectSignal } from '../../workflows/connection-contract.js';
import { saveHistory } from '../support/histories.js';
import { gate, page, salesforceFailure, signalHandled, useHarness, statusWhere, timerDurations, until } from '../support/workflow-harness.js';

// Workflow logic with fake activities on the real Temporal dev server: every durable wait is
// shortened through the input's `timings` and the fake worker settings, so all of this runs in seconds.

const harness = useHarness();

const upToDate = (phase: string) => (status: { phase: string; initialSync?: { completedAt: string | null } | null }) =>
  status.phase === phase && !!status.initialSync?.completedAt;

// The dev server fires timers with about a second's precision, so the cases run side by side.
describe.concurrent('connection workflow logic (fake activities)', () => {
  it('reads initially, then incrementally with the settings and poll interval the worker gives it', async () => {
    const { handle, org } = await harness.start('settings', {}, (org) => {
      org.settings = { pollIntervalMs: 150, lookbackMs: 4_321, safetyLagMs: 765 };
    });
    const timers = await until(async () => {
      const durations = await timerDurations(harness.client, handle.workflowId);
      return durations.length > 0 && durations;
    });
    expect(timers.every((ms) => ms === 150)).toBe(true);
    expect(org.pages.slice(0, 3).map((p) => [p.object, p.mode])).toEqual([
      ['Account', 'initial'],
      ['Contact', 'initial'],
      ['Opportunity', 'initial'],
    ]);
    expect(org.pages.every((p) => p.lookbackMs === 4_321 && p.safetyLagMs === 765)).toBe(true);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('backs off on REQUEST_LIMIT_EXCEEDED with growing, capped delays, then resumes by itself', async () => {
    let limited = true;
    const { handle, org } = await harness.start('backoff', { timings: { backoffBaseMs: 40, backoffMaxMs: 80 } }, (org) => {
      org.script = () => {
        if (limited) throw salesforceFailure('REQUEST_LIMIT_EXCEEDED');
        return page();
      };
    });
    const backingOff = await statusWhere(handle, (s) => s.phase === 'backing_off');
    expect(backingOff.error?.code).toBe('REQUEST_LIMIT_EXCEEDED');
    await until(() => org.pages.length >= 4, 8_000);
    limited = false;
    const recovered = await statusWhere(handle, upToDate('incremental'));
    expect(recovered.error).toBeNull();
    const delays = (await timerDurations(harness.client, handle.workflowId)).slice(0, 3);
    // base · 2^attempt, capped at the max, with jitter taking off up to half
    [40, 80, 80].forEach((ceiling, attempt) => {
      expect(delays[attempt]).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delays[attempt]).toBeLessThanOrEqual(ceiling);
    });
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('waits in the error phase and recovers at the re-check', async () => {
    let denied = true;
    const { handle } = await harness.start('recheck', { timings: { errorRecheckMs: 300 } }, (org) => {
      org.script = () => {
        if (denied) throw salesforceFailure('INSUFFICIENT_ACCESS');
        return page();
      };
    });
    const failing = await statusWhere(handle, (s) => s.phase === 'error');
    expect(failing.error?.code).toBe('INSUFFICIENT_ACCESS');
    denied = false;
    expect((await statusWhere(handle, upToDate('incremental'))).error).toBeNull();
    expect((await timerDurations(harness.client, handle.workflowId))[0]).toBe(300);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('resume re-checks an erroring connection at once (the first re-check, after 5 minutes, is not waited for)', async () => {
    let denied = true;
    const { handle } = await harness.start('resume-error', {}, (org) => {
      org.script = () => {
        if (denied) throw salesforceFailure('INSUFFICIENT_ACCESS');
        return page();
      };
    });
    await statusWhere(handle, (s) => s.phase === 'error');
    // Re-checks grow from minutes to hours (errorRecheckFirstMs doubling up to errorRecheckMs).
    expect(await timerDurations(harness.client, handle.workflowId)).toEqual([5 * 60 * 1000]);
    denied = false;
    const resumed = await handle.executeUpdate(resumeUpdate);
    expect(resumed.phase).toBe('initial_sync');
    expect((await statusWhere(handle, upToDate('incremental'))).error).toBeNull();
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('pause and resume Updates answer the phase they led to; nothing is read while paused', async () => {
    const { handle, org } = await harness.start('pause', {}, (org) => {
      org.script = async (_input, n) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return page({ done: n % 4 === 3 });
      };
    });
    await until(() => org.pages.length >= 2);
    const paused = await handle.executeUpdate(pauseUpdate);
    expect(paused.phase).toBe('paused');
    const readSoFar = org.pages.length;
    expect((await handle.executeUpdate(pauseUpdate)).phase).toBe('paused'); // already paused: answers at once
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(org.pages.length).toBe(readSoFar);

    const resumed = await handle.executeUpdate(resumeUpdate);
    expect(resumed.phase).toBe('initial_sync');
    await statusWhere(handle, upToDate('incremental'));
    expect(org.pages.length).toBeGreaterThan(readSoFar);
    // A healthy running sync has nothing to resume: the answer is its status as it is.
    expect((await handle.executeUpdate(resumeUpdate)).phase).toMatch(/^(incremental|initial_sync)$/);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('resync Update resets the cursors and answers initial_sync with a fresh initial read; while paused it waits for resume', async () => {
    const { handle, org } = await harness.start('resync');
    const first = await statusWhere(handle, upToDate('incremental'));
    const resynced = await handle.executeUpdate(resyncUpdate);
    expect(resynced.phase).toBe('initial_sync');
    expect(resynced.initialSync).toMatchObject({ completedAt: null, records: 0, apiCalls: 0 });
    expect(resynced.initialSync!.startedAt > first.initialSync!.startedAt).toBe(true);
    expect(org.resets).toHaveLength(1);
    await statusWhere(handle, upToDate('incremental'));
    const { pagesBefore } = org.resets[0]!;
    expect(org.pages[pagesBefore - 1]!.mode).toBe('incremental');
    expect(org.pages.slice(pagesBefore, pagesBefore + 3).map((p) => p.mode)).toEqual(['initial', 'initial', 'initial']);

    expect((await handle.executeUpdate(pauseUpdate)).phase).toBe('paused');
    expect((await handle.executeUpdate(resyncUpdate)).phase).toBe('paused');
    expect(org.resets).toHaveLength(1);
    expect((await handle.executeUpdate(resumeUpdate)).phase).toBe('initial_sync');
    expect(org.resets).toHaveLength(2);

    await handle.signal(disconnectSignal, { reason: 'Disconnected from FastFollow' });
    const ended = await handle.result();
    expect(ended).toMatchObject({ phase: 'disconnected', endedReason: 'Disconnected from FastFollow' });
    await expect(handle.executeUpdate(pauseUpdate)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await saveHistory('v3-updates-resync-pause-disconnect', await handle.fetchHistory());
  });

  it('a pause that arrives while the cursors are being reset answers paused, not the read it stopped', async () => {
    const held = gate();
    const { handle, org } = await harness.start('pause-during-reset', {}, (org) => {
      org.onReset = () => held.enter();
    });
    await statusWhere(handle, upToDate('incremental'));
    const resync = handle.executeUpdate(resyncUpdate);
    await held.entered;
    const pause = handle.executeUpdate(pauseUpdate);
    await until(async () => (await handle.fetchHistory()).events!.some((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'supportPause'));
    held.open();
    expect((await pause).phase).toBe('paused');
    expect((await resync).phase).toBe('paused');
    const pagesWhilePaused = org.pages.length;
    expect((await handle.executeUpdate(resumeUpdate)).phase).toBe('initial_sync');
    await statusWhere(handle, upToDate('incremental'));
    expect(org.pages[pagesWhilePaused]!.mode).toBe('initial');
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('a resync signalled in the cycle that continues as new is carried into the next run (was lost)', async () => {
    const { handle, org } = await harness.start('carry-resync', { cyclesPerRun: 0 });
    const before = await statusWhere(handle, upToDate('incremental'));
    const held = gate();
    org.script = async () => {
      await held.enter();
      return page();
    };
    await held.entered;
    const runAtSignal = (await handle.describe()).runId;
    await handle.signal(resyncSignal);
    await signalHandled(harness.client, handle.workflowId);
    org.script = () => page();
    held.open();

    await until(() => org.resets.length === 1);
    expect(org.resets[0]!.runId).not.toBe(runAtSignal);
    const status = await statusWhere(handle, (s) => upToDate('incremental')(s) && s.initialSync!.startedAt > before.initialSync!.startedAt);
    expect(status.objects.Contact?.records).toBe(2);
    expect(org.pages.some((p) => p.mode === 'initial' && p.runId === org.resets[0]!.runId)).toBe(true);
    await saveHistory('v3-continue-as-new-carrying-resync', await harness.client.workflow.getHandle(handle.workflowId, runAtSignal).fetchHistory());
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it("a reconnect to another org during an incremental read starts that org's initial read (the read in flight doesn't count as it)", async () => {
    const { handle, org } = await harness.start('reconnect-mid-read');
    await statusWhere(handle, upToDate('incremental'));
    const held = gate();
    org.script = async () => {
      await held.enter();
      return page();
    };
    await held.entered; // an incremental page is in flight
    const pagesBefore = org.pages.length;
    await handle.signal(reconnectedSignal, { orgId: '00DOTHERORG00001', connectedAt: new Date().toISOString() });
    await signalHandled(harness.client, handle.workflowId);
    org.script = () => page();
    held.open();

    const status = await statusWhere(handle, (s) => s.orgId === '00DOTHERORG00001' && Boolean(s.initialSync?.completedAt));
    expect(status.phase).not.toBe('error');
    expect(org.pages.slice(pagesBefore).some((p) => p.mode === 'initial')).toBe(true);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('continue-as-new keeps a pause (signal) and waits for an Update in flight instead of dropping it', async () => {
    const { handle, org } = await harness.start('carry-pause', { cyclesPerRun: 0 });
    await statusWhere(handle, upToDate('incremental'));
    // Every cycle continues as new: the pause Update lands in such a cycle and is still answered.
    expect((await handle.executeUpdate(pauseUpdate)).phase).toBe('paused');
    expect((await handle.executeUpdate(resumeUpdate)).phase).toBe('incremental');

    const held = gate();
    org.script = async () => {
      await held.enter();
      return page();
    };
    await held.entered;
    const runAtSignal = (await handle.describe()).runId;
    await handle.signal(pauseSignal);
    await signalHandled(harness.client, handle.workflowId);
    held.open();
    const paused = await statusWhere(handle, (s) => s.phase === 'paused');
    expect((await handle.describe()).runId).not.toBe(runAtSignal);
    expect(paused.initialSync?.completedAt).toBeTruthy();
    expect(paused.objects.Contact?.records).toBe(2);
    await handle.signal(disconnectSignal, { reason: 'test over' });
  });

  it('disconnect ends the workflow with its reason; a revoked grant ends it as revoked', async () => {
    const { handle } = await harness.start('disconnect');
    await statusWhere(handle, upToDate('incremental'));
    await handle.signal(disconnectSignal, { reason: 'Disconnected from FastFollow' });
    expect(await handle.result()).toMatchObject({ phase: 'disconnected', endedReason: 'Disconnected from FastFollow', error: null });

    const revoked = await harness.start('revoked', {}, (org) => {
      org.script = () => {
        throw salesforceFailure('INVALID_GRANT');
      };
    });
    const ended = await revoked.handle.result();
    expect(ended).toMatchObject({ phase: 'disconnected', endedReason: 'Access revoked in Salesforce' });
    expect(ended.error?.code).toBe('INVALID_GRANT');
    await expect(revoked.handle.query(statusQuery)).resolves.toMatchObject({ phase: 'disconnected' });
  });

  it('disconnect cancels the page in flight and ends only once the activity confirmed it stopped', async () => {
    const steps: string[] = [];
    const { handle, org } = await harness.start('cancel-page', {}, (org) => {
      // A page that would run for minutes (a slow Bulk job), heartbeating and watching for cancellation.
      org.script = async () => {
        const activity = Context.current();
        for (;;) {
          activity.heartbeat();
          if (activity.cancellationSignal.aborted) {
            await new Promise((resolve) => setTimeout(resolve, 200)); // cleaning up takes a moment
            steps.push('activity stopped');
            throw activity.cancellationSignal.reason;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
    });
    await until(() => org.pages.length === 1);
    await handle.signal(disconnectSignal, { reason: 'Disconnected from FastFollow' });
    const ended = await handle.result();
    steps.push('workflow ended');
    expect(steps).toEqual(['activity stopped', 'workflow ended']);
    expect(ended).toMatchObject({ phase: 'disconnected', endedReason: 'Disconnected from FastFollow', error: null });
    expect(org.pages).toHaveLength(1);
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    expect(events.some((event) => event.activityTaskCancelRequestedEventAttributes)).toBe(true);
    expect(events.some((event) => event.activityTaskCanceledEventAttributes)).toBe(true);
    await saveHistory('v4-disconnect-cancels-page', history);
  });

});
