import { allowedCalls, callsInLastDay, checkBudget, recordCalls, type Allocation, type BudgetVerdict, type CallLog, type OrgUsage } from '../domain/budget.js';
import type { AllocationStatus, ScheduleStatus } from '../domain/connection-status.js';
import { currentSlot, nextWindowStart, type OffHoursWindow } from '../domain/offhours.js';

/** What the quota state carries across continueAsNew. */
export interface CarriedQuota {
  window: OffHoursWindow | null;
  allocation: Allocation | null;
  callLog: CallLog;
  /** A REQUEST_LIMIT_EXCEEDED backoff in progress: no lane calls Salesforce before `untilMs`. */
  limitUntilMs: number | null;
}

/** Light work (incremental reads, Tasks, write-back) keeps this share of the allocation for itself. */
const LIGHT_RESERVE_SHARE = 0.1;

/**
 * The connection's API budget and schedule: the off-hours window, support's allocation, the
 * integration's own calls over the rolling 24 h (every lane records its calls here) and the current
 * quota backoff. Plain code, carried whole across continueAsNew.
 */
export class QuotaState {
  window: OffHoursWindow | null;
  allocation: Allocation | null;
  readonly callLog: CallLog;
  limitUntilMs: number | null;
  /** A lane is making the one probe call after a quota backoff; the others wait for its outcome. */
  probing = false;
  /**
   * The next read page skips the budget and backoff checks once: support resumed, or the org's margin
   * was last seen too low and only a call brings a fresh reading (not carried: a new run re-checks).
   */
  skipBudgetOnce = false;

  constructor(carried?: CarriedQuota) {
    this.window = carried?.window ?? null;
    this.allocation = carried?.allocation ?? null;
    this.callLog = carried?.callLog ?? [];
    this.limitUntilMs = carried?.limitUntilMs ?? null;
  }

  toCarried(): CarriedQuota {
    return { window: this.window, allocation: this.allocation, callLog: this.callLog, limitUntilMs: this.limitUntilMs };
  }

  recordCalls(nowMs: number, calls: number): void {
    recordCalls(this.callLog, nowMs, calls);
  }

  usedInLastDay(nowMs: number): number {
    return callsInLastDay(this.callLog, nowMs);
  }

  /** Heavy work may run now (no window, or inside it). */
  windowOpen(nowMs: number): boolean {
    return !this.window || currentSlot(this.window, new Date(nowMs)) !== null;
  }

  /** Heavy work keeps a reserve of the allocation free for light work; light work may use all of it. */
  budgetFor(kind: 'heavy' | 'light', cost: number, nowMs: number, org: OrgUsage | null, recheckMs: number): BudgetVerdict {
    const reserve = kind === 'heavy' && org ? Math.ceil(allowedCalls(this.allocation, org.max) * LIGHT_RESERVE_SHARE) : 0;
    return checkBudget({ log: this.callLog, nowMs, cost: cost + reserve, allocation: this.allocation, org, recheckMs });
  }

  /** A quota refusal: starts a backoff episode (every lane waits it out), or joins the running one. */
  limitRefused(nowMs: number, delayMs: () => number): number {
    this.probing = false;
    if (this.limitUntilMs !== null && this.limitUntilMs > nowMs) return this.limitUntilMs;
    this.limitUntilMs = nowMs + delayMs();
    return this.limitUntilMs;
  }

  /** Support resumed: a backoff or budget hold ends, and the next page goes (bringing a fresh reading). */
  tryNow(): void {
    this.skipBudgetOnce = true;
    this.limitUntilMs = null;
  }

  /** A Salesforce call went through: the quota is back. */
  callSucceeded(): void {
    this.limitUntilMs = null;
    this.probing = false;
  }

  /** Calls a lane made (a call that went through ends a quota backoff). */
  callsMade(nowMs: number, calls: number): void {
    this.recordCalls(nowMs, calls);
    if (calls > 0) this.callSucceeded();
  }

  /** The status's `schedule` and `allocation`. */
  statusFields(nowMs: number, org: OrgUsage | null): { schedule: ScheduleStatus; allocation: AllocationStatus } {
    return { schedule: this.scheduleStatus(nowMs), allocation: this.allocationStatus(nowMs, org ? { used: org.used, max: org.max } : null) };
  }

  scheduleStatus(nowMs: number): ScheduleStatus {
    const now = new Date(nowMs);
    return { window: this.window, open: this.windowOpen(nowMs), nextStart: nextWindowStart(this.window, now) };
  }

  allocationStatus(nowMs: number, org: OrgUsage | null): AllocationStatus {
    return {
      share: this.allocation?.share ?? null,
      dailyCalls: this.allocation?.dailyCalls ?? null,
      allowedCalls: org ? allowedCalls(this.allocation, org.max) : null,
      usedCalls24h: this.usedInLastDay(nowMs),
    };
  }
}
