import { condition, patched, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { SYNCED_OBJECTS, type SyncedObject } from '../domain/synced-objects.js';
import { planInitialSync, syncPageActivity } from './connection-activities.js';
import type { ConnectionState } from './connection-state.js';
import { gateBeforePage, planInitialRead, type QuotaWait } from './quota-gate.js';
import type { LaneContext } from './read-lane.js';

/** Patch: a Bulk job still processing is waited for here, on a durable timer between status polls. */
const BULK_WAIT_PATCH = 'bulk-job-polls-from-workflow';
/** Patch: while one object's Bulk job processes, the initial read goes on with the other objects. */
const INTERLEAVE_PATCH = 'initial-read-interleaves-bulk-waits';
/** Patch: the initial read's plan is an activity of its own before the first page (it was inside that page). */
const PLAN_STEP_PATCH = 'initial-read-plan-step';

export type PassOutcome = 'complete' | 'interrupted' | QuotaWait;

/** What one page step left to do: stop the pass, the object is read, or (Bulk) come back after `waitMs`. */
type Step = { stop: 'interrupted' | QuotaWait } | { done: true } | { done: false; waitMs?: number | undefined };

/** One pass over every object: the initial read, or an incremental window. */
export async function readAllObjects(ctx: LaneContext, mode: 'initial' | 'incremental'): Promise<PassOutcome> {
  const pass = new PassPacing();
  if (mode === 'initial' && patched(INTERLEAVE_PATCH)) return readInterleaved(ctx, pass);
  for (const object of SYNCED_OBJECTS) {
    for (;;) {
      const step = await readStep(ctx, object, mode, pass);
      if ('stop' in step) return step.stop;
      if (step.done) break;
      if (step.waitMs && patched(BULK_WAIT_PATCH)) await waitForBulkJobs(ctx.state, [object], step.waitMs);
    }
  }
  return 'complete';
}

/**
 * The initial read, objects in order, except that an object whose Bulk job is still processing steps
 * aside: the next object is read meanwhile (its job, asked for at the plan, may be done), and the first
 * object due again is taken up again. Only when every object left waits is there a durable timer, until
 * the earliest is due. Objects are independent (a contact carries its Account.Name), so order is free.
 */
async function readInterleaved(ctx: LaneContext, pass: PassPacing): Promise<PassOutcome> {
  const left: SyncedObject[] = [...SYNCED_OBJECTS];
  const dueAt = new Map<SyncedObject, number>();
  if (patched(PLAN_STEP_PATCH)) {
    const plan = await planStep(ctx, pass);
    if ('stop' in plan) return plan.stop;
    for (const [object, waitMs] of Object.entries(plan.pollAfterMs)) dueAt.set(object as SyncedObject, Date.now() + waitMs);
  }
  while (left.length > 0) {
    const now = Date.now();
    const object = left.find((candidate) => (dueAt.get(candidate) ?? 0) <= now);
    if (!object) {
      const next = Math.min(...left.map((candidate) => dueAt.get(candidate) ?? now));
      await waitForBulkJobs(ctx.state, left, next - now);
      if (ctx.state.readMustStop) return 'interrupted';
      continue;
    }
    const step = await readStep(ctx, object, 'initial', pass);
    if ('stop' in step) return step.stop;
    if (step.done) {
      left.splice(left.indexOf(object), 1);
      dueAt.delete(object);
    } else if (step.waitMs) {
      dueAt.set(object, Date.now() + step.waitMs);
    }
  }
  return 'complete';
}

/** Per pass: the previous page's cost (the quota gate's estimate of the next), and when write-back was last woken. */
class PassPacing {
  cost = 1;
  lastWriteBackWake = Date.now();
}

/** Whether the pass may make its next calls now (commands, continue-as-new, quota and off-hours gates). */
function gateStep(ctx: LaneContext, mode: 'initial' | 'incremental', pass: PassPacing): { stop: 'interrupted' | QuotaWait } | null {
  const { state } = ctx;
  if (state.readMustStop || workflowInfo().continueAsNewSuggested) return { stop: 'interrupted' };
  const wait = ctx.quotaGates ? gateBeforePage(ctx, mode, pass.cost) : null;
  if (wait) return { stop: wait };
  if (ctx.quotaGates && state.quota.limitUntilMs !== null) state.quota.probing = true;
  return null;
}

/** Gates, then plans the initial read (its calls are the read's; its estimate feeds auto-planning). */
async function planStep(ctx: LaneContext, pass: PassPacing): Promise<{ stop: 'interrupted' | QuotaWait } | { pollAfterMs: Partial<Record<SyncedObject, number>> }> {
  const { input, state } = ctx;
  const stop = gateStep(ctx, 'initial', pass);
  if (stop) return stop;
  setCurrentDetails('Initial sync: counting records, choosing REST or Bulk per object');
  const plan = await planInitialSync({ connectionId: input.connectionId });
  state.recordReadCalls('initial', plan, new Date().toISOString());
  pass.cost = Math.max(1, plan.apiCalls);
  if (plan.apiCalls > 0) state.quota.skipBudgetOnce = false;
  if (ctx.quotaGates && plan.estimate) planInitialRead(state, plan.estimate);
  return { pollAfterMs: plan.pollAfterMs };
}

/** Gates, then reads (and applies) one page — an activity run of pages in the initial read — of `object`. */
async function readStep(ctx: LaneContext, object: SyncedObject, mode: 'initial' | 'incremental', pass: PassPacing): Promise<Step> {
  const { input, state, settings } = ctx;
  const stop = gateStep(ctx, mode, pass);
  if (stop) return stop;
  setCurrentDetails(`${mode === 'initial' ? 'Initial' : 'Incremental'} sync: ${object} (${state.status.objects[object]?.records ?? 0} records so far)`);
  const syncPage = syncPageActivity(object, mode);
  const page = await syncPage({ connectionId: input.connectionId, object, mode, lookbackMs: settings.lookbackMs, safetyLagMs: settings.safetyLagMs });
  state.recordPage(object, mode, page, new Date().toISOString());
  // The write-back lane looks at the outbox after a page; during an initial read (pages back to back,
  // none of which fills the outbox) at most once per poll interval, not once per page.
  if (!ctx.quotaGates || mode === 'incremental' || Date.now() - pass.lastWriteBackWake >= settings.pollIntervalMs) {
    state.writeBackWake = true;
    pass.lastWriteBackWake = Date.now();
  }
  pass.cost = Math.max(1, page.apiCalls);
  if (page.apiCalls > 0) state.quota.skipBudgetOnce = false;
  if (ctx.quotaGates && page.estimate) planInitialRead(state, page.estimate);
  return page.done ? { done: true } : { done: false, waitMs: page.waitMs };
}

/**
 * Bulk jobs still processing: wait (a durable timer, so a job of many minutes survives worker
 * restarts and holds no activity open) before the next status poll; a command cuts it short.
 */
async function waitForBulkJobs(state: ConnectionState, objects: SyncedObject[], ms: number): Promise<void> {
  setCurrentDetails(`Initial sync: ${objects.join(', ')} — Bulk API job still processing at Salesforce; next status check in ${Math.round(ms / 1000)}s`);
  await condition(() => state.readMustStop, ms);
}
