import { describe, expect, it } from 'vitest';
import { limitsRow, objectLimits, objectThroughput, scaledWriteSeconds, throughputRow } from '../../bench/per-object.js';
import type { ScenarioResult } from '../../bench/report.js';
import { summarize, summaryResult } from '../../bench/summary.js';
import type { ObjectActivity } from '../../bench/timeline.js';

describe('per-object limits', () => {
  it('reads by the faster API and compares it with the object’s own write rate', () => {
    // 100,000 contacts: REST 0.8 s, Bulk 0.25 s, written in 2 s → Bulk 400k/s read, 50k/s write: write binds.
    expect(objectLimits({ rows: 100_000, seconds: 0.8 }, { rows: 100_000, seconds: 0.25 }, { rows: 100_000, seconds: 2 })).toEqual({
      readLimit: 400_000,
      readApi: 'bulk',
      writeLimit: 50_000,
      writeRows: 100_000,
      slowerLimit: 50_000,
      limitedBy: 'write',
    });
    // A small object: the Bulk job's polling makes REST the faster read, and the read binds.
    expect(objectLimits({ rows: 10_000, seconds: 0.5 }, { rows: 10_000, seconds: 0.6 }, { rows: 10_000, seconds: 0.1 })).toMatchObject({ readLimit: 20_000, readApi: 'rest', writeLimit: 100_000, slowerLimit: 20_000, limitedBy: 'read' });
  });

  it('an object with no rows has no limits (no division by zero)', () => {
    expect(objectLimits({ rows: 0, seconds: 0.01 }, { rows: 0, seconds: 0.05 }, { rows: 0, seconds: 0 })).toEqual({ readLimit: null, readApi: null, writeLimit: null, writeRows: 0, slowerLimit: null, limitedBy: null });
  });

  it('scales a capped write sample to the object’s full count, so the org’s write limit weighs objects by their rows', () => {
    const limits = { Account: { writeLimit: 100_000 }, Contact: { writeLimit: 50_000 }, Opportunity: { writeLimit: 80_000 } };
    // 0.1 s + 20 s + 0 s (no opportunities) — not (sample rows ÷ sample seconds).
    expect(scaledWriteSeconds({ Account: 10_000, Contact: 1_000_000, Opportunity: 0 }, limits)).toBeCloseTo(20.1, 9);
    expect(scaledWriteSeconds({ Account: 10, Contact: 10, Opportunity: 10 }, { ...limits, Contact: { writeLimit: null } })).toBeNull();
  });

  it('shows one row per object: read (API) / write (sample rows) / slower', () => {
    const limits = objectLimits({ rows: 100_000, seconds: 0.8 }, { rows: 100_000, seconds: 0.25 }, { rows: 100_000, seconds: 2 });
    expect(limitsRow('Contact', limits)).toEqual({ metric: '  Contact: read (Bulk) / write (100,000 rows) / slower', value: '400,000 / 50,000 / 50,000', unit: 'rows/s' });
  });
});

describe('per-object throughput of the initial sync', () => {
  // Contact's activities: 1.0–1.5 s (creates its job), then 4.0–8.0 s; another object's ran in between.
  const contact: ObjectActivity = { activities: 2, firstMs: 900, lastMs: 8_000, firstStartedMs: 1_000, runningMs: 4_500, betweenMs: 2_600 };

  it('divides the records by the time inside the object’s own activities, and by its span from first start to last end', () => {
    expect(objectThroughput(90_000, contact)).toEqual({ records: 90_000, activities: 2, busySeconds: 4.5, spanSeconds: 7, busyRate: 20_000, spanRate: 90_000 / 7 });
  });

  it('an object the history has no activities of (or none that ran) has no rate', () => {
    expect(objectThroughput(10, undefined)).toMatchObject({ activities: 0, busySeconds: null, spanSeconds: null, busyRate: null, spanRate: null });
    expect(objectThroughput(10, { ...contact, activities: 1, firstStartedMs: null, runningMs: 0 })).toMatchObject({ busyRate: null, spanRate: null });
    expect(objectThroughput(0, contact)).toMatchObject({ busySeconds: 4.5, busyRate: null });
  });

  it('shows both figures in one row', () => {
    expect(throughputRow('Contact', objectThroughput(90_000, contact))).toEqual({ metric: '  Contact (90,000): inside its 2 activities / first start → last end', value: '4.50 / 7.00', unit: 's (20,000 / 12,857 rec/s)' });
    expect(throughputRow('Account', objectThroughput(10, { ...contact, activities: 1 })).metric).toBe('  Account (10): inside its 1 activity / first start → last end');
  });
});

describe('the summary, per object', () => {
  const results: ScenarioResult[] = [
    {
      scenario: 'initial-sync',
      metrics: [],
      details: {
        throughput: 15_000,
        perObject: { Account: { busyRate: 18_000 }, Contact: { busyRate: 20_000 }, Opportunity: { busyRate: null } },
      },
    },
    {
      scenario: 'limits',
      metrics: [],
      details: {
        readLimit: 60_000,
        writeLimit: 50_000,
        naiveRate: 1_500,
        byObject: { Account: { slowerLimit: 20_000, limitedBy: 'read' }, Contact: { slowerLimit: 50_000, limitedBy: 'write' }, Opportunity: { slowerLimit: 40_000, limitedBy: 'write' } },
      },
    },
  ];

  it('divides each object’s busy-time rate by its own slower limit, beside the overall ratio', () => {
    const summary = summarize(results);
    expect(summary.ratioToLimit).toBe(0.3);
    expect(summary.ratioToLimitByObject).toEqual({ Account: 0.9, Contact: 0.4, Opportunity: null });
    expect(summary.byObject.Contact).toEqual({ throughput: 20_000, slowerLimit: 50_000, limitedBy: 'write' });
  });

  it('shows one row per object after the overall ratio, with the two rates it divides', () => {
    const rows = summaryResult(summarize(results)).metrics.map((m) => [m.metric, m.value, m.unit]);
    const overall = rows.findIndex(([metric]) => metric === 'ours ÷ slower limit (target ≥ 0.8)');
    expect(rows.slice(overall + 1, overall + 4)).toEqual([
      ['ours ÷ slower limit, Account (target ≥ 0.8)', 0.9, '× (18,000 ÷ read 20,000 rows/s)'],
      ['ours ÷ slower limit, Contact (target ≥ 0.8)', 0.4, '× (20,000 ÷ write 50,000 rows/s)'],
      ['ours ÷ slower limit, Opportunity (target ≥ 0.8)', 'n/a', '× (n/a ÷ write 40,000 rows/s)'],
    ]);
  });

  it('without the limits scenario (realistic mode) the ratios are unknown, and without an initial sync there are none', () => {
    expect(summarize([results[0]!]).ratioToLimitByObject).toEqual({ Account: null, Contact: null, Opportunity: null });
    expect(summarize([]).ratioToLimitByObject).toEqual({});
  });
});
