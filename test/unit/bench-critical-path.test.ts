import { describe, expect, it } from 'vitest';
import { REALISTIC_DEFAULTS } from '../../bench/args.js';
import { bulkProcessingMs, criticalPath, objectChain, serialPathMs } from '../../bench/critical-path.js';
import { realisticResult } from '../../bench/realistic-report.js';
import { timelineOf, unionMs } from '../../bench/timeline.js';

// 150–400 ms per call: L = 275 ms; Bulk 150 ms per 1,000 rows, at least 3 s a job.
const settings = REALISTIC_DEFAULTS;
const L = 275;

describe('the realistic mode critical path', () => {
  it('a REST read is one page after another, at least one page: pages × L', () => {
    expect(objectChain('Account', 0, settings)).toMatchObject({ method: 'rest', serialFetches: 1, processingMs: 0, chainMs: L });
    expect(objectChain('Account', 2_000, settings)).toMatchObject({ method: 'rest', serialFetches: 1, chainMs: L });
    expect(objectChain('Account', 2_001, settings)).toMatchObject({ method: 'rest', serialFetches: 2, chainMs: 2 * L });
    // 10,000 accounts: REST and Bulk cost the same calls (5), so the plan keeps REST.
    expect(objectChain('Account', 10_000, settings)).toMatchObject({ method: 'rest', serialFetches: 5, chainMs: 5 * L });
  });

  it('a Bulk read is create + processing + the poll that sees it done + one call per 50,000-row chunk', () => {
    // 100,000 contacts: 15 s of processing (150 ms × 100) beats the 3 s floor; 2 chunks.
    expect(objectChain('Contact', 100_000, settings)).toEqual({ object: 'Contact', records: 100_000, method: 'bulk', serialFetches: 2, processingMs: 15_000, chainMs: L + 15_000 + L + 2 * L });
    // 1M contacts: 150 s and 20 chunks.
    expect(objectChain('Contact', 1_000_000, settings)).toMatchObject({ method: 'bulk', serialFetches: 20, processingMs: 150_000, chainMs: L + 150_000 + L + 20 * L });
  });

  it('a small Bulk job takes the per-job floor: the emulator waits for the later of its two clocks', () => {
    expect(bulkProcessingMs(12_000, settings)).toBe(3_000);
    expect(bulkProcessingMs(25_000, settings)).toBe(3_750);
    expect(objectChain('Opportunity', 12_000, settings)).toMatchObject({ method: 'bulk', processingMs: 3_000, chainMs: 3 * L + 3_000 });
  });

  it('which objects go Bulk follows the plan, including the worker’s minimum for Bulk', () => {
    expect(objectChain('Contact', 100_000, settings, 1_000_000)).toMatchObject({ method: 'rest', serialFetches: 50, chainMs: 50 * L });
  });

  it('the default bench org: L connect + L plan + the longest chain (contacts), not the sum of the chains', () => {
    const path = criticalPath({ Account: 10_000, Contact: 100_000, Opportunity: 25_000 }, settings);
    expect(path.meanLatencyMs).toBe(L);
    expect(path.objects.map((chain) => [chain.object, chain.method, chain.chainMs])).toEqual([
      ['Account', 'rest', 5 * L],
      ['Contact', 'bulk', 4 * L + 15_000],
      ['Opportunity', 'bulk', 3 * L + 3_750],
    ]);
    expect(path.longest).toBe('Contact');
    expect(path.totalMs).toBe(L + L + 4 * L + 15_000);
    expect(serialPathMs(path)).toBe(L + L + 5 * L + 4 * L + 15_000 + 3 * L + 3_750);
  });

  it('a flat latency has no jitter share, and no latency leaves only the Bulk processing', () => {
    expect(criticalPath({ Account: 1, Contact: 1, Opportunity: 1 }, { ...settings, latencyMs: 200, latencyJitterMs: 0 }).totalMs).toBe(600);
    expect(criticalPath({ Account: 1, Contact: 100_000, Opportunity: 1 }, { ...settings, latencyMs: 0, latencyJitterMs: 0 }).totalMs).toBe(15_000);
  });
});

describe('the realistic report', () => {
  const callbackAt = Date.parse('2026-11-29T03:00:00.000Z');
  const at = (ms: number) => new Date(callbackAt + ms).toISOString();
  const details = {
    callbackAt: at(0),
    initialSync: { startedAt: at(600), completedAt: at(33_300) },
    objectDoneAt: { Account: at(2_000), Contact: at(25_000) },
    calls: { emulator: 17, bulkPolls: 8 },
  };
  const result = realisticResult(details, { Account: 10_000, Contact: 100_000, Opportunity: 25_000 }, settings, 10_000);

  it('states wall ÷ critical path beside the path and its inputs, and each object’s finish beside its chain', () => {
    expect(result.details).toMatchObject({ wallSeconds: 33.3, criticalPathSeconds: 16.65, wallToCriticalPath: 33_300 / 16_650, objectDoneAfterSeconds: { Account: 2, Contact: 25, Opportunity: 33.3 } });
    const rows = Object.fromEntries(result.metrics.map((m) => [m.metric.trim(), m]));
    expect(rows['wall ÷ critical path (target ≤ 1.2)']?.value).toBe(2);
    expect(rows['Contact (100,000, bulk): done after / its chain']).toMatchObject({ value: '25.0 / 16.1', unit: 's (L + 15.0 s processing + L poll + 2 chunks × L; L = 275 ms)' });
    expect(rows['Account (10,000, rest): done after / its chain']).toMatchObject({ value: '2.0 / 1.4', unit: 's (5 pages × L)' });
    expect(rows['callback → initial sync started (OAuth, identity check, workflow start)']?.value).toBe(0.6);
  });
});

