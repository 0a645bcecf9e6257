import { describe, expect, it } from 'vitest';
import { allocationProblem, allowedCalls, callsInLastDay, checkBudget, daysNeeded, recordCalls, DAY_MS, type CallLog } from '../../domain/budget.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('API budget', () => {
  it('allocates a share of the org limit by default, or what support set (dailyCalls wins, capped at the limit)', () => {
    expect(allowedCalls(null, 15_000)).toBe(7_500);
    expect(allowedCalls({ share: 0.2 }, 15_000)).toBe(3_000);
    expect(allowedCalls({ share: 0.2, dailyCalls: 1_000 }, 15_000)).toBe(1_000);
    expect(allowedCalls({ dailyCalls: 50_000 }, 15_000)).toBe(15_000);
  });

  it('counts its own calls over a rolling 24 h', () => {
    const log: CallLog = [];
    recordCalls(log, T0, 3);
    recordCalls(log, T0 + 10_000, 2);
    recordCalls(log, T0 + 3_600_000, 5);
    expect(log).toHaveLength(2);
    expect(callsInLastDay(log, T0 + 3_600_000)).toBe(10);
    expect(callsInLastDay(log, T0 + DAY_MS + 60_000)).toBe(5);
  });

  it('refuses heavy spending past the allocation until the oldest calls leave the window', () => {
    const log: CallLog = [];
    recordCalls(log, T0, 40);
    recordCalls(log, T0 + 3_600_000, 10);
    const verdict = checkBudget({ log, nowMs: T0 + 7_200_000, cost: 5, allocation: { dailyCalls: 50 }, org: { used: 100, max: 1_000 }, recheckMs: 60_000 });
    expect(verdict).toMatchObject({ ok: false, reason: 'allocation', retryAtMs: T0 + 60_000 + DAY_MS });
    expect(checkBudget({ log, nowMs: T0 + 7_200_000, cost: 5, allocation: { dailyCalls: 60 }, org: { used: 100, max: 1_000 }, recheckMs: 60_000 })).toEqual({ ok: true });
  });

  it('ignores calls that already left the window, when counting and when telling when budget returns', () => {
    const log: CallLog = [];
    recordCalls(log, T0, 100);
    recordCalls(log, T0 + DAY_MS / 2, 40);
    const nowMs = T0 + DAY_MS + 120_000;
    expect(callsInLastDay(log, nowMs)).toBe(40);
    const verdict = checkBudget({ log, nowMs, cost: 20, allocation: { dailyCalls: 50 }, org: { used: 40, max: 1_000 }, recheckMs: 60_000 });
    expect(verdict).toMatchObject({ ok: false, reason: 'allocation', retryAtMs: T0 + DAY_MS / 2 + 60_000 + DAY_MS });
  });

  it('keeps a safety margin of the org limit for other tools', () => {
    const verdict = checkBudget({ log: [], nowMs: T0, cost: 5, allocation: { share: 1 }, org: { used: 960, max: 1_000 }, recheckMs: 60_000 });
    expect(verdict).toMatchObject({ ok: false, reason: 'org_margin', retryAtMs: T0 + 60_000 });
  });

  it('validates allocations and plans days', () => {
    expect(allocationProblem({})).toMatch(/share.*dailyCalls/);
    expect(allocationProblem({ share: 1.5 })).toMatch(/at most 1/);
    expect(allocationProblem({ dailyCalls: 0.5 })).toMatch(/whole number/);
    expect(allocationProblem({ share: 0.5 })).toBeNull();
    expect(daysNeeded(2_500, 1_000)).toBe(3);
  });
});
