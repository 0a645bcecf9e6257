import { parseDuration } from '../../domain/duration.js';
import { SYNCED_OBJECTS } from '../../domain/synced-objects.js';
import type { BenchOptions } from '../args.js';
import { measure } from '../child-process.js';
import { workflowHistory } from '../history.js';
import { connectThroughApi } from '../oauth.js';
import type { ScenarioResult } from '../report.js';
import { connectionStatus, failIfStuck, waitFor } from '../status.js';
import type { BenchOrg, BenchSystem } from '../system.js';
import { sumWhere } from '../usage.js';

/** Each connection's org: small, as most customers' are. */
const SMALL_ORG = { Account: 20, Contact: 200, Opportunity: 50 } as const;
const CONCURRENCY = 8;

async function inBatches<T, R>(items: T[], work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index]!, index);
    }
  }));
  return out;
}

const accountIdOf = (index: number) => `acct-bench-many-${index}`;

/** Sums, over every org, the calls of one kind the emulator counted. */
async function usageOf(system: BenchSystem, orgs: BenchOrg[]): Promise<{ total: number; queryAll: number }> {
  const reports = await inBatches(orgs, (org) => system.control.usage(org.orgId));
  return {
    total: reports.reduce((sum, report) => sum + report.total, 0),
    queryAll: reports.reduce((sum, report) => sum + sumWhere(report.byEndpoint, (endpoint) => endpoint === 'GET /queryAll'), 0),
  };
}

/**
 * N connections with small orgs on one worker: connected through the API, initial syncs awaited, then
 * steady incremental cycles (nothing changes) measured over a window: worker CPU ms and API calls per
 * cycle per connection, the worker's peak RSS, history events per cycle, and cycles run vs the poll
 * interval's due (fewer means cycles ran late).
 */
// size: setup, steady window and figures read best as one sequence
export async function manyConnectionsScenario(system: BenchSystem, options: BenchOptions, progress: (line: string) => void): Promise<ScenarioResult> {
  const n = options.connections;
  const setupStarted = performance.now();
  const orgs = await inBatches(Array.from({ length: n }, (_, i) => i), async (i) => {
    const org = await system.createOrg({ name: `Bench Small Org ${i}` });
    for (const object of SYNCED_OBJECTS) await system.control.generateRecords(org.orgId, object, SMALL_ORG[object], 1_000 + i);
    return org;
  });
  progress(`${n} orgs generated; connecting them through the API…`);
  await inBatches(orgs, (org, i) => connectThroughApi(system, accountIdOf(i), org, `10.1.${i >> 8}.${i & 255}`));
  await waitFor(`all ${n} initial syncs`, async () => {
    const done = await inBatches(orgs, async (_, i) => {
      const status = await connectionStatus(system, accountIdOf(i));
      failIfStuck(status);
      return Boolean(status?.initialSync?.completedAt);
    });
    return done.every(Boolean) ? true : undefined;
  }, { timeoutMs: Math.max(300_000, n * 5_000), intervalMs: 2_000 });
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  const windowMs = parseDuration(options.window)!;
  const pollMs = parseDuration(options.pollInterval)!;
  progress(`connected and synced (${setupSeconds.toFixed(0)} s); measuring ${options.window} of steady cycles at poll ${options.pollInterval}…`);
  const historyBefore = await inBatches(orgs, (_, i) => workflowHistory(system, accountIdOf(i)));
  const usageBefore = await usageOf(system, orgs);
  const window = measure([system.processes.worker]);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const worker = window.stop().worker!;
  const usageAfter = await usageOf(system, orgs);
  const historyAfter = await inBatches(orgs, (_, i) => workflowHistory(system, accountIdOf(i)));

  // An idle incremental cycle reads each object once (queryAll, one page).
  const cycles = (usageAfter.queryAll - usageBefore.queryAll) / SYNCED_OBJECTS.length;
  const due = (n * windowMs) / pollMs;
  // Runs that continued-as-new in the window restart their count: left out of the per-cycle figure.
  const sameRun = historyAfter.map((after, i) => ({ after, before: historyBefore[i]! })).filter(({ after, before }) => after.runs === before.runs && after.eventsInCurrentRun >= before.eventsInCurrentRun);
  const events = sameRun.reduce((sum, { after, before }) => sum + after.eventsInCurrentRun - before.eventsInCurrentRun, 0);
  const perCycle = (value: number) => (cycles > 0 ? value / cycles : Number.NaN);
  return {
    scenario: `many-connections`,
    metrics: [
      { metric: 'connections on one worker', value: n, unit: 'connections' },
      { metric: 'setup: orgs generated, connected, initial syncs done', value: setupSeconds, unit: 's' },
      { metric: `incremental cycles run in ${options.window} (due at poll ${options.pollInterval})`, value: `${Math.round(cycles)} (${Math.round(due)})`, unit: 'cycles' },
      { metric: 'cycles run ÷ due (1 = none late)', value: cycles / due, unit: '×' },
      { metric: 'worker CPU per cycle per connection', value: perCycle(worker.cpuSeconds * 1000), unit: 'ms' },
      { metric: 'API calls per cycle per connection', value: perCycle(usageAfter.total - usageBefore.total), unit: 'calls' },
      { metric: 'history events per cycle', value: sameRun.length > 0 ? (events / cycles) * (n / sameRun.length) : 'n/a', unit: 'events' },
      { metric: 'worker process: CPU share of one core', value: worker.cpuSeconds / (windowMs / 1000), unit: '×' },
      { metric: 'worker process: peak RSS / at end', value: `${Math.round(worker.peakRssMiB)} / ${Math.round(worker.endRssMiB)}`, unit: 'MiB' },
    ],
    details: { connections: n, smallOrg: SMALL_ORG, windowMs, pollMs, cycles, due, worker, usage: { before: usageBefore, after: usageAfter }, historyEvents: events, runsCounted: sameRun.length, setupSeconds },
  };
}