describe('the realistic timeline, from the workflow history', () => {
  const origin = Date.parse('2026-11-29T03:00:00.000Z');
  const time = (ms: number) => ({ seconds: Math.floor((origin + ms) / 1000), nanos: ((origin + ms) % 1000) * 1e6 });
  const input = (value: unknown) => ({ payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) }] });
  let eventId = 0;
  const event = (ms: number, attributes: Record<string, unknown>) => ({ eventId: ++eventId, eventTime: time(ms), ...attributes });
  const activity = (object: string | null, scheduled: number, started: number, ended: number, result: unknown = null) => {
    const scheduledEvent = event(scheduled, { activityTaskScheduledEventAttributes: { activityType: { name: object ? 'syncPage' : 'syncSettings' }, input: input(object ? { connectionId: 'c', object } : ['c']) } });
    const completed = { scheduledEventId: scheduledEvent.eventId, ...(result === null ? {} : { result: input(result) }) };
    return [scheduledEvent, event(started, { activityTaskStartedEventAttributes: { scheduledEventId: scheduledEvent.eventId } }), event(ended, { activityTaskCompletedEventAttributes: completed })];
  };
  const timerStarted = event(2_600, { timerStartedEventAttributes: { startToFireTimeout: { seconds: 1, nanos: 0 } } });
  const events = [
    ...activity(null, 900, 950, 1_000),
    // Creates the Bulk job (1 call), then its last poll and the results (2 calls) with 20,000 rows applied.
    ...activity('Contact', 2_000, 2_100, 2_500, { done: false, fetched: 0, apiCalls: 1, waitMs: 1_000 }),
    timerStarted,
    event(3_600, { timerFiredEventAttributes: { startedEventId: timerStarted.eventId } }),
    ...activity('Contact', 3_700, 3_700, 6_000, { done: true, fetched: 20_000, apiCalls: 2 }),
    // After completedAt (10 s): the first incremental cycle, left out.
    ...activity('Contact', 11_000, 11_000, 11_500),
  ];

  it('spans each object’s activities, splits the span into time inside them and between them, and keeps the timers', () => {
    const timeline = timelineOf(events as never, origin, origin + 10_000);
    expect(timeline.activities.map((span) => [span.type, span.object, span.scheduledMs, span.startedMs, span.endedMs, span.fetched, span.apiCalls])).toEqual([
      ['syncSettings', null, 900, 950, 1_000, null, null],
      ['syncPage', 'Contact', 2_000, 2_100, 2_500, 0, 1],
      ['syncPage', 'Contact', 3_700, 3_700, 6_000, 20_000, 2],
    ]);
    expect(timeline.objects).toEqual({ Contact: { activities: 2, firstMs: 2_000, lastMs: 6_000, firstStartedMs: 2_100, runningMs: 2_700, betweenMs: 1_300 } });
    expect(timeline.timers).toEqual([{ startedMs: 2_600, firedMs: 3_600, timeoutMs: 1_000 }]);
  });

  it('shows in the realistic table', () => {
    const timeline = timelineOf(events as never, origin, origin + 10_000);
    const details = { callbackAt: new Date(origin).toISOString(), initialSync: { startedAt: new Date(origin + 800).toISOString(), completedAt: new Date(origin + 10_000).toISOString() }, objectDoneAt: {}, calls: { emulator: 5, bulkPolls: 1 } };
    const rows = realisticResult(details, { Account: 0, Contact: 20_000, Opportunity: 0 }, settings, 10_000, timeline).metrics.map((m) => [m.metric.trim(), m.value, m.unit]);
    // Local work: (400 − 1 × 275) + (2,300 − 2 × 275) ms.
    expect(rows).toContainEqual(['Contact: its 2 activities from–to / inside / between / local work inside', '2.0–6.0 / 2.7 / 1.3 / 1.9', 's']);
    expect(rows).toContainEqual(['workflow timers (waits between Bulk status polls): count / total', '1 / 1.0', 's']);
  });

  it('counts overlapping activity time once', () => {
    expect(unionMs([[0, 10], [5, 20], [30, 40], [32, 35]])).toBe(30);
    expect(unionMs([])).toBe(0);
  });
});
