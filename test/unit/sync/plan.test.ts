import { describe, expect, it } from 'vitest';
import { BULK_MIN_RECORDS, bulkApiCalls, bulkPollDelayMs, bulkPollsFor, chooseReadMethod, expectedBulkPolls, minimumApiCalls, restApiCalls } from '../../../domain/sync/plan.js';

describe('API call costs', () => {
  it.each([
    [0, 1],
    [1, 1],
    [2000, 1],
    [2001, 2],
    [9999, 5],
    [10_000, 5],
    [1_000_000, 500],
  ])('REST: %i records → %i calls', (n, calls) => {
    expect(restApiCalls(n)).toBe(calls);
  });

  it.each([
    [0, 5],
    [1, 5],
    [50_000, 6],
    [50_001, 7],
    [1_000_000, 29],
  ])('Bulk: %i records → %i calls (create + expected status polls + result pages)', (n, calls) => {
    expect(bulkApiCalls(n)).toBe(calls);
  });

  it('honours page sizes and poll counts', () => {
    expect(restApiCalls(1000, 200)).toBe(5);
    expect(bulkApiCalls(100_000, 10_000, 5)).toBe(16);
  });

  it('rejects nonsense counts', () => {
    expect(() => restApiCalls(-1)).toThrow(RangeError);
    expect(() => restApiCalls(1.5)).toThrow(RangeError);
    expect(() => restApiCalls(10, 0)).toThrow(RangeError);
    expect(() => bulkApiCalls(Number.NaN)).toThrow(RangeError);
  });

  it('minimum is the cheaper of the two, regardless of the threshold', () => {
    expect(minimumApiCalls(9999)).toBe(5);
    expect(minimumApiCalls(100)).toBe(1);
    expect(minimumApiCalls(1_000_000)).toBe(29);
  });
});

describe('Bulk job status polls: backoff and the plan\'s expectation', () => {
  it('waits 1 s before the first poll, doubling to at most 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(bulkPollDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(() => bulkPollDelayMs(-1)).toThrow(RangeError);
  });

  it('counts the polls a job of a given processing time costs: a 3-minute job takes 10, not 360 (500 ms polling)', () => {
    expect(bulkPollsFor(0)).toBe(1);
    expect(bulkPollsFor(1_000)).toBe(1); // polled at 1 s
    expect(bulkPollsFor(1_001)).toBe(2); // and at 3 s
    expect(bulkPollsFor(180_000)).toBe(10); // 1, 3, 7, 15, 31, 61, 91, 121, 151, 181 s
    expect(bulkPollsFor(3_600_000)).toBe(6 + Math.ceil((3_600_000 - 61_000) / 30_000));
    expect(() => bulkPollsFor(Number.NaN)).toThrow(RangeError);
  });

  it('expects more polls for bigger jobs, and the cost model includes them', () => {
    expect(expectedBulkPolls(10_000)).toBe(3);
    expect(expectedBulkPolls(1_000_000)).toBe(8);
    expect(expectedBulkPolls(3_000_000)).toBeGreaterThan(expectedBulkPolls(1_000_000));
    expect(bulkApiCalls(1_000_000)).toBe(1 + expectedBulkPolls(1_000_000) + 20);
  });
});

describe('chooseReadMethod', () => {
  it.each([
    [0, 'rest', 1],
    [5000, 'rest', 3],
    [9999, 'rest', 5],
    [BULK_MIN_RECORDS, 'rest', 5], // Bulk costs as much (job, 3 polls, one page): a tie goes to REST
    [12_000, 'bulk', 5],
    [100_000, 'bulk', 7],
    [3_000_000, 'bulk', 76],
  ] as const)('%i records → %s, %i calls', (recordCount, method, expectedApiCalls) => {
    expect(chooseReadMethod({ recordCount })).toEqual({ method, expectedApiCalls });
  });

  it('stays on REST above the threshold when Bulk is not cheaper', () => {
    // With 200-record REST pages Bulk wins early; with tiny Bulk pages REST wins.
    expect(chooseReadMethod({ recordCount: 10_000, pageSize: 200 })).toEqual({ method: 'bulk', expectedApiCalls: 5 });
    expect(chooseReadMethod({ recordCount: 20_000, bulkPageSize: 1000 })).toEqual({ method: 'rest', expectedApiCalls: 10 });
    // A tie goes to REST: Bulk must be strictly cheaper.
    expect(chooseReadMethod({ recordCount: 12_000, pageSize: 2400, bulkPageSize: 12_000 })).toEqual({ method: 'rest', expectedApiCalls: 5 });
  });

  it('the chosen plan is within 10% of the minimum from the threshold up', () => {
    for (let n = BULK_MIN_RECORDS; n <= 2_000_000; n += 7919) {
      const { expectedApiCalls } = chooseReadMethod({ recordCount: n });
      expect(expectedApiCalls).toBeLessThanOrEqual(Math.ceil(minimumApiCalls(n) * 1.1));
    }
  });
});
