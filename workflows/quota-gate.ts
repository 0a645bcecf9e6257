import { condition } from '@temporalio/workflow';
import { allowedCalls, daysNeeded } from '../domain/budget.js';
import type { SyncPhase, WaitStatus } from '../domain/connection-status.js';
import { localTime, nextHeavyStart, type OffHoursWindow } from '../domain/offhours.js';
import type { ConnectionState } from './connection-state.js';
import type { LaneContext } from './read-lane.js';

// Before every read page: is this the time (off-hours window) and is there budget (allocation, the
// org's safety margin, a quota backoff)? If not, the lane waits on a durable timer — a command wakes it.

const DEFAULT_BUDGET_RECHECK_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface QuotaWait extends WaitStatus {
  phase: SyncPhase;
  details: string;
  probeAfter?: boolean;
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;

/**
 * What must happen before the next page of `mode` (null: read it now). Heavy work (the initial read,
 * a resync) needs the window open and budget beyond the reserve kept for light work; incremental reads
 * only need budget. `cost` is what the page is expected to spend (the previous page's calls).
 */
export function gateBeforePage(ctx: LaneContext, mode: 'initial' | 'incremental', cost: number): QuotaWait | null {
  const { quota } = ctx.state;
  const nowMs = Date.now();
  const heavy = mode === 'initial';
  if (heavy && quota.window && !quota.windowOpen(nowMs)) return offHoursWait(quota.window, nowMs);
  // Cleared by the first page that made calls (readAllObjects): a page of an object already read makes none.
  if (quota.skipBudgetOnce) return null;
  if (quota.limitUntilMs !== null && nowMs < quota.limitUntilMs) return backoffWait(quota.limitUntilMs, 'Salesforce refused a call: the org reached its daily API limit');
  const org = ctx.state.status.apiUsage;
  const verdict = quota.budgetFor(heavy ? 'heavy' : 'light', cost, nowMs, org ? { used: org.used, max: org.max } : null, ctx.timings.budgetRecheckMs ?? DEFAULT_BUDGET_RECHECK_MS);
  if (verdict.ok) return null;
  const until = new Date(verdict.retryAtMs).toISOString();
  return {
    kind: 'budget',
    phase: 'backing_off',
    until,
    reason: verdict.message,
    details: `API budget: ${verdict.message}; ${heavy ? 'initial sync' : 'sync'} continues at ${until} (Tasks and write-back go on)`,
    // Other tools' use is seen only in a response: after the wait, one page goes to bring a fresh reading.
    probeAfter: verdict.reason === 'org_margin',
  };
}

function offHoursWait(window: OffHoursWindow, nowMs: number): QuotaWait {
  const start = nextHeavyStart(window, new Date(nowMs));
  const when = `${start.toISOString()} (${localTime(window, start)})`;
  return { kind: 'offhours', phase: 'waiting_offhours', until: start.toISOString(), reason: 'Heavy sync work runs only inside the off-hours window', details: `Waiting for the off-hours window: initial sync continues at ${when}` };
}

export function backoffWait(untilMs: number, reason: string): QuotaWait {
  const until = new Date(untilMs).toISOString();
  return { kind: 'backoff', phase: 'backing_off', until, reason, details: `API limit reached; next attempt at ${until} (in ${seconds(untilMs - Date.now())})` };
}

/** Waits out `wait` in its phase (status and current details say until when); true when a command cut it short. */
export async function waitOut(ctx: LaneContext, wait: QuotaWait, waitForCommand: (ms: number) => Promise<boolean>): Promise<boolean> {
  const { state } = ctx;
  state.status.waiting = { kind: wait.kind, reason: wait.reason, until: wait.until };
  state.refreshQuotaStatus(Date.now());
  ctx.setPhase(wait.phase, wait.details);
  try {
    const woken = await waitForCommand(Math.max(1, Date.parse(wait.until) - Date.now()));
    if (!woken && wait.probeAfter) state.quota.skipBudgetOnce = true;
    return woken;
  } finally {
    state.status.waiting = null;
  }
}

/**
 * Auto-planning: the initial read's estimated calls against what the allocation leaves today. When it
 * does not fit, the budget gate spreads it over days; status says so and when it should be done.
 */
export function planInitialRead(state: ConnectionState, estimate: { records: number; apiCalls: number }): void {
  const org = state.status.apiUsage;
  if (!org) return;
  const nowMs = Date.now();
  const perDay = Math.floor(allowedCalls(state.quota.allocation, org.max) * 0.9);
  const remaining = Math.max(0, perDay - state.quota.usedInLastDay(nowMs));
  if (estimate.apiCalls <= remaining) {
    state.status.plan = null;
    return;
  }
  const extraDays = daysNeeded(estimate.apiCalls - remaining, perDay);
  const done = Number.isFinite(extraDays) ? new Date(nowMs + extraDays * DAY_MS).toISOString() : 'never (the allocation allows no heavy work)';
  state.status.plan = {
    reason: `The initial sync needs about ${estimate.apiCalls} API calls (${estimate.records} records); the allocation leaves ${remaining} today and ${perDay} a day for sync work, so it is spread over ${Number.isFinite(extraDays) ? extraDays + 1 : '∞'} days${state.quota.window ? ' inside the off-hours window' : ''}`,
    estimatedCalls: estimate.apiCalls,
    estimatedCompletionAt: done,
  };
}

/**
 * Write lanes call this before a Salesforce call: during a quota backoff they wait it out, and after it
 * only one lane probes (the others wait for its outcome), so an episode costs at most a refused call or two.
 */
export async function limitCleared(state: ConnectionState, mustStop: () => boolean): Promise<void> {
  const { quota } = state;
  while (quota.limitUntilMs !== null && !mustStop()) {
    const leftMs = quota.limitUntilMs - Date.now();
    if (leftMs > 0) {
      await condition(() => quota.limitUntilMs === null || mustStop(), leftMs);
    } else if (!quota.probing) {
      quota.probing = true;
      return;
    } else {
      await condition(() => quota.limitUntilMs === null || !quota.probing || mustStop());
    }
  }
}
