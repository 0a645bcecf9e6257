import type { ScenarioResult } from './report.js';

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
}

const find = (results: ScenarioResult[], scenario: string) => results.find((result) => result.scenario === scenario)?.details as Record<string, unknown> | undefined;
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const ratio = (a: number | null, b: number | null) => (a !== null && b ? a / b : null);

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
  };
}

const show = (value: number | null) => value ?? 'n/a';

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
