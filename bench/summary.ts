import type { Metric, ScenarioResult } from './report.js';

/** The figures dashboards read (the JSON's top-level `summary`), and the table rows that show them. */
export interface BenchSummary {
  /** End-to-end initial sync throughput ÷ the slower of the read and the write limit. */
  ratioToLimit: number | null;
  /** End-to-end throughput ÷ the naive baseline's. */
  ratioToNaive: number | null;
  /** API calls the initial sync used ÷ the plan's minimum for a real org (Bulk polls included). */
  apiCallsRatio: number | null;
  workerPeakRssMb: number | null;
  historyEventsPerRun: number | null;
  throughput: number | null;
  readLimit: number | null;
  writeLimit: number | null;
  naive: number | null;
  workerCpuSeconds: number | null;
  /** Realistic mode: the initial sync's wall time ÷ its critical path of Salesforce waits (target ≤ 1.2). */
  wallToCriticalPath: number | null;
  /** Per object: its rate inside its own sync activities ÷ the slower of its own read and write limits (target ≥ 0.8). */
  ratioToLimitByObject: Record<string, number | null>;
  /** …and the two figures of that ratio, with the limit that binds. */
  byObject: Record<string, ObjectComparison>;
}

export interface ObjectComparison {
  throughput: number | null;
  slowerLimit: number | null;
  limitedBy: 'read' | 'write' | null;
}

const find = (results: ScenarioResult[], scenario: string) => results.find((result) => result.scenario === scenario)?.details as Record<string, unknown> | undefined;
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const ratio = (a: number | null, b: number | null) => (a !== null && b ? a / b : null);

/** Each object the initial sync reports, its busy-time rate beside its own slower limit. */
export function compareByObject(initial: Record<string, unknown> | undefined, limits: Record<string, unknown> | undefined): Record<string, ObjectComparison> {
  const ours = (initial?.perObject ?? {}) as Record<string, { busyRate?: unknown }>;
  const limitsOf = (limits?.byObject ?? {}) as Record<string, { slowerLimit?: unknown; limitedBy?: unknown }>;
  return Object.fromEntries(
    Object.entries(ours).map(([object, figures]) => {
      const limit = limitsOf[object];
      const limitedBy = limit?.limitedBy === 'read' || limit?.limitedBy === 'write' ? limit.limitedBy : null;
      return [object, { throughput: num(figures.busyRate), slowerLimit: num(limit?.slowerLimit), limitedBy }];
    }),
  );
}

export function summarize(results: ScenarioResult[]): BenchSummary {
  const initial = find(results, 'initial-sync');
  const realistic = find(results, 'realistic');
  const limits = find(results, 'limits');
  const throughput = num(initial?.throughput);
  const readLimit = num(limits?.readLimit);
  const writeLimit = num(limits?.writeLimit);
  const slower = readLimit !== null && writeLimit !== null ? Math.min(readLimit, writeLimit) : null;
  const naive = num(limits?.naiveRate);
  const calls = initial?.calls as { status?: number } | undefined;
  const worker = (initial?.processes as Record<string, { peakRssMiB: number; cpuSeconds: number }> | undefined)?.worker;
  const history = initial?.history as { eventsInCurrentRun?: number } | undefined;
  const byObject = compareByObject(initial, limits);
  return {
    ratioToLimit: ratio(throughput, slower),
    ratioToNaive: ratio(throughput, naive),
    apiCallsRatio: ratio(num(calls?.status), num(initial?.planCalls)),
    workerPeakRssMb: num(worker?.peakRssMiB),
    historyEventsPerRun: num(history?.eventsInCurrentRun),
    throughput,
    readLimit,
    writeLimit,
    naive,
    workerCpuSeconds: num(worker?.cpuSeconds),
    wallToCriticalPath: num(realistic?.wallToCriticalPath),
    ratioToLimitByObject: Object.fromEntries(Object.entries(byObject).map(([object, figures]) => [object, ratio(figures.throughput, figures.slowerLimit)])),
    byObject,
  };
}

const show = (value: number | null) => value ?? 'n/a';
const rate = (value: number | null) => (value === null ? 'n/a' : Math.round(value).toLocaleString('en-US'));

/** `ours ÷ slower limit, Contact (target ≥ 0.8)`, with its two rates (inside the object's own activities; its limit) beside it. */
function objectRatioRow(object: string, figures: ObjectComparison, value: number | null): Metric {
  return { metric: `ours ÷ slower limit, ${object} (target ≥ 0.8)`, value: show(value), unit: `× (${rate(figures.throughput)} ÷ ${figures.limitedBy ?? 'limit'} ${rate(figures.slowerLimit)} rows/s)` };
}

/** The comparison, as the table's first section (realistic mode: against the critical path, not the local limits). */
export function summaryResult(summary: BenchSummary): ScenarioResult {
  const local = summary.wallToCriticalPath === null;
  return {
    scenario: 'summary',
    metrics: [
      { metric: 'ours: initial sync, end to end', value: show(summary.throughput), unit: 'records/s' },
      ...(local
        ? [
            { metric: 'read limit (emulator via jsforce, no DB)', value: show(summary.readLimit), unit: 'rows/s' },
            { metric: 'write limit (Postgres alone, batched)', value: show(summary.writeLimit), unit: 'rows/s' },
            { metric: 'naive (autoFetch + INSERT per row)', value: show(summary.naive), unit: 'rows/s' },
            { metric: 'ours ÷ slower limit (target ≥ 0.8)', value: show(summary.ratioToLimit), unit: '×' },
            ...Object.entries(summary.byObject).map(([object, figures]) => objectRatioRow(object, figures, summary.ratioToLimitByObject[object] ?? null)),
            { metric: 'ours ÷ naive (target ≥ 5)', value: show(summary.ratioToNaive), unit: '×' },
          ]
        : [{ metric: 'realistic: wall ÷ critical path of Salesforce waits (target ≤ 1.2)', value: show(summary.wallToCriticalPath), unit: '×' }]),
      { metric: 'API calls ÷ plan minimum (target ≤ 1.05)', value: show(summary.apiCallsRatio), unit: '×' },
      { metric: 'worker process alone: peak RSS', value: show(summary.workerPeakRssMb), unit: 'MiB' },
      { metric: 'worker process alone: CPU during initial sync', value: show(summary.workerCpuSeconds), unit: 's' },
      { metric: 'workflow history events (current run)', value: show(summary.historyEventsPerRun), unit: 'events' },
    ],
  };
}
