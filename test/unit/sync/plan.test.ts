import { describe, expect, it } from 'vitest';
import {
  BULK_MIN_RECORDS,
  bulkApiCalls,
  bulkPollAgesMs,
  bulkPollsFor,
  chooseReadMethod,
  expectedBulkPolls,
  minimumApiCalls,
  nextBulkPollAgeMs,
  nextScheduledPollAgeMs,
  predictBulkProcessingMs,
  restApiCalls,
} from '../../../domain/sync/plan.js';

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

describe('Bulk job status polls: the schedule, the prediction and the plan\'s expectation', () => {
  /**
   * Polls a job that is done at `doneMs` of age until one sees it done, each poll at the age asked for;
   * the prediction is known from the poll at `knownFromMs` on (another job finished meanwhile).
   */
  function pollUntilDone(doneMs: number, predictedMs?: number, knownFromMs = 0): { polls: number; seenAtMs: number } {
    const prediction = (age: number) => (age >= knownFromMs ? predictedMs : undefined);
    let age = nextBulkPollAgeMs(0, prediction(0));
    let polls = 1;
    while (age < doneMs) {
      age = nextBulkPollAgeMs(age, prediction(age));
      polls++;
    }
    return { polls, seenAtMs: age };
  }

  it('without a prediction, polls at ages 2, 4, 8, 16, 32 s, then every 30 s', () => {
    const ages: number[] = [];
    for (const age of bulkPollAgesMs()) if (ages.push(age) === 8) break;
    expect(ages).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 62_000, 92_000, 122_000]);
  });

  it('the next poll is the schedule\'s first age at least 1 s away: a late poll does not shift the later ones', () => {
    expect(nextScheduledPollAgeMs(0)).toBe(2_000);
    expect(nextScheduledPollAgeMs(1_900)).toBe(4_000); // not 2 s: 100 ms later would only cost a call
    expect(nextScheduledPollAgeMs(4_700)).toBe(8_000); // a poll made 700 ms late still leaves the next at 8 s
    expect(nextScheduledPollAgeMs(10_000)).toBe(16_000);
    expect(nextScheduledPollAgeMs(3_600_000)).toBe(3_602_000);
    expect(nextBulkPollAgeMs(2_100)).toBe(4_000);
    expect(() => nextScheduledPollAgeMs(-1)).toThrow(RangeError);
  });

  it('predicts a job\'s end from the largest finished job\'s processing time per record', () => {
    expect(predictBulkProcessingMs(100_000, { records: 25_000, processingMs: 3_750 })).toBe(15_000);
    expect(predictBulkProcessingMs(100_000, undefined)).toBeUndefined();
    expect(predictBulkProcessingMs(100_000, { records: 25_000, processingMs: 0 })).toBeUndefined();
    expect(predictBulkProcessingMs(100_000, { records: 0, processingMs: 3_750 })).toBeUndefined();
  });

  it('with a prediction, polls at it when it comes before the schedule\'s next poll; never later than the schedule', () => {
    expect(nextBulkPollAgeMs(8_000, 15_000)).toBe(15_000); // the schedule would poll at 16 s
    expect(nextBulkPollAgeMs(2_000, 15_000)).toBe(4_000); // a prediction too late must not cost more than the schedule
    expect(nextBulkPollAgeMs(92_000, 100_000)).toBe(100_000); // the schedule would wait until 122 s
    expect(nextBulkPollAgeMs(14_500, 15_000)).toBe(15_500); // at least 1 s on
  });

  it('once the prediction has passed, polls in steps of a quarter of the age until twice the prediction, then the schedule again', () => {
    expect(nextBulkPollAgeMs(15_200, 15_000)).toBe(19_000);
    expect(nextBulkPollAgeMs(3_000, 2_500)).toBe(4_000); // at least 1 s
    expect(nextBulkPollAgeMs(200_000, 150_000)).toBe(230_000); // at most 30 s
    expect(nextBulkPollAgeMs(290_000, 150_000)).toBe(302_000); // past twice the prediction: no later than the schedule
    expect(nextBulkPollAgeMs(30_000, 15_000)).toBe(32_000); // twice the prediction: it no longer counts
    expect(nextBulkPollAgeMs(2_000, 30)).toBe(4_000); // a job of a fast org predicts nothing for this one
  });

  it('a right prediction sees the job done sooner with no more polls; a wrong one costs a few polls, bounded', () => {
    // The benchmark's realistic org: 150 ms per 1,000 rows; the 25,000-row job was seen done at 4 s.
    const predicted = predictBulkProcessingMs(100_000, { records: 25_000, processingMs: 3_750 });
    expect(pollUntilDone(15_000)).toEqual({ polls: 4, seenAtMs: 16_000 });
    expect(pollUntilDone(15_000, predicted, 4_000)).toEqual({ polls: 4, seenAtMs: 15_000 }); // 2, 4, 8, 15 s
    // The job takes 40% longer than predicted: seen within a quarter of its age, at a cost of one poll.
    expect(pollUntilDone(21_000, predicted, 4_000)).toEqual({ polls: 6, seenAtMs: 23_438 }); // …, 15, 18.75, 23.4 s
    expect(pollUntilDone(21_000)).toEqual({ polls: 5, seenAtMs: 32_000 });
    // Twice as long: seen no later than without the prediction, at a cost of three polls.
    expect(pollUntilDone(30_000, predicted, 4_000)).toEqual({ polls: 8, seenAtMs: 32_000 }); // …, 23.4, 29.3, 32 s
    expect(pollUntilDone(30_000)).toEqual({ polls: 5, seenAtMs: 32_000 });
    // Predicted too late (the job is faster than its sample): the schedule, as without a prediction.
    expect(pollUntilDone(5_000, 100_000, 2_000)).toEqual(pollUntilDone(5_000));
    // A job of minutes: polled every 30 s as without a prediction, but seen done at its end, not up to 30 s later.
    expect(pollUntilDone(1_195_000, 1_195_000, 2_000)).toEqual({ polls: 44, seenAtMs: 1_195_000 });
    expect(pollUntilDone(1_195_000)).toEqual({ polls: 44, seenAtMs: 1_202_000 });
  });

  it('counts the polls the schedule makes for a job of a given processing time: a 3-minute job takes 10', () => {
    expect(bulkPollsFor(0)).toBe(1);
    expect(bulkPollsFor(2_000)).toBe(1); // polled at 2 s
    expect(bulkPollsFor(2_001)).toBe(2); // and at 4 s
    expect(bulkPollsFor(15_000)).toBe(4); // 2, 4, 8, 16 s
    expect(bulkPollsFor(180_000)).toBe(10); // 2, 4, 8, 16, 32, 62, 92, 122, 152, 182 s
    expect(bulkPollsFor(3_600_000)).toBe(5 + Math.ceil((3_600_000 - 32_000) / 30_000));
    expect(() => bulkPollsFor(Number.NaN)).toThrow(RangeError);
    for (const ms of [0, 2_001, 15_000, 180_000]) expect(pollUntilDone(ms).polls).toBe(bulkPollsFor(ms));
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
