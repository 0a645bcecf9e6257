import { describe, expect, it } from 'vitest';
import { BULK_MIN_RECORDS, bulkApiCalls, chooseReadMethod, minimumApiCalls, restApiCalls } from '../../../domain/sync/plan.js';

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
    [0, 4],
    [1, 4],
    [50_000, 4],
    [50_001, 5],
    [1_000_000, 23],
  ])('Bulk: %i records → %i calls (create + 2 polls + result pages)', (n, calls) => {
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
    expect(minimumApiCalls(9999)).toBe(4); // Bulk would be cheaper, though it is not chosen below the threshold
    expect(minimumApiCalls(100)).toBe(1);
    expect(minimumApiCalls(1_000_000)).toBe(23);
  });
});

describe('chooseReadMethod', () => {
  it.each([
    [0, 'rest', 1],
    [5000, 'rest', 3],
    [9999, 'rest', 5], // cheaper in Bulk (4), but below the 10,000 threshold
    [BULK_MIN_RECORDS, 'bulk', 4],
    [100_000, 'bulk', 5],
    [3_000_000, 'bulk', 63],
  ] as const)('%i records → %s, %i calls', (recordCount, method, expectedApiCalls) => {
    expect(chooseReadMethod({ recordCount })).toEqual({ method, expectedApiCalls });
  });

  it('stays on REST above the threshold when Bulk is not cheaper', () => {
    // With 200-record REST pages Bulk wins early; with tiny Bulk pages REST wins.
    expect(chooseReadMethod({ recordCount: 10_000, pageSize: 200 })).toEqual({ method: 'bulk', expectedApiCalls: 4 });
    expect(chooseReadMethod({ recordCount: 10_000, bulkPageSize: 1000 })).toEqual({ method: 'rest', expectedApiCalls: 5 });
    // A tie goes to REST: Bulk must be strictly cheaper.
    expect(chooseReadMethod({ recordCount: 12_000, pageSize: 3000, bulkPageSize: 12_000 })).toEqual({ method: 'rest', expectedApiCalls: 4 });
  });

  it('the chosen plan is within 10% of the minimum from the threshold up', () => {
    for (let n = BULK_MIN_RECORDS; n <= 2_000_000; n += 7919) {
      const { expectedApiCalls } = chooseReadMethod({ recordCount: n });
      expect(expectedApiCalls).toBeLessThanOrEqual(Math.ceil(minimumApiCalls(n) * 1.1));
    }
  });
});
